import { expect, it } from 'vitest';
import type { Meter, Registry } from '../../core/domain/registry.js';
import { UNMETERED } from '../../core/domain/sub-items.js';
import type { AggregateQuery, SeriesStore } from '../../core/storage/store.js';
import { H, hour, query, REGISTRY, T0 } from './contract-fixtures.js';

const electric = (id: string, over: Partial<Meter>): Meter => ({
  id,
  buildingId: 'b3',
  gatewayId: 'g2',
  energy: 'electricity',
  unit: 'kWh',
  multiplier: 1,
  intervalS: 900,
  ...over,
});

/**
 * Building b3 metered as a tree: `school` (the main meter, no code) above a lighting sub-meter and
 * an HVAC sub-meter, which has a chiller sub-meter of its own.
 */
export const TREE_REGISTRY: Registry = {
  ...REGISTRY,
  meters: [
    ...REGISTRY.meters,
    electric('sub-light', { parentId: 'school', subItem: '01A10' }),
    electric('sub-hvac', { parentId: 'school', subItem: '01B00' }),
    electric('chiller', { parentId: 'sub-hvac', subItem: '01B10' }),
  ],
};

/** Per meter and hour, in micro-units: the main meter measures everything below it, and 20 kWh more. */
const AMOUNTS: [string, number][] = [
  ['school', 100_000_000],
  ['sub-light', 30_000_000],
  ['sub-hvac', 50_000_000],
  ['chiller', 20_000_000],
];
const HOURS = [0, 1, 2];

/** The meter tree's sums: totals count main meters only, sub-items remainders, and they add up. */
export function treeContract(store: () => SeriesStore): void {
  const sumOf = async (q: Partial<AggregateQuery>) => {
    const rows = await store().aggregate(query({ filter: { institutionId: 'i2', energy: 'electricity' }, ...q }));
    return rows.reduce((s, r) => s + r.amount, 0);
  };
  const seed = async () => {
    await store().saveRegistry(TREE_REGISTRY);
    const ids = AMOUNTS.map(([meterId]) => ({ meterId, fromMs: T0, toMs: T0 + 24 * H }));
    await store().replaceHourly(
      ids,
      AMOUNTS.flatMap(([meterId, micro]) => HOURS.map((i) => hour(meterId, T0 + i * H, micro))),
    );
  };

  it('counts only meters without a parent in totals, whatever the grouping and bucket', async () => {
    await seed();
    expect(await sumOf({})).toBe(300);
    for (const groupBy of ['district', 'institution', 'building'] as const) {
      const rows = await store().aggregate(query({ filter: { energy: 'electricity', buildingId: 'b3' }, groupBy }));
      expect(rows.map((r) => r.amount)).toEqual([300]);
    }
    // Hours (the hourly table) and whole days (the daily rollup) agree.
    const hours = await store().aggregate(
      query({ filter: { buildingId: 'b3' }, interval: 'hour', fromMs: T0, toMs: T0 + 24 * H }),
    );
    expect(hours.map((r) => r.amount)).toEqual([100, 100, 100]);
    expect(await sumOf({ fromMs: T0, toMs: T0 + 24 * H, interval: 'day' })).toBe(300);
    // Readings count every meter: the data received, not consumption.
    const [total] = await store().aggregate(query({ filter: { buildingId: 'b3' } }));
    expect(total?.readings).toBe(4 * 3 * 4);
  });

  it("gives each meter its own amount by meter, and each parent its sub-meters' sum by parent", async () => {
    await seed();
    const own = await store().aggregate(query({ filter: { buildingId: 'b3' }, groupBy: 'meter' }));
    expect(own.map((r) => [r.groupId, r.amount])).toEqual([
      ['chiller', 60],
      ['school', 300],
      ['sub-hvac', 150],
      ['sub-light', 90],
    ]);
    expect(await sumOf({ filter: { meterId: 'sub-hvac' } })).toBe(150);
    const parents = await store().aggregate(query({ filter: { buildingId: 'b3' }, groupBy: 'parent' }));
    expect(parents.map((r) => [r.groupId, r.amount])).toEqual([
      ['school', 240],
      ['sub-hvac', 60],
    ]);
  });

  it('sums remainders by sub-item, with unmetered, so that the sub-items add up to the total', async () => {
    await seed();
    const sub = (subItemPrefix: string, interval: AggregateQuery['interval'] = 'total') =>
      sumOf({ filter: { institutionId: 'i2', subItemPrefix }, interval, fromMs: T0, toMs: T0 + 24 * H });
    expect(await sub('01A')).toBe(90);
    expect(await sub('01B')).toBe(150); // HVAC measures the chiller too
    expect(await sub('01B10')).toBe(60);
    expect(await sub('01B00')).toBe(90); // the HVAC meter's remainder beyond the chiller
    expect(await sub(UNMETERED)).toBe(60); // the main meter beyond its sub-meters
    expect((await sub('01A')) + (await sub('01B')) + (await sub(UNMETERED))).toBe(300);
    expect(await sub(UNMETERED, 'hour')).toBe(60);
    // Readings of a sub-item count the meters of its code.
    const [cell] = await store().aggregate(query({ filter: { subItemPrefix: '01B' } }));
    expect(cell?.readings).toBe(2 * 3 * 4);
  });

  it('counts each hour where the meter was then: a dated move keeps the hours before it with the old building', async () => {
    const hours = [0, 1, 2, 3].map((i) => hour('light', T0 + i * H, (i + 1) * 1_000_000));
    await store().replaceHourly([{ meterId: 'light', fromMs: T0, toMs: T0 + 4 * H }], hours);
    // From 01:30 light is in b3 (institution i2) under school: the hours starting at 02:00 and 03:00.
    const until = new Date(T0 + 1.5 * H).toISOString();
    const moved: Registry = {
      ...REGISTRY,
      meters: [
        ...REGISTRY.meters.map((m) =>
          m.id === 'light'
            ? { ...m, buildingId: 'b3', parentId: 'school', attribution: [{ until, buildingId: 'b1' }] }
            : m,
        ),
      ],
    };
    await store().saveRegistry(moved);
    const by = async (groupBy: AggregateQuery['groupBy'], interval: AggregateQuery['interval'] = 'total') =>
      (
        await store().aggregate(
          query({ filter: { energy: 'electricity' }, groupBy, interval, fromMs: T0, toMs: T0 + 24 * H }),
        )
      ).map((r) => [r.groupId, r.amount]);
    // In b3 light is a sub-meter (school's total would count it): its hours there add readings, not amounts.
    expect(await by('building')).toEqual([
      ['b1', 3],
      ['b3', 0],
    ]);
    expect(await by('parent')).toEqual([['school', 7]]);
    expect(await by('meter')).toEqual([['light', 10]]);
    expect(await by('institution', 'day')).toEqual([
      ['i1', 3],
      ['i2', 0],
    ]);
    expect(await by('none', 'hour')).toEqual([
      ['', 1],
      ['', 2],
      ['', 0],
      ['', 0],
    ]);
    // Derived again after the move: each hour stays where it was.
    await store().replaceHourly([{ meterId: 'light', fromMs: T0, toMs: T0 + 4 * H }], hours);
    expect((await by('building'))[0]).toEqual(['b1', 3]);
    expect(await by('parent')).toEqual([['school', 7]]);
  });
}
