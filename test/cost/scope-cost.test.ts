import { describe, expect, it } from 'vitest';
import { costByInstitution } from '../../core/cost/institution-cost.js';
import { scopeCost } from '../../core/cost/scope-cost.js';
import { SegmentAmounts } from '../../core/cost/segments.js';
import type { Registry } from '../../core/domain/registry.js';
import { MICRO_PER_YUAN, type Tariff } from '../../core/domain/tariffs.js';
import type { HourOfDayQuery, HourOfDayRow, Store } from '../../core/storage/store.js';
import { smallCity } from '../helpers/registry.js';
import { touPrice, touTariff } from '../helpers/tariffs.js';

const TZ = 'Asia/Shanghai';
const FROM = Date.parse('2025-01-01T00:00:00+08:00');
const JULY = Date.parse('2025-07-01T00:00:00+08:00');
const TO = Date.parse('2026-01-01T00:00:00+08:00');

// The hospital (i-003) has its own flat electricity price; everyone else the time-of-use one, which
// doubles on 1 July (a second segment); water is flat; gas has no tariff (uncosted).
const TARIFFS: Tariff[] = [
  { ...touTariff('2024-01-01'), id: 'tou' },
  {
    ...touTariff('2025-07-01'),
    id: 'tou-july',
    bands: touTariff('2025-07-01').bands.map((b) => ({ ...b, priceYuanPerUnit: b.priceYuanPerUnit * 2 })),
  },
  { id: 'hospital', energy: 'electricity', institutionId: 'i-003', from: '2024-01-01', priceYuanPerUnit: 2 },
  { id: 'water', energy: 'water', from: '2024-01-01', priceYuanPerUnit: 4.1 },
];

const registry = { ...smallCity(), gateways: [] } as unknown as Registry;
const institutionOf: Record<string, string> = {
  'm-light': 'i-001',
  'm-hvac': 'i-001',
  'm-water': 'i-001',
  'm-school': 'i-002',
  'm-hosp': 'i-003',
  'm-gas': 'i-003',
};

/** Deterministic amounts with 6 decimals, different per meter, segment and hour. */
const amountOf = (meter: number, segment: number, hour: number) =>
  Math.round((1 + meter) * 1_234_567.891 * (1 + segment) + hour * 98_765.4321) / 1e6;

/**
 * Each meter's rows of the two segments, the first segment split in two rows (as an hourly read of a
 * store gives them): their arrays frozen, so that summing them in place would throw.
 */
function rowsOf(q: HourOfDayQuery): HourOfDayRow[] {
  expect(q.boundariesMs).toEqual([FROM, JULY, TO]);
  const hours = (n: number) => Object.freeze(Array.from({ length: 24 }, () => n));
  return registry.meters.flatMap((m, i) =>
    [0, 1].flatMap((segment) => {
      const amounts = Array.from({ length: 24 }, (_, h) => amountOf(i, segment, h));
      const half = amounts.map((a) => a / 2);
      const row = (a: number[], n: number): HourOfDayRow => ({
        meterId: m.id,
        segment,
        amounts: Object.freeze(a),
        ...(q.counts === true ? { hours: hours(n) } : {}),
      });
      return segment === 0
        ? [
            row(half, 90),
            row(
              amounts.map((a, h) => a - (half[h] ?? 0)),
              91,
            ),
          ]
        : [row(amounts, 184)];
    }),
  );
}

const store = {
  bills: async () => [],
  tariffs: async () => TARIFFS,
  hourOfDayAmounts: async (q: HourOfDayQuery) => rowsOf(q),
} as unknown as Store;

/** The reference: each meter, segment and hour priced by the tariff in force, rounded to the micro-yuan. */
function expectedMicro(meterId: string): number | undefined {
  const i = registry.meters.findIndex((m) => m.id === meterId);
  const meter = registry.meters[i];
  if (meter === undefined || meter.energy === 'gas') return undefined;
  let micro = 0;
  for (const segment of [0, 1])
    for (let h = 0; h < 24; h++) {
      const yuan =
        meter.energy === 'water' ? 4.1 : institutionOf[meterId] === 'i-003' ? 2 : touPrice(h) * (segment === 1 ? 2 : 1);
      const half = amountOf(i, segment, h) / 2;
      const amount = segment === 0 ? half + (amountOf(i, segment, h) - half) : amountOf(i, segment, h);
      micro += Math.round(amount * Math.round(yuan * MICRO_PER_YUAN));
    }
  return micro;
}

describe('cost by time of use over a city (issue 19: one tariff look-up per institution and segment)', () => {
  it('prices each meter by its own institution’s tariff or the general one, segment by segment', async () => {
    const cost = await scopeCost(store, registry, {
      scope: { level: 'city' },
      fromMs: FROM,
      toMs: TO,
      bucketStartsMs: [FROM, JULY],
      timeZone: TZ,
    });
    const priced = registry.meters.filter((m) => m.energy !== 'gas').map((m) => m.id);
    expect([...cost.byMeterMicro.keys()].sort()).toEqual([...priced].sort());
    for (const id of priced) expect(cost.byMeterMicro.get(id), id).toBe(expectedMicro(id));
    expect(cost.tariffIds).toEqual(['hospital', 'tou', 'tou-july', 'water']);
    expect(cost.micro).toBe(priced.reduce((s, id) => s + (expectedMicro(id) ?? 0), 0));
    expect(cost.buckets.map((b) => b.micro).reduce((a, b) => a + b, 0)).toBe(cost.micro);
    // Gas has no tariff: costed 0 and listed with its hours (counted by a second read).
    const gas = registry.meters.findIndex((m) => m.id === 'm-gas');
    const quantity = [0, 1].reduce(
      (s, seg) => s + Array.from({ length: 24 }, (_, h) => amountOf(gas, seg, h)).reduce((a, b) => a + b),
      0,
    );
    expect(cost.uncosted).toHaveLength(1);
    expect(cost.uncosted[0]).toMatchObject({ meterId: 'm-gas', energy: 'gas', hours: 24 * (90 + 91 + 184) });
    expect(cost.uncosted[0]?.quantity).toBeCloseTo(quantity, 6);
  });

  it('sums the meters’ costs by institution and energy', async () => {
    const byInstitution = await costByInstitution(store, registry, {
      scope: { level: 'city' },
      fromMs: FROM,
      toMs: TO,
      timeZone: TZ,
    });
    const of = (...ids: string[]) => ids.reduce((s, id) => s + (expectedMicro(id) ?? 0), 0);
    expect(Object.fromEntries([...byInstitution].map(([id, m]) => [id, Object.fromEntries(m)]))).toEqual({
      'i-001': { electricity: of('m-light', 'm-hvac'), water: of('m-water') },
      'i-002': { electricity: of('m-school') },
      'i-003': { electricity: of('m-hosp') },
    });
  });

  it('adds a meter’s rows of one segment without changing the store’s rows', () => {
    const a: HourOfDayRow = { meterId: 'm', segment: 2, amounts: Object.freeze([1, 2, ...Array(22).fill(0)]) };
    const b: HourOfDayRow = {
      meterId: 'm',
      segment: 2,
      amounts: Object.freeze([0.5, 0, ...Array(22).fill(1)]),
      hours: Object.freeze(Array(24).fill(3)),
    };
    const c: HourOfDayRow = { meterId: 'm', segment: 2, amounts: Object.freeze(Array(24).fill(0.25)) };
    // Rows of no segment (a store's bug, or a hostile one) are left out, not kept as huge sparse indexes.
    const stray = [-1, 1.5, 3, 1e9, Number.NaN].map((segment) => ({ ...c, segment }));
    const cells = new SegmentAmounts(3).add([a, ...stray]).add([b, c]);
    const cell = cells.cell('m', 2);
    expect(cell?.amounts).toEqual([1.75, 2.25, ...Array(22).fill(1.25)]);
    expect(cell?.hours).toEqual(Array(24).fill(3));
    expect(cell?.total).toBeCloseTo(3 + 22.5 + 6, 12);
    expect(a.amounts).toEqual([1, 2, ...Array(22).fill(0)]);
    expect(cells.cell('m', 1)).toBeUndefined();
    expect(cells.segments('other').size).toBe(0);
    expect([...cells.segments('m').keys()]).toEqual([2]);
    expect(cells.cells('m')).toHaveLength(3);
    // A single row's cell is that row's figures, its hours zero when not counted.
    const single = new SegmentAmounts(3).add([a]).cell('m', 2);
    expect(single?.amounts).toEqual(a.amounts);
    expect(single?.hours).toEqual(Array(24).fill(0));
  });
});
