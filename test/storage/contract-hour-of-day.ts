import { expect, it } from 'vitest';
import { hourOfDayFromHourly } from '../../core/storage/hour-of-day.js';
import type { HourOfDayQuery, HourOfDayRow, SeriesStore } from '../../core/storage/store.js';
import { H } from './contract-fixtures.js';
import { A, ALL, at, B, C, D, ROWS, Y1 } from './contract-hourly.js';

const ZONE = 'Asia/Shanghai';
const day = (d: string) => at(`${d}T00:00:00+08:00`);

/** One tuple per meter, segment and hour with consumption (a rollup cannot tell an hour of 0 from none). */
const sorted = (rows: readonly HourOfDayRow[]) =>
  rows
    .flatMap((r) =>
      r.amounts.map((amount, h) => [r.meterId, r.segment, h, Number(amount.toFixed(6)), r.hours?.[h]] as const),
    )
    .filter(([, , , amount, hours]) => amount !== 0 || (hours ?? 0) !== 0)
    .sort((a, b) => a[0].localeCompare(b[0]) || a[1] - b[1] || a[2] - b[2]);

/** `SeriesStore.hourOfDayAmounts`: consumption by meter, segment and local hour of day (time-of-use cost). */
export function hourOfDayContract(store: () => SeriesStore): void {
  it('sums each meter by segment and local clock hour, over a year boundary, with the scope and energy filters', async () => {
    await store().replaceHourly(ALL, ROWS);
    const q = (filter: HourOfDayQuery['filter'], boundariesMs = [Y1, C, D + H]) =>
      store().hourOfDayAmounts({ filter, boundariesMs, timeZone: ZONE, counts: true });
    expect(sorted(await q({ districtId: 'd1' }))).toEqual([
      ['hvac', 0, 22, 10, 1],
      ['hvac', 1, 0, 20.000001, 1],
      ['light', 0, 10, 1.000001, 1],
      ['light', 0, 22, 2, 1],
      ['light', 0, 23, 0.333333, 1],
      ['light', 1, 0, 1.5, 1],
      ['light', 1, 1, 0.25, 1],
      ['water', 0, 22, 7, 1],
      ['water', 1, 0, 8, 1],
    ]);
    expect(sorted(await q({ institutionId: 'i2' }))).toEqual([
      ['school', 0, 23, 4, 1],
      ['school', 1, 1, 5, 1],
    ]);
    expect(sorted(await q({ energy: 'water' }))).toEqual([
      ['water', 0, 22, 7, 1],
      ['water', 1, 0, 8, 1],
    ]);
    // Hours outside the first and last boundary are not read; one segment per hour is allowed.
    expect(sorted(await q({ meterId: 'light' }, [A, B, C]))).toEqual([
      ['light', 0, 22, 2, 1],
      ['light', 1, 23, 0.333333, 1],
    ]);
    expect(await q({}, [A])).toEqual([]);
  });

  it('equals the fold of hourly aggregates by meter (the reference) for every scope level', async () => {
    await store().replaceHourly(ALL, ROWS);
    for (const filter of [
      {},
      { districtId: 'd2' },
      { buildingId: 'b1' },
      { meterId: 'hvac' },
      { energy: 'electricity' as const },
    ]) {
      for (const boundariesMs of [
        [Y1, D + H],
        [Y1, A, B, C, D, D + H],
        [at('2026-12-01T00:00:00+08:00'), C, D + H],
        // Local midnights only: the embedded store reads its daily rollup.
        [day('2026-11-01'), day('2026-12-31'), day('2027-01-01'), day('2027-01-02')],
        // Local month starts: the embedded store reads its monthly rollup (its daily one to count hours).
        [day('2026-11-01'), day('2026-12-01'), day('2027-01-01'), day('2027-02-01')],
        [day('2026-01-01'), day('2028-01-01')],
      ]) {
        const q = { filter, boundariesMs, timeZone: ZONE };
        const reference = await hourOfDayFromHourly((a) => store().aggregate(a), q);
        const counted = await store().hourOfDayAmounts({ ...q, counts: true });
        expect(sorted(counted), JSON.stringify(q)).toEqual(sorted(reference));
        // Without counts, the same sums.
        const amounts = (rows: readonly HourOfDayRow[]) => sorted(rows).map((r) => r.slice(0, 4));
        expect(amounts(await store().hourOfDayAmounts(q)), JSON.stringify(q)).toEqual(amounts(reference));
      }
    }
  });
}
