/**
 * Issue 18's end-to-end test: "a project over readings replayed through the broker gives the same
 * answer as the pure model on the CSV". b104's electricity of 2017–2018 (shared Cambridge data) is
 * accumulated into registers and published by its gateway over MQTT to the real broker (with
 * redeliveries); the data's gaps (runs of ≥ 23 zero hours, its README) are readings the gateway
 * never sent, so ingest spreads them as estimated hours. The Bedford temperatures go in through
 * `PUT /api/v1/weather/{stationId}` as CSV. `GET /api/v1/savings-projects/{id}` must then carry
 * the pure model's fit and savings on the CSV (1e-9 relative).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SavingsAnswer } from '../../core/domain/savings-projects.js';
import type { HourRecord } from '../../core/mv/series.js';
import { publishReplay } from '../../simulator/replay/publish.js';
import { applyTransportFaults, type ReplayReading, registerReadings } from '../../simulator/replay/registers.js';
import { startTestPlatform, TEST_ADMIN_TOKEN, type TestPlatform } from '../helpers/platform.js';
import {
  b104Hours,
  b104Project,
  METER,
  pureAnswer,
  STATION,
  sameFigures,
  savingsRegistry,
  TZ,
} from '../savings/fixture.js';

const WEATHER_DIR = join(import.meta.dirname, '../../../shared/data/cambridge-weather');
const SECRET = 'replay-secret-gw-b104';

/**
 * The register readings of the hours, without those inside a gap: for a gap of k hours from hour
 * g, the k − 1 readings between its ends are never sent, so the one delta that spans it covers
 * exactly those hours.
 */
function readingsOf(hours: readonly HourRecord[]): ReplayReading[] {
  const { readings } = registerReadings(
    {
      meterId: METER,
      buildingId: 'b104',
      kind: 'electricity',
      hourStartsMs: hours.map((h) => h.hourMs),
      amountsMicro: hours.map((h) => (Number.isFinite(h.kwh) ? Math.round(h.kwh * 1e6) : 0)),
    },
    'gw-b104',
    1000,
    { seed: 1 },
  );
  // Reading i + 1 closes hour i: drop it when hours i and i + 1 are both in a gap.
  return readings.filter((_, r) => {
    const i = r - 1;
    return !(i >= 0 && !Number.isFinite(hours[i]?.kwh ?? 0) && !Number.isFinite(hours[i + 1]?.kwh ?? 0));
  });
}

let t: TestPlatform;
let hours: HourRecord[];

beforeAll(async () => {
  t = await startTestPlatform({ TIMEZONE: TZ });
  expect((await t.api('PUT', '/api/v1/registry', savingsRegistry(SECRET))).status).toBe(200);
  hours = await b104Hours();
  const readings = applyTransportFaults(readingsOf(hours), { seed: 3, duplicates: 0.02 });
  expect(readings.length).toBeGreaterThan(hours.length);
  await publishReplay(readings, {
    brokerUrl: `mqtt://127.0.0.1:${t.platform.mqttPort}`,
    secrets: new Map([['gw-b104', SECRET]]),
    batchSize: 200,
  });
  await t.platform.pipeline.drain();
  // Both years' CSV as one upload (one header).
  const [y2017, y2018] = await Promise.all(
    [2017, 2018].map((y) => readFile(join(WEATHER_DIR, `bedford_${y}.csv`), 'utf8')),
  );
  const csv = `${(y2017 ?? '').trimEnd()}\n${(y2018 ?? '').split('\n').slice(1).join('\n')}`;
  const put = await fetch(`${t.platform.apiUrl}/api/v1/weather/${STATION}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'text/csv' },
    body: csv,
  });
  expect(put.status, await put.text()).toBe(200);
}, 300_000);

afterAll(async () => {
  await t?.close();
});

describe('a savings project over readings replayed through the broker', () => {
  it('leaves the gaps of the CSV as estimated hours, not consumption', async () => {
    const res = await t.api<{ series: { value: number }[] }>(
      'GET',
      `/api/v1/consumption?scope=meter:${METER}&from=2018-01-01&to=2019-01-01&interval=year&energy=electricity`,
    );
    const csv2018 = hours.filter((h) => h.hourMs >= Date.UTC(2018, 0, 1) && Number.isFinite(h.kwh));
    expect(res.body.series[0]?.value).toBeCloseTo(
      csv2018.reduce((s, h) => s + h.kwh, 0),
      3,
    );
  }, 120_000);

  for (const model of ['daily', 'hourly'] as const) {
    it(`gives the pure model's answer on the CSV (${model})`, async () => {
      const input = b104Project(`replay-${model}`, model);
      expect((await t.api('POST', '/api/v1/savings-projects', input)).status).toBe(201);
      const got = await t.api<SavingsAnswer>('GET', `/api/v1/savings-projects/${input.id}`);
      expect(got.status, JSON.stringify(got.body)).toBe(200);
      const want = pureAnswer(input, hours);
      expect(sameFigures(got.body, want)).toEqual([]);
      expect(got.body.model.baselineSteps).toEqual(want.model.baselineSteps);
      expect(got.body.reporting.steps).toEqual(want.reporting.steps);
      expect(got.body.months.map((m) => m.steps)).toEqual(want.months.map((m) => m.steps));
    }, 120_000);
  }
});
