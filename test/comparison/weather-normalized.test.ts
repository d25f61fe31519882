/**
 * Weather-normalised comparisons (issue 18, item 4) on a real platform (DuckDB, broker, Fastify):
 * `GET /api/v1/consumption?…&compare=…&normalize=weather`.
 *
 * - b104's gas of the shared Cambridge data (strongly weather-dependent; its kWh stored as the gas
 *   meter's native unit), 2018 compared with 2017: the normalised 2017 figure is the pure CalTRACK
 *   daily model fitted on 2017's CSV days and predicted on 2018's temperatures (1e-9 relative).
 * - A synthetic building whose daily use is a function of its heating degree days (plus a little
 *   deterministic noise), a cold year then a mild one: the raw change is large, the normalised ~0.
 * - 400s naming `normalize`, and a scope without a weather station.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMeters } from '../../bench/savings/data.js';
import type { Comparison } from '../../core/domain/comparison.js';
import type { HourlyConsumption } from '../../core/domain/consumption.js';
import type { RegistryInput } from '../../core/domain/registry.js';
import { HOUR_MS, localToEpochMs } from '../../core/domain/time.js';
import type { NormalizedComparison } from '../../core/domain/weather-normalized.js';
import { fitDailyModel, predictDaily } from '../../core/mv/daily-model.js';
import { hourlyTemperatures, projectSteps, usable } from '../../core/mv/project-steps.js';
import type { HourRecord } from '../../core/mv/series.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { relDiff } from '../savings/fixture.js';
import { hddBuilding } from './hdd-building.js';

const TZ = 'Europe/London';

const meter = (id: string, buildingId: string, energy: 'gas' | 'electricity') => ({
  id,
  buildingId,
  gatewayId: 'gw-1',
  energy,
  unit: energy === 'gas' ? 'm3' : 'kWh',
  multiplier: 1,
  intervalS: 3600,
});
const REGISTRY: RegistryInput = {
  districts: [{ id: 'cam', name: 'Cambridge' }],
  institutions: [
    {
      id: 'estate',
      name: '剑桥校产',
      districtId: 'cam',
      type: 'school',
      floorAreaM2: 3214,
      occupants: 100,
      weatherStationId: 'bedford',
    },
    { id: 'lab', name: '模拟', districtId: 'cam', type: 'office', floorAreaM2: 1000, occupants: 10 },
    { id: 'dark', name: '无气象站', districtId: 'cam', type: 'office', floorAreaM2: 1000, occupants: 10 },
  ],
  buildings: [
    { id: 'b104', institutionId: 'estate', name: 'b104', floorAreaM2: 3214 },
    { id: 'syn', institutionId: 'lab', name: 'syn', floorAreaM2: 1000, weatherStationId: 'synth' },
    { id: 'nowhere', institutionId: 'dark', name: 'nowhere', floorAreaM2: 1000 },
  ],
  gateways: [{ id: 'gw-1', secret: 'secret-gw-1' }],
  weatherStations: [
    { id: 'bedford', name: 'Bedford' },
    { id: 'synth', name: 'Synthetic' },
  ],
  meters: [meter('b104-gas', 'b104', 'gas'), meter('syn-gas', 'syn', 'gas'), meter('dark-e', 'nowhere', 'electricity')],
};

interface Answer {
  total: number;
  comparison: Comparison;
}
interface Problem {
  code: string;
  details: { path: string }[];
}

let t: TestPlatform;
let b104: HourRecord[];

beforeAll(async () => {
  t = await startTestPlatform({ TIMEZONE: TZ });
  const put = await t.api('PUT', '/api/v1/registry', REGISTRY);
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  const gas = (await loadMeters()).find((m) => m.building === 'b104' && m.energy === 'gas');
  if (gas === undefined) throw new Error('no b104 gas');
  b104 = [...(gas.years.get(2017) ?? []), ...(gas.years.get(2018) ?? [])];
  const rows: HourlyConsumption[] = b104
    .filter((h) => Number.isFinite(h.kwh))
    .map((h) => ({
      meterId: 'b104-gas',
      hourStartMs: h.hourMs,
      amountMicro: Math.round(h.kwh * 1e6),
      estimatedMicro: 0,
      quality: 'good',
      readingsCount: 1,
    }));
  const syn = hddBuilding('syn-gas', TZ, [
    [2021, 5],
    [2022, 11],
  ]);
  const first = (list: readonly { hourStartMs: number }[]) => list[0]?.hourStartMs ?? 0;
  const last = (list: readonly { hourStartMs: number }[]) => (list.at(-1)?.hourStartMs ?? 0) + HOUR_MS;
  await t.platform.store.replaceHourly(
    [
      { meterId: 'b104-gas', fromMs: b104[0]?.hourMs ?? 0, toMs: (b104.at(-1)?.hourMs ?? 0) + HOUR_MS },
      { meterId: 'syn-gas', fromMs: first(syn.rows), toMs: last(syn.rows) },
    ],
    [...rows, ...syn.rows],
  );
  await t.platform.store.weather.putObservations(
    'bedford',
    b104.filter((h) => Number.isFinite(h.temperatureC)).map((h) => ({ tsMs: h.hourMs, temperatureC: h.temperatureC })),
  );
  await t.platform.store.weather.putObservations('synth', syn.weather);
}, 120_000);

afterAll(async () => {
  await t?.close();
});

const get = async (query: string) => {
  const res = await t.api<Answer>('GET', `/api/v1/consumption?${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
const normalizedOf = (a: Answer): Extract<NormalizedComparison, { status: 'normalized' }> => {
  const n = a.comparison.normalized;
  if (n?.status !== 'normalized') throw new Error(`not normalised: ${JSON.stringify(n)}`);
  return n;
};

/** The pure model on the CSV: CalTRACK daily, gas (no cooling term), fitted on 2017's usable local days, predicted on 2018's. */
function pureB104() {
  const use = new Map(b104.map((h) => [h.hourMs, h.kwh]));
  const temps = hourlyTemperatures(
    b104.filter((h) => Number.isFinite(h.temperatureC)).map((h) => ({ tsMs: h.hourMs, temperatureC: h.temperatureC })),
  );
  const days = (y: number) =>
    projectSteps('daily', localToEpochMs(TZ, y, 1, 1), localToEpochMs(TZ, y + 1, 1, 1), TZ, use, temps).filter(usable);
  const base = days(2017);
  const model = fitDailyModel(
    base.map((s) => ({ dayMs: s.startMs, temperatureC: s.temperatureC, kwh: s.amount })),
    { fitCooling: false },
  );
  const report = days(2018);
  const predicted = predictDaily(
    model,
    report.map((s) => ({ dayMs: s.startMs, temperatureC: s.temperatureC })),
  );
  return {
    model,
    days: report.length,
    total: predicted.reduce((a, p) => a + p, 0),
    current: report.reduce((a, s) => a + s.amount, 0),
  };
}

describe('GET /api/v1/consumption?compare=…&normalize=weather (issue 18, item 4)', () => {
  it("gives b104's gas of 2017 under 2018's weather as the pure model on the CSV does", async () => {
    const a = await get(
      'scope=building:b104&energy=gas&from=2018-01-01&to=2019-01-01&interval=month&compare=last_year&normalize=weather',
    );
    const n = normalizedOf(a);
    const want = pureB104();
    expect(relDiff(n.total, want.total)).toBeLessThan(1e-9);
    expect(relDiff(n.current, want.current)).toBeLessThan(1e-9);
    expect(n.model.fit.n).toBe(want.model.baseline.statistics.n);
    expect(n.model.type).toBe(want.model.type);
    expect(n.model.type).not.toBe('intercept-only');
    expect(relDiff(n.model.fit.r2, want.model.baseline.statistics.r2)).toBeLessThan(1e-5);
    expect(n.currentDays.used).toBe(want.days);
    expect(n.currentDays.days).toBe(365);
    expect(n.comparedDays.days).toBe(365);
    expect(n.weatherStationId).toBe('bedford');
    expect(n.change).toBeCloseTo((want.current - want.total) / want.total, 4);
    // The months add up to the total, each change from its own figures.
    const series = n.series ?? [];
    expect(series).toHaveLength(12);
    expect(series[0]?.start).toBe('2018-01-01T00:00:00+00:00');
    expect(series.reduce((s, p) => s + (p.value ?? 0), 0)).toBeCloseTo(n.total, 4);
    expect(series.reduce((s, p) => s + p.days, 0)).toBe(n.currentDays.used);
    // The raw comparison is still there beside it.
    expect(a.comparison.from).toBe('2017-01-01T00:00:00+00:00');
    expect(a.comparison.total).toBeGreaterThan(0);
  }, 120_000);

  it('shows ~0 % normalised change for a building that follows its degree days, across a cold and a mild year', async () => {
    const a = await get(
      'scope=building:syn&energy=gas&from=2022-01-01&to=2023-01-01&interval=year&compare=last_year&normalize=weather',
    );
    const n = normalizedOf(a);
    expect(a.comparison.change).toBeLessThan(-0.2);
    expect(Math.abs(n.change ?? 1)).toBeLessThan(0.005);
    expect(n.model.type).toBe('hdd-only');
    expect(n.model.form).toContain('bH 15.0 °C');
    expect(n.model.fit.r2).toBeGreaterThan(0.99);
    expect(n.comparedDays).toEqual({ days: 365, used: 365, missingTemperature: 0, incompleteConsumption: 0 });
    expect(n.series).toHaveLength(1);
    // The institution takes its one building's station; interval=hour gives no series.
    const byInstitution = await get(
      'scope=institution:lab&energy=gas&from=2022-01-01&to=2023-01-01&interval=hour&compare=last_year&normalize=weather',
    );
    const m = normalizedOf(byInstitution);
    expect(m.total).toBe(n.total);
    expect(m.series).toBeUndefined();
  }, 120_000);

  it('withholds the figure with a reason when the compared period is too short', async () => {
    const a = await get(
      'scope=building:syn&energy=gas&from=2022-01-01&to=2022-02-01&interval=day&compare=2021-12-10..2022-01-01&normalize=weather',
    );
    expect(a.comparison.normalized).toMatchObject({
      status: 'refused',
      code: 'JN_NORMALIZE_TOO_FEW_DAYS',
      model: null,
      comparedDays: { days: 22, used: 22 },
    });
    // A compared period without any data at all: nothing to fit on.
    const b = await get(
      'scope=building:syn&energy=gas&from=2022-01-01&to=2023-01-01&interval=month&compare=2019-01-01..2020-01-01&normalize=weather',
    );
    expect(b.comparison.normalized).toMatchObject({ status: 'refused', code: 'JN_NORMALIZE_TOO_FEW_DAYS' });
  }, 120_000);

  it('answers 400 naming normalize when it cannot apply', async () => {
    const base = 'energy=gas&from=2022-01-01&to=2023-01-01&interval=month';
    const cases = [
      `scope=building:syn&${base}&normalize=weather`,
      `scope=building:syn&from=2022-01-01&to=2023-01-01&unit=kgce&compare=last_year&normalize=weather`,
      `scope=building:syn&${base}&per=m2&compare=last_year&normalize=weather`,
      `scope=building:syn&energy=gas&from=2022-01-01T06:00&to=2022-02-01&compare=previous&normalize=weather`,
      // A district or the city is normalised per institution (test/comparison/weather-normal-year.test.ts), still with compare.
      `scope=district:cam&${base}&normalize=weather`,
      // Without a weather station: the building, its institution, its meter.
      `scope=building:nowhere&energy=electricity&from=2022-01-01&to=2023-01-01&compare=last_year&normalize=weather`,
      `scope=institution:dark&energy=electricity&from=2022-01-01&to=2023-01-01&compare=last_year&normalize=weather`,
      `scope=meter:dark-e&energy=electricity&from=2022-01-01&to=2023-01-01&compare=last_year&normalize=weather`,
    ];
    for (const query of cases) {
      const res = await t.api<Problem>('GET', `/api/v1/consumption?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.code, query).toBe('JN_REQUEST_INVALID');
      expect(
        res.body.details.map((d) => d.path),
        query,
      ).toEqual(['normalize']);
    }
    const bad = await t.api<Problem>('GET', `/api/v1/consumption?scope=building:syn&${base}&normalize=yes`);
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d) => d.path)).toContain('normalize');
  }, 120_000);
});
