import { expect, it } from 'vitest';
import type { Registry } from '../../core/domain/registry.js';
import { HOUR_QUALITY, hoursIn, type MeterHours, meterHoursFromHourly } from '../../core/storage/meter-hours.js';
import type { MeterHoursQuery, SeriesStore } from '../../core/storage/store.js';
import { H, hour, REGISTRY, T0 } from './contract-fixtures.js';
import { A, ALL, B, C, D, ROWS, Y1 } from './contract-hourly.js';

/** `[meter, hour index, amount, readings, quality]` of every hour with a row or a non-zero value, sorted. */
const flat = (hours: MeterHours) =>
  [...hours]
    .flatMap(([meterId, c]) =>
      [...c.amount].map(
        (amount, h) => [meterId, h, Number(amount.toFixed(6)), c.readings[h], HOUR_QUALITY[c.quality[h] ?? 0]] as const,
      ),
    )
    .filter(([, , amount, readings, quality]) => amount !== 0 || readings !== 0 || quality !== 'missing')
    .sort((a, b) => a[0].localeCompare(b[0]) || a[1] - b[1]);

/** `SeriesStore.meterHours`: each meter's hours of a window in columns (the series detectors' read, issue 19). */
export function meterHoursContract(store: () => SeriesStore): void {
  it("gives each meter's hours of the window by index, with readings and quality, for a scope and an energy", async () => {
    await store().replaceHourly(ALL, [
      ...ROWS.filter((r) => !(r.meterId === 'light' && r.hourStartMs === B)),
      hour('light', B, 333_333, 'suspect', 0, 3),
      hour('hvac', B, 0, 'estimated', 0, 0),
    ]);
    const q = (filter: MeterHoursQuery['filter'], fromMs = A, toMs = D + H) =>
      store().meterHours({ filter, fromMs, toMs });
    const d1 = await q({ districtId: 'd1' });
    expect([...d1.keys()].sort()).toEqual(['hvac', 'light', 'water']);
    // Every meter's columns span the whole window (4 hours), zero-filled where there is no row.
    for (const c of d1.values()) expect([c.amount.length, c.readings.length, c.quality.length]).toEqual([4, 4, 4]);
    expect(flat(d1)).toEqual([
      ['hvac', 0, 10, 4, 'good'],
      ['hvac', 1, 0, 0, 'estimated'],
      ['hvac', 2, 20.000001, 4, 'good'],
      ['light', 0, 2, 4, 'good'],
      ['light', 1, 0.333333, 3, 'suspect'],
      ['light', 2, 1.5, 4, 'good'],
      ['light', 3, 0.25, 4, 'good'],
      ['water', 0, 7, 4, 'good'],
      ['water', 2, 8, 4, 'good'],
    ]);
    expect(flat(await q({ institutionId: 'i2' }))).toEqual([
      ['school', 1, 4, 4, 'good'],
      ['school', 3, 5, 4, 'good'],
    ]);
    expect([...(await q({ energy: 'water' })).keys()]).toEqual(['water']);
    expect(flat(await q({ meterId: 'light' }, C, D + H))).toEqual([
      ['light', 0, 1.5, 4, 'good'],
      ['light', 1, 0.25, 4, 'good'],
    ]);
    // A window of no hours, a reversed one, one before every row and an unknown scope hold no meter.
    expect((await q({}, A, A)).size).toBe(0);
    expect((await q({}, D, A)).size).toBe(0);
    expect((await q({}, T0 - 48 * H, T0 - 24 * H)).size).toBe(0);
    expect((await q({ districtId: "d1' OR 1=1 --" })).size).toBe(0);
    // Ends that are no instant (NaN, 1e308, a fraction of a ms) are refused alike by every backend.
    for (const [fromMs, toMs] of [
      [Number.NaN, A],
      [A, 1e308],
      [A + 0.5, D],
    ])
      await expect(q({}, fromMs, toMs)).rejects.toThrow(/integer ms/);
    // A 1970 window (a device with a broken clock) holds nothing.
    expect((await q({}, 0, 24 * H)).size).toBe(0);
  });

  it('counts each hour where the meter was then (a dated move), and equals the fold of hourly aggregates', async () => {
    const hours = [0, 1, 2, 3].map((i) => hour('light', T0 + i * H, (i + 1) * 1_000_000));
    await store().replaceHourly([...ALL, { meterId: 'light', fromMs: T0, toMs: T0 + 4 * H }], [...ROWS, ...hours]);
    const moved: Registry = {
      ...REGISTRY,
      meters: REGISTRY.meters.map((m) =>
        m.id === 'light'
          ? { ...m, buildingId: 'b3', attribution: [{ until: new Date(T0 + 1.5 * H).toISOString(), buildingId: 'b1' }] }
          : m,
      ),
    };
    await store().saveRegistry(moved);
    const window = { fromMs: T0, toMs: T0 + 4 * H };
    expect(flat(await store().meterHours({ filter: { institutionId: 'i1', meterId: 'light' }, ...window }))).toEqual([
      ['light', 0, 1, 4, 'good'],
      ['light', 1, 2, 4, 'good'],
    ]);
    expect(flat(await store().meterHours({ filter: { districtId: 'd2' }, ...window }))).toEqual([
      ['light', 2, 3, 4, 'good'],
      ['light', 3, 4, 4, 'good'],
    ]);
    for (const filter of [{}, { districtId: 'd1' }, { buildingId: 'b3' }, { energy: 'electricity' as const }])
      for (const [fromMs, toMs] of [
        [T0, T0 + 4 * H],
        [Y1, D + H],
        [Y1 - 24 * H, C],
      ] as const) {
        const q = { filter, fromMs, toMs };
        const reference = await meterHoursFromHourly((a) => store().aggregate(a), q);
        expect(flat(await store().meterHours(q)), JSON.stringify(q)).toEqual(flat(reference));
        // Read in three time slices (InfluxDB's way), the last one shorter: the same hours.
        const sliceRows = 4 * (Math.floor(hoursIn(q) / 3) + 1);
        const sliced = await meterHoursFromHourly((a) => store().aggregate(a), q, 4, sliceRows);
        expect(flat(sliced), JSON.stringify(q)).toEqual(flat(reference));
      }
  });
}
