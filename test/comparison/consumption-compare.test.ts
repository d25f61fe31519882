import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { yuanOfMicro } from '../../core/domain/bills.js';
import type { HourlyConsumption } from '../../core/domain/consumption.js';
import { DEFAULT_COEFFICIENT_TABLE, type Energy } from '../../core/domain/energy.js';
import type { RegistryInput } from '../../core/domain/registry.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';

// Two years of hourly consumption (2023 and the leap year 2024) written straight to the embedded
// store; every expected figure is summed here from the same rates, in integer micro-units.
const H = 3_600_000;
const at = (local: string) => Date.parse(`${local}T00:00:00+08:00`);
const iso = (local: string) => `${local}T00:00:00+08:00`;
/** Local calendar fields of an instant in Shanghai (UTC+8, no daylight saving). */
const local = (ms: number) => {
  const d = new Date(ms + 8 * H);
  return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours() };
};
/** Micro-units per hour: by day of month, by month and year, by hour of day. */
const RATE: Record<string, (ms: number) => number> = {
  e1: (ms) => 1_000_000 + local(ms).d * 10_000,
  e2: (ms) => (local(ms).y === 2024 ? 2_500_000 : 2_000_000) + local(ms).m * 100_000,
  g1: (ms) => (local(ms).h >= 8 && local(ms).h < 18 ? 750_000 : 500_000),
};
const ELECTRIC = ['e1', 'e2'];
/** Micro-units of `meters` over local [from, to), each hour weighed by `weight` (a price, a coefficient). */
function sumMicro(meters: readonly string[], from: string, to: string, weight: (m: string, ms: number) => number) {
  let sum = 0;
  for (let t = at(from); t < at(to); t += H)
    for (const m of meters) sum += (RATE[m] as (ms: number) => number)(t) * weight(m, t);
  return sum;
}
const native = (from: string, to: string) => sumMicro(ELECTRIC, from, to, () => 1) / 1e6;
const KGCE = DEFAULT_COEFFICIENT_TABLE.kgcePerUnit;
const kgce = (from: string, to: string) =>
  sumMicro([...ELECTRIC, 'g1'], from, to, (m) => (m === 'g1' ? KGCE.gas : KGCE.electricity)) / 1e6;
/** Flat 0.5 yuan/kWh until 2024, then time-of-use: 0.3 before 08:00, 1.1 08–18, 0.65 after; gas 3.2. */
const price = (m: string, ms: number) => {
  if (m === 'g1') return 3.2;
  if (local(ms).y < 2024) return 0.5;
  const h = local(ms).h;
  return h < 8 ? 0.3 : h < 18 ? 1.1 : 0.65;
};
const TARIFFS = [
  { energy: 'electricity', from: '2020-01-01', priceYuanPerUnit: 0.5 },
  {
    energy: 'electricity',
    from: '2024-01-01',
    bands: [
      { name: 'valley', hours: [[0, 8]], priceYuanPerUnit: 0.3 },
      { name: 'peak', hours: [[8, 18]], priceYuanPerUnit: 1.1 },
      { name: 'flat', hours: [[18, 24]], priceYuanPerUnit: 0.65 },
    ],
  },
  { energy: 'gas', from: '2020-01-01', priceYuanPerUnit: 3.2 },
];
/** Micro-yuan of every meter over local [from, to): prices have ≤ 2 decimals, amounts ≤ 2, so each product is whole. */
const costMicro = (from: string, to: string) =>
  sumMicro([...ELECTRIC, 'g1'], from, to, (m, ms) => Math.round(price(m, ms) * 100)) / 100;
const change = (current: number, reference: number) => (current - reference) / reference;
/** The local days [from, from + n). */
const days = (from: string, n: number) =>
  Array.from({ length: n + 1 }, (_, i) => new Date(at(from) + i * 24 * H + 8 * H).toISOString().slice(0, 10));
const months = (year: number) =>
  Array.from({ length: 13 }, (_, i) => `${year + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}-01`);

const meter = (id: string, buildingId: string, energy: Energy) => ({
  id,
  buildingId,
  gatewayId: 'gw-1',
  energy,
  unit: energy === 'gas' ? 'm3' : 'kWh',
  multiplier: 1,
  intervalS: 3600,
});
const REGISTRY: RegistryInput = {
  districts: [{ id: 'd1', name: '鼓楼区' }],
  institutions: [
    { id: 'i1', name: 'A', districtId: 'd1', type: 'office', floorAreaM2: 10_000, occupants: 100 },
    { id: 'i2', name: 'B', districtId: 'd1', type: 'school', floorAreaM2: 8_000, occupants: 50 },
  ],
  buildings: [
    { id: 'b1', institutionId: 'i1', name: 'A1', floorAreaM2: 10_000 },
    { id: 'b2', institutionId: 'i2', name: 'B1', floorAreaM2: 8_000 },
  ],
  gateways: [{ id: 'gw-1', secret: 'secret-gw-1' }],
  meters: [meter('e1', 'b1', 'electricity'), meter('e2', 'b2', 'electricity'), meter('g1', 'b1', 'gas')],
};

interface Point {
  start: string;
  value: number;
}
interface Answer {
  series: Point[];
  total: number;
  comparison?: {
    from: string;
    to: string;
    series: (Point & { change: number | null })[];
    total: number;
    change: number | null;
  };
}

describe('GET /api/v1/consumption?compare= (issue 17, item 3)', () => {
  let t: TestPlatform;
  const get = async (query: string) => {
    const res = await t.api<Answer>('GET', `/api/v1/consumption?scope=city&${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as Required<Answer>;
  };

  beforeAll(async () => {
    t = await startTestPlatform();
    const put = await t.api('PUT', '/api/v1/registry', REGISTRY);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const rows: HourlyConsumption[] = [];
    for (const meterId of Object.keys(RATE))
      for (let h = at('2023-01-01'); h < at('2025-01-01'); h += H) {
        const amountMicro = (RATE[meterId] as (ms: number) => number)(h);
        rows.push({ meterId, hourStartMs: h, amountMicro, estimatedMicro: 0, quality: 'good', readingsCount: 1 });
      }
    const ranges = Object.keys(RATE).map((meterId) => ({ meterId, fromMs: at('2023-01-01'), toMs: at('2025-01-01') }));
    await t.platform.store.replaceHourly(ranges, rows);
    const tariffs = await t.api('PUT', '/api/v1/tariffs', { tariffs: TARIFFS });
    expect(tariffs.status, JSON.stringify(tariffs.body)).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('compares a month with the previous calendar month of another length, point by point', async () => {
    const a = await get('energy=electricity&from=2024-03-01&to=2024-04-01&interval=day&compare=previous');
    const c = a.comparison;
    expect([c.from, c.to]).toEqual([iso('2024-02-01'), iso('2024-03-01')]);
    expect(a.series).toHaveLength(31);
    const feb = days('2024-02-01', 29);
    expect(c.series.map((p) => p.start)).toEqual(feb.slice(0, 29).map(iso));
    c.series.forEach((p, i) => {
      const expected = native(feb[i] as string, feb[i + 1] as string);
      expect(p.value).toBeCloseTo(expected, 6);
      expect(p.change).toBeCloseTo(change(a.series[i]?.value as number, expected), 4);
    });
    expect(c.total).toBeCloseTo(native('2024-02-01', '2024-03-01'), 6);
    expect(a.total).toBeCloseTo(native('2024-03-01', '2024-04-01'), 6);
    expect(c.change).toBeCloseTo(change(native('2024-03-01', '2024-04-01'), native('2024-02-01', '2024-03-01')), 4);
    // Without compare, no comparison.
    expect(await get('energy=electricity&from=2024-03-01&to=2024-04-01')).not.toHaveProperty('comparison');
  });

  it('compares a leap year with the year before by month, and 29 February with 28 February', async () => {
    const a = await get('energy=electricity&from=2024-01-01&to=2025-01-01&interval=month&compare=last_year');
    expect([a.comparison.from, a.comparison.to]).toEqual([iso('2023-01-01'), iso('2024-01-01')]);
    const m23 = months(2023);
    const m24 = months(2024);
    a.comparison.series.forEach((p, i) => {
      expect(p.start).toBe(iso(m23[i] as string));
      expect(p.value).toBeCloseTo(native(m23[i] as string, m23[i + 1] as string), 6);
      const current = native(m24[i] as string, m24[i + 1] as string);
      expect(p.change).toBeCloseTo(change(current, native(m23[i] as string, m23[i + 1] as string)), 4);
    });
    expect(a.comparison.change).toBeCloseTo(
      change(native('2024-01-01', '2025-01-01'), native('2023-01-01', '2024-01-01')),
      4,
    );
    // February: 29 days against 28, by day the comparison ends a point early.
    const feb = await get('energy=electricity&from=2024-02-01&to=2024-03-01&interval=day&compare=last_year');
    expect([feb.comparison.from, feb.comparison.to]).toEqual([iso('2023-02-01'), iso('2023-03-01')]);
    expect([feb.series.length, feb.comparison.series.length]).toEqual([29, 28]);
    expect(feb.comparison.total).toBeCloseTo(native('2023-02-01', '2023-03-01'), 6);
    for (const [from, to] of [
      ['2024-02-29', '2024-03-01'],
      ['2024-02-28', '2024-02-29'],
    ]) {
      const day = await get(`energy=electricity&from=${from}&to=${to}&compare=last_year`);
      expect([day.comparison.from, day.comparison.to]).toEqual([iso('2023-02-28'), iso('2023-03-01')]);
      expect(day.comparison.total).toBeCloseTo(native('2023-02-28', '2023-03-01'), 6);
    }
  });

  it('compares with a chosen range of another length, across a new year', async () => {
    const a = await get('energy=electricity&from=2024-06-01&to=2024-06-11&interval=day&compare=2023-12-25..2024-01-08');
    expect([a.comparison.from, a.comparison.to]).toEqual([iso('2023-12-25'), iso('2024-01-08')]);
    const chosen = days('2023-12-25', 14);
    expect(a.comparison.series.map((p) => p.start)).toEqual(chosen.slice(0, 14).map(iso));
    a.comparison.series.forEach((p, i) => {
      expect(p.value).toBeCloseTo(native(chosen[i] as string, chosen[i + 1] as string), 6);
      // Points 10–13 have no current point beside them.
      if (i >= 10) expect(p.change).toBeNull();
    });
    expect(a.comparison.total).toBeCloseTo(native('2023-12-25', '2024-01-08'), 6);
    expect(a.comparison.change).toBeCloseTo(
      change(native('2024-06-01', '2024-06-11'), native('2023-12-25', '2024-01-08')),
      4,
    );
  });

  it('compares kgce of every energy (water excluded) and cost in yuan by each period’s own tariffs', async () => {
    const k = await get('unit=kgce&from=2024-03-01&to=2024-04-01&interval=month&compare=previous');
    expect(k.total).toBeCloseTo(kgce('2024-03-01', '2024-04-01'), 5);
    expect(k.comparison.total).toBeCloseTo(kgce('2024-02-01', '2024-03-01'), 5);
    expect(k.comparison.change).toBeCloseTo(
      change(kgce('2024-03-01', '2024-04-01'), kgce('2024-02-01', '2024-03-01')),
      4,
    );
    // 2024 is priced by the time-of-use tariff, 2023 by the flat one: exact micro-yuan, rounded once to the fen.
    const y = await get('unit=yuan&from=2024-01-01&to=2025-01-01&interval=month&compare=last_year');
    expect(y.total).toBe(yuanOfMicro(costMicro('2024-01-01', '2025-01-01')));
    expect(y.comparison.total).toBe(yuanOfMicro(costMicro('2023-01-01', '2024-01-01')));
    const m23 = months(2023);
    expect(y.comparison.series.map((p) => p.value)).toEqual(
      m23.slice(0, 12).map((m, i) => yuanOfMicro(costMicro(m, m23[i + 1] as string))),
    );
    expect(y.comparison.change).toBeCloseTo(
      change(costMicro('2024-01-01', '2025-01-01'), costMicro('2023-01-01', '2024-01-01')),
      4,
    );
  });

  it('compares in every unit and intensity exactly as /consumption answers the compared period', async () => {
    const cases = [
      'energy=electricity',
      'unit=kgce',
      'unit=kgce_ev',
      'unit=kgco2',
      'unit=yuan',
      'energy=gas&unit=yuan',
      'unit=kgce&per=m2',
      'energy=electricity&per=capita',
      'unit=kgco2&per=m2',
    ];
    for (const q of cases) {
      const a = await get(`${q}&from=2024-02-01&to=2024-05-01&interval=month&compare=last_year`);
      const alone = await get(`${q}&from=2023-02-01&to=2023-05-01&interval=month`);
      expect(
        a.comparison.series.map((p) => p.value),
        q,
      ).toEqual(alone.series.map((p) => p.value));
      expect(a.comparison.total, q).toBe(alone.total);
      expect(a.comparison.change, q).toBeCloseTo(change(a.total, alone.total), 3);
    }
  });

  it('refuses a bad compare with a 400 naming it', async () => {
    for (const bad of [
      'yesterday',
      '2024-02-30..2024-03-01',
      '2024-03-01..2024-02-01',
      '2024-03-01',
      '2024-03-01..',
      // An hourly comparison of 24 years: too many buckets.
      '2000-01-01..2024-01-01',
    ]) {
      const res = await t.api<{ code: string; details: { path: string }[] }>(
        'GET',
        `/api/v1/consumption?scope=city&energy=electricity&from=2024-03-01&to=2024-03-02&interval=hour&compare=${bad}`,
      );
      expect(res.status, bad).toBe(400);
      expect(res.body.code).toBe('JN_REQUEST_INVALID');
      expect(res.body.details.map((d) => d.path)).toEqual(['compare']);
    }
  });
});
