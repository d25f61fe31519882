import { expect, it } from 'vitest';
import type { SeriesStore } from '../../core/storage/store.js';
import { cells, H, hour, query, REGISTRY, T0 } from './contract-fixtures.js';

export const at = (iso: string) => Date.parse(iso);
const iso = (local: string) => new Date(Date.parse(local)).toISOString();
export const Y1 = at('2026-11-15T10:00:00+08:00');
export const A = at('2026-12-31T22:00:00+08:00');
export const B = at('2026-12-31T23:00:00+08:00');
export const C = at('2027-01-01T00:00:00+08:00');
export const D = at('2027-01-01T01:00:00+08:00');

/** Hours across a local day, month and year boundary (22:00 → 02:00 on New Year's Eve, Shanghai). */
export const ROWS = [
  hour('light', Y1, 1_000_001),
  hour('light', A, 2_000_000),
  hour('light', B, 333_333),
  hour('light', C, 1_500_000),
  hour('light', D, 250_000),
  hour('hvac', A, 10_000_000),
  hour('hvac', C, 20_000_001),
  hour('school', B, 4_000_000),
  hour('school', D, 5_000_000),
  hour('water', A, 7_000_000),
  hour('water', C, 8_000_000),
];
export const ALL = ['light', 'hvac', 'school', 'water'].map((meterId) => ({
  meterId,
  fromMs: Y1,
  toMs: D + H,
}));

/** Hourly consumption: replace semantics and aggregates by calendar bucket, filter and group. */
export function hourlyContract(store: () => SeriesStore): void {
  const hourly = async (meterId: string) =>
    (await cells(store(), query({ filter: { meterId }, interval: 'hour' }))).map(([b, , , v]) => [b, v]);

  it("replaceHourly replaces exactly a meter's hours in [from, to): other hours and meters stay, vanished hours go", async () => {
    const h = (i: number) => T0 + i * H;
    await store().replaceHourly(
      [
        { meterId: 'light', fromMs: h(0), toMs: h(4) },
        { meterId: 'hvac', fromMs: h(0), toMs: h(4) },
      ],
      [0, 1, 2, 3].flatMap((i) => [hour('light', h(i), (i + 1) * 1_000_000), hour('hvac', h(i), (i + 1) * 10_000_000)]),
    );
    await store().replaceHourly([{ meterId: 'light', fromMs: h(1), toMs: h(3) }], [hour('light', h(1), 5_000_000)]);
    const isoH = (i: number) => new Date(h(i)).toISOString();
    expect(await hourly('light')).toEqual([
      [isoH(0), 1],
      [isoH(1), 5],
      [isoH(3), 4],
    ]);
    expect(await hourly('hvac')).toEqual([0, 1, 2, 3].map((i) => [isoH(i), (i + 1) * 10]));
    // Rows outside any range are added; an empty range list with rows only adds.
    await store().replaceHourly([], [hour('light', h(5), 7_000_000)]);
    expect((await hourly('light')).at(-1)).toEqual([isoH(5), 7]);
  });

  it('aggregates by local hour, day, month and year, and in total, with exact sums', async () => {
    await store().replaceHourly(ALL, ROWS);
    const elec = { energy: 'electricity' as const };
    expect(await cells(store(), query({ filter: elec, interval: 'hour', fromMs: A, toMs: D + H }))).toEqual([
      [iso('2026-12-31T22:00+08:00'), 'electricity', '', 12],
      [iso('2026-12-31T23:00+08:00'), 'electricity', '', 4.333333],
      [iso('2027-01-01T00:00+08:00'), 'electricity', '', 21.500001],
      [iso('2027-01-01T01:00+08:00'), 'electricity', '', 5.25],
    ]);
    expect(await cells(store(), query({ filter: elec, interval: 'day' }))).toEqual([
      [iso('2026-11-15T00:00+08:00'), 'electricity', '', 1.000001],
      [iso('2026-12-31T00:00+08:00'), 'electricity', '', 16.333333],
      [iso('2027-01-01T00:00+08:00'), 'electricity', '', 26.750001],
    ]);
    expect(await cells(store(), query({ filter: elec, interval: 'month' }))).toEqual([
      [iso('2026-11-01T00:00+08:00'), 'electricity', '', 1.000001],
      [iso('2026-12-01T00:00+08:00'), 'electricity', '', 16.333333],
      [iso('2027-01-01T00:00+08:00'), 'electricity', '', 26.750001],
    ]);
    expect(await cells(store(), query({ filter: elec, interval: 'year' }))).toEqual([
      [iso('2026-01-01T00:00+08:00'), 'electricity', '', 17.333334],
      [iso('2027-01-01T00:00+08:00'), 'electricity', '', 26.750001],
    ]);
    // A range that starts inside a bucket: the bucket keeps its calendar start, the sum its range.
    const from = at('2026-12-31T23:00:00+08:00');
    expect(await cells(store(), query({ filter: elec, interval: 'month', fromMs: from }))).toEqual([
      [iso('2026-12-01T00:00+08:00'), 'electricity', '', 4.333333],
      [iso('2027-01-01T00:00+08:00'), 'electricity', '', 26.750001],
    ]);
    expect(await cells(store(), query({ interval: 'total' }))).toEqual([
      [iso('2026-01-01T00:00+08:00'), 'electricity', '', 44.083335],
      [iso('2026-01-01T00:00+08:00'), 'water', '', 15],
    ]);
    expect(await cells(store(), query({ interval: 'day', fromMs: C, toMs: C }))).toEqual([]);
  });

  it('filters by district, institution, building, meter, energy and sub-item prefix, and groups', async () => {
    await store().replaceHourly(ALL, ROWS);
    const start = iso('2026-01-01T00:00+08:00');
    const total = async (
      filter: object,
      groupBy: 'none' | 'district' | 'institution' | 'building' | 'meter' = 'none',
    ) =>
      (await cells(store(), query({ filter, groupBy }))).map(([b, e, g, v]) => {
        expect(b).toBe(start);
        return [e, g, v];
      });
    expect(await total({ districtId: 'd1' })).toEqual([
      ['electricity', '', 35.083335],
      ['water', '', 15],
    ]);
    expect(await total({ institutionId: 'i2' })).toEqual([['electricity', '', 9]]);
    expect(await total({ buildingId: 'b1' })).toEqual([
      ['electricity', '', 5.083334],
      ['water', '', 15],
    ]);
    expect(await total({ meterId: 'hvac' })).toEqual([['electricity', '', 30.000001]]);
    expect(await total({ energy: 'water' })).toEqual([['water', '', 15]]);
    expect(await total({ subItemPrefix: '01A' })).toEqual([['electricity', '', 5.083334]]);
    expect(await total({ subItemPrefix: '01' })).toEqual([['electricity', '', 35.083335]]);
    expect(await total({ districtId: 'd1', subItemPrefix: '01B' })).toEqual([['electricity', '', 30.000001]]);
    expect(await total({ districtId: 'd2', energy: 'water' })).toEqual([]);
    expect(await total({}, 'district')).toEqual([
      ['electricity', 'd1', 35.083335],
      ['electricity', 'd2', 9],
      ['water', 'd1', 15],
    ]);
    expect(await total({ energy: 'electricity' }, 'institution')).toEqual([
      ['electricity', 'i1', 35.083335],
      ['electricity', 'i2', 9],
    ]);
    expect(await total({ energy: 'electricity' }, 'building')).toEqual([
      ['electricity', 'b1', 5.083334],
      ['electricity', 'b2', 30.000001],
      ['electricity', 'b3', 9],
    ]);
    expect(await total({ districtId: 'd1' }, 'meter')).toEqual([
      ['electricity', 'hvac', 30.000001],
      ['electricity', 'light', 5.083334],
      ['water', 'water', 15],
    ]);
  });

  it('counts meter-hours by quality and sums readings and estimated amounts', async () => {
    const h = (i: number) => T0 + i * H;
    await store().replaceHourly(
      [{ meterId: 'light', fromMs: h(0), toMs: h(4) }],
      [
        hour('light', h(0), 1_000_000, 'good', 0, 4),
        hour('light', h(1), 2_000_000, 'estimated', 2_000_000, 0),
        hour('light', h(2), 0, 'suspect', 0, 1),
        hour('light', h(3), 0, 'missing', 0, 1),
        hour('hvac', h(0), 500_000, 'good', 0, 3),
      ],
    );
    const [row] = await store().aggregate(query({ filter: { energy: 'electricity' } }));
    expect(row).toEqual({
      bucketStartMs: query().fromMs,
      energy: 'electricity',
      groupId: '',
      amount: 3.5,
      estimated: 2,
      readings: 9,
      goodHours: 2,
      estimatedHours: 1,
      suspectHours: 1,
    });
    const byHour = await store().aggregate(query({ filter: { meterId: 'light' }, interval: 'hour' }));
    expect(byHour.map((r) => [r.goodHours, r.estimatedHours, r.suspectHours, r.readings])).toEqual([
      [1, 0, 0, 4],
      [0, 1, 0, 0],
      [0, 0, 1, 1],
      [0, 0, 0, 1],
    ]);
  });

  it('follows registry changes: a meter moved to another building and sub-item counts there only', async () => {
    await store().replaceHourly([{ meterId: 'light', fromMs: Y1, toMs: Y1 + H }], [hour('light', Y1, 1_000_001)]);
    const moved = {
      ...REGISTRY,
      meters: REGISTRY.meters.map((m) => (m.id === 'light' ? { ...m, buildingId: 'b3', subItem: '01A20' } : m)),
    };
    await store().saveRegistry(moved);
    const total = async (filter: object, groupBy: 'none' | 'district' = 'none') =>
      (await cells(store(), query({ filter, groupBy }))).map(([, e, g, v]) => [e, g, v]);
    expect(await total({ buildingId: 'b3' })).toEqual([['electricity', '', 1.000001]]);
    expect(await total({ buildingId: 'b1' })).toEqual([]);
    expect(await total({ subItemPrefix: '01A20' })).toEqual([['electricity', '', 1.000001]]);
    expect(await total({ subItemPrefix: '01A10' })).toEqual([]);
    expect(await total({}, 'district')).toEqual([['electricity', 'd2', 1.000001]]);
    // Derived again after the change: replaced, not counted twice.
    await store().replaceHourly([{ meterId: 'light', fromMs: Y1, toMs: Y1 + 2 * H }], [hour('light', Y1, 2_000_000)]);
    expect(await total({})).toEqual([['electricity', '', 2]]);
  });
}
