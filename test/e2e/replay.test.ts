import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { localParts } from '../../core/domain/time.js';
import { loadSeries, runReplay } from '../../simulator/replay/run.js';
import { startTestPlatform, TEST_ADMIN_TOKEN, type TestPlatform } from '../helpers/platform.js';

const DIR = join(import.meta.dirname, '../../../shared/data/cambridge-2018');
const TZ = 'Europe/London';

/** CSV sums per meter and local month, computed independently of the platform (kWh). */
async function csvMonthlySums(): Promise<Map<string, number[]>> {
  const sums = new Map<string, number[]>();
  for (const name of ['b0_electricity', 'b0_gas', 'b1_electricity', 'b1_gas', 'b40_electricity', 'b40_gas']) {
    const months = Array(12).fill(0) as number[];
    const lines = (await readFile(join(DIR, `${name}.csv`), 'utf8')).trim().split('\n').slice(1);
    for (const line of lines) {
      const [when, value] = line.split(',');
      const month = localParts(Date.parse(`${when?.replace(' ', 'T')}Z`), TZ).month;
      months[month - 1] = (months[month - 1] ?? 0) + Number(value);
    }
    sums.set(name.replace('_', '-'), months);
  }
  return sums;
}

async function monthlyFromApi(t: TestPlatform, meterId: string, energy: string): Promise<number[]> {
  const res = await t.api<{ series: { value: number }[] }>(
    'GET',
    `/api/v1/consumption?scope=meter:${meterId}&from=2018-01-01&to=2019-01-01&interval=month&energy=${energy}`,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.series.map((p) => p.value);
}

async function expectMonthlyTotalsEqualCsv(t: TestPlatform): Promise<void> {
  const expected = await csvMonthlySums();
  for (const [meterId, months] of expected) {
    const heat = meterId.endsWith('gas');
    const got = await monthlyFromApi(t, meterId, heat ? 'heat' : 'electricity');
    // Heat meters count kWh and are stored in GJ (× 0.0036).
    const kwh = got.map((v) => (heat ? v / 0.0036 : v));
    for (const [i, v] of kwh.entries()) {
      expect(Math.abs(v - (months[i] ?? 0)), `${meterId} month ${i + 1}`).toBeLessThan(0.01);
    }
  }
}

describe('replay of real data (Cambridge 2018) through the real broker', () => {
  let t: TestPlatform | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('finds the six series of the data set', async () => {
    const { series, areas } = await loadSeries(DIR);
    expect(series.map((s) => s.meterId)).toEqual([
      'b0-electricity',
      'b0-gas',
      'b1-electricity',
      'b1-gas',
      'b40-electricity',
      'b40-gas',
    ]);
    expect(series.every((s) => s.hourStartsMs.length === 8760)).toBe(true);
    expect(areas.get('b0')).toBe(3296.5);
  });

  it('gives monthly totals equal to the CSV sums', async () => {
    t = await startTestPlatform({ TIMEZONE: TZ });
    const result = await runReplay({
      dir: DIR,
      brokerUrl: `mqtt://127.0.0.1:${t.platform.mqttPort}`,
      api: { url: t.platform.apiUrl, token: TEST_ADMIN_TOKEN },
      faults: { seed: 1 },
    });
    expect(result.readings).toBe(6 * 8761);
    await t.platform.pipeline.drain();
    await expectMonthlyTotalsEqualCsv(t);
  });

  it('gives the same totals with shuffled uploads, duplicates, a rollover and a replacement', async () => {
    t = await startTestPlatform({ TIMEZONE: TZ });
    const result = await runReplay({
      dir: DIR,
      brokerUrl: `mqtt://127.0.0.1:${t.platform.mqttPort}`,
      api: { url: t.platform.apiUrl, token: TEST_ADMIN_TOKEN },
      batchSize: 50,
      faults: {
        seed: 7,
        shuffle: true,
        duplicates: 0.05,
        rollover: { meterId: 'b0-electricity', modulus: 1_000_000, belowTop: 20_000 },
        replace: { meterId: 'b1-electricity', atIndex: 4000, newInitial: 12.5 },
      },
    });
    expect(result.readings).toBeGreaterThan(6 * 8761 * 1.03);
    expect(result.replacement?.meterId).toBe('b1-electricity');
    await t.platform.pipeline.drain();
    const raw = await t.api<{ readings: { value: number }[] }>(
      'GET',
      '/api/v1/meters/b0-electricity/readings?from=2018-01-01&to=2019-01-01',
    );
    const values = raw.body.readings.map((r) => r.value);
    expect(values.some((v, i) => i > 0 && v < (values[i - 1] ?? 0))).toBe(true); // the register did roll over
    await expectMonthlyTotalsEqualCsv(t);
  });
});
