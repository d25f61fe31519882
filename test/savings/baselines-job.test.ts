/**
 * The fit-baselines job, `GET /api/v1/baselines` and the weather-baseline detector on a real
 * platform (DuckDB, Fastify, the job runner): a heating meter's 2025 fitted through
 * `POST /api/v1/jobs/fit-baselines/run`, two meters that cannot be fitted stored with their reason,
 * then January 2026 examined by `detect-daily`: the planted excess on mild days is an anomaly, the
 * cold spell before it is not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnomalyView } from '../../core/domain/anomalies.js';
import type { BaselineSummary } from '../../core/domain/baselines.js';
import type { HourlyConsumption } from '../../core/domain/consumption.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';

const TZ = 'Asia/Shanghai';
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const START_MS = Date.parse('2024-12-31T16:00:00Z'); // 2025-01-01 local
const DAYS = 365 + 31;
const use = (temperatureC: number) => 240 + 12 * Math.max(0, 16 - temperatureC);

/** Day d's mean temperature: a seasonal cosine; in January 2026 mild (12 °C) but for a cold spell on the 8th–12th (−8 °C). */
function temperatureOf(d: number): number {
  if (d >= 365) return d - 365 >= 7 && d - 365 < 12 ? -8 : 12;
  return 12 - 13 * Math.cos((2 * Math.PI * (d - 15)) / 365) + ((d * 37) % 11) / 5 - 1;
}
/** Day d's use: the model's plus a small wobble; +60 % on January 20th–22nd 2026. */
const amountOf = (d: number) => use(temperatureOf(d)) * (d - 365 >= 19 && d - 365 < 22 ? 1.6 : 1) + ((d * 53) % 7) - 3;

interface Problem {
  code: string;
  details: { path: string }[];
}
interface JobAnswer {
  lastRun: { outcome: string; detail: Record<string, unknown> };
}

let t: TestPlatform;

beforeAll(async () => {
  t = await startTestPlatform({ TIMEZONE: TZ });
  const meter = (id: string, buildingId: string) => ({
    id,
    buildingId,
    gatewayId: 'gw-1',
    energy: 'electricity',
    unit: 'kWh',
    multiplier: 1,
    intervalS: 3600,
  });
  const registry = {
    districts: [{ id: 'd1', name: '一区' }],
    institutions: [
      {
        id: 'i1',
        name: '市政府',
        districtId: 'd1',
        type: 'office',
        floorAreaM2: 5000,
        occupants: 200,
        weatherStationId: 'ws',
      },
      { id: 'i2', name: '无气象站', districtId: 'd1', type: 'office', floorAreaM2: 1000, occupants: 20 },
    ],
    buildings: [
      { id: 'b1', institutionId: 'i1', name: '主楼', floorAreaM2: 5000 },
      { id: 'b2', institutionId: 'i2', name: '小楼', floorAreaM2: 1000 },
    ],
    gateways: [{ id: 'gw-1', secret: 'secret-gw-1-0123456789' }],
    weatherStations: [{ id: 'ws', name: '市气象站' }],
    meters: [meter('m-heat', 'b1'), meter('m-short', 'b1'), meter('m-none', 'b2')],
  };
  const put = await t.api('PUT', '/api/v1/registry', registry);
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  const rows: HourlyConsumption[] = [];
  const hourRow = (meterId: string, h: number, amount: number): HourlyConsumption => ({
    meterId,
    hourStartMs: START_MS + h * HOUR_MS,
    amountMicro: Math.round(amount * 1e6),
    estimatedMicro: 0,
    quality: 'good',
    readingsCount: 1,
  });
  for (let h = 0; h < DAYS * 24; h++) {
    const d = Math.floor(h / 24);
    rows.push(hourRow('m-heat', h, amountOf(d) / 24), hourRow('m-none', h, 10));
    if (d >= 300 && d < 320) rows.push(hourRow('m-short', h, 5));
  }
  const span = (meterId: string) => ({ meterId, fromMs: START_MS, toMs: START_MS + DAYS * DAY_MS });
  await t.platform.store.replaceHourly([span('m-heat'), span('m-short'), span('m-none')], rows);
  await t.platform.store.weather.putObservations(
    'ws',
    Array.from({ length: DAYS * 24 }, (_, h) => ({
      tsMs: START_MS + h * HOUR_MS,
      temperatureC: temperatureOf(Math.floor(h / 24)),
    })),
  );
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('fit-baselines, GET /api/v1/baselines and the weather-baseline detector', () => {
  it('fits every meter it can, stores the others with their reason, and answers them', async () => {
    const run = await t.api<JobAnswer>('POST', '/api/v1/jobs/fit-baselines/run', {
      from: '2025-01-01',
      to: '2026-01-01',
    });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    expect(run.body.lastRun).toMatchObject({
      outcome: 'ok',
      detail: {
        from: '2025-01-01',
        to: '2026-01-01',
        model: 'daily',
        scopes: 3,
        fitted: 1,
        acceptable: 1,
        failed: 2,
        failures: { no_weather_station: 1, insufficient_data: 1 },
        unsaved: 0,
      },
    });
    const city = await t.api<{ baselines: BaselineSummary[]; notFitted: string[] }>(
      'GET',
      '/api/v1/baselines?scope=city',
    );
    expect(city.status).toBe(200);
    expect(city.body.notFitted).toEqual([]);
    const byScope = new Map(city.body.baselines.map((b) => [b.scope, b]));
    expect(byScope.get('meter:m-heat')).toMatchObject({
      status: 'ok',
      sufficient: true,
      weatherStationId: 'ws',
      coefficients: { kind: 'daily' },
      fit: { meetsAshrae14: true },
      steps: { period: 365, used: 365 },
    });
    expect(byScope.get('meter:m-short')).toMatchObject({ status: 'failed', failure: { code: 'insufficient_data' } });
    expect(byScope.get('meter:m-none')).toMatchObject({
      status: 'failed',
      weatherStationId: null,
      failure: { code: 'no_weather_station' },
    });
    const i2 = await t.api<{ baselines: BaselineSummary[] }>('GET', '/api/v1/baselines?scope=institution:i2');
    expect(i2.body.baselines.map((b) => b.scope)).toEqual(['meter:m-none']);
    const hourly = await t.api<{ baselines: unknown[]; notFitted: string[] }>(
      'GET',
      '/api/v1/baselines?scope=building:b1&model=hourly',
    );
    expect(hourly.body).toEqual({ scope: 'building:b1', baselines: [], notFitted: ['meter:m-heat', 'meter:m-short'] });
    const unknown = await t.api<Problem>('GET', '/api/v1/baselines?scope=building:nope');
    expect([unknown.status, unknown.body.code]).toEqual([400, 'JN_SCOPE_UNKNOWN']);
    const badModel = await t.api<Problem>('GET', '/api/v1/baselines?scope=city&model=weekly');
    expect(badModel.status).toBe(400);
    expect(badModel.body.details.map((d) => d.path).join()).toContain('model');
  }, 120_000);

  it('flags the planted excess of January 2026, not the cold spell the model explains', async () => {
    const run = await t.api<JobAnswer>('POST', '/api/v1/jobs/detect-daily/run', {
      from: '2026-01-01',
      to: '2026-02-01',
    });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    expect(run.body.lastRun.outcome).toBe('ok');
    const list = await t.api<{ anomalies: AnomalyView[] }>(
      'GET',
      '/api/v1/anomalies?from=2025-12-01&to=2026-02-01&type=weather_baseline',
    );
    expect(list.status).toBe(200);
    expect(list.body.anomalies.map((a) => [a.scope, a.start, a.end])).toEqual([
      ['meter:m-heat', '2026-01-19T16:00:00.000Z', '2026-01-22T16:00:00.000Z'],
    ]);
    expect(list.body.anomalies[0]?.evidence).toMatchObject({ days: 3, unit: 'kWh' });
    expect(list.body.anomalies[0]?.severity).toBe('high');
  }, 120_000);

  it('refuses a run input naming the field: bad dates, order, span, future, scope, model, unknown keys', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ from: '2025-13-01' }, 'from'],
      [{ from: '2025-02-30', to: '2025-06-01' }, 'from'],
      [{ from: '2025-06-01', to: '2025-05-01' }, 'to'],
      [{ from: '2025-06-01', to: '2025-06-15' }, 'from'],
      [{ from: '2020-01-01', to: '2025-01-01' }, 'to'],
      [{ from: '2098-01-01', to: '2099-01-01' }, 'to'],
      [{ scope: 'institution:nope' }, 'scope'],
      [{ scope: 'planet:earth' }, 'scope'],
      [{ scope: 'x'.repeat(100_000) }, 'scope'],
      [{ model: 'weekly' }, 'model'],
      [{ model: 'daily', extra: 1 }, 'extra'],
    ];
    for (const [body, field] of cases) {
      const res = await t.api<Problem & { message: string }>('POST', '/api/v1/jobs/fit-baselines/run', body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.body.code).toBe('JN_REQUEST_INVALID');
      expect(`${res.body.details.map((d) => d.path).join()} ${res.body.message}`, field).toContain(field);
    }
  }, 120_000);
});
