import { localParts } from '../domain/time.js';
import type { AggregateQuery, AggregateRow, HourOfDayQuery, HourOfDayRow } from './store.js';

/** The index of the segment holding `t` (the last boundary ≤ t), or -1 outside every segment. */
export function segmentOf(boundariesMs: readonly number[], t: number): number {
  const last = boundariesMs.length - 1;
  if (last < 1 || t < (boundariesMs[0] ?? 0) || t >= (boundariesMs[last] ?? 0)) return -1;
  let lo = 0;
  let hi = last - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((boundariesMs[mid] ?? 0) <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * `SeriesStore.hourOfDayAmounts` computed from hourly aggregate rows grouped by meter: the reference
 * the contract suite checks every backend against, and the InfluxDB store's implementation (InfluxQL
 * cannot group by local hour of day). Reads every hour of the range.
 */
export async function hourOfDayFromHourly(
  aggregate: (q: AggregateQuery) => Promise<AggregateRow[]>,
  q: HourOfDayQuery,
): Promise<HourOfDayRow[]> {
  const b = q.boundariesMs;
  if (b.length < 2 || (b[b.length - 1] ?? 0) <= (b[0] ?? 0)) return [];
  const rows = await aggregate({
    filter: q.filter,
    fromMs: b[0] ?? 0,
    toMs: b[b.length - 1] ?? 0,
    interval: 'hour',
    timeZone: q.timeZone,
    groupBy: 'meter',
    sums: [],
  });
  const cells: HourOfDayCells = new Map();
  foldHourOfDay(cells, rows, b, q.timeZone);
  return [...cells.values()];
}

/** Hour-of-day cells being folded, by meter and segment (each one an `HourOfDayRow`). */
export type HourOfDayCells = Map<
  string,
  { readonly meterId: string; readonly segment: number; readonly amounts: number[]; readonly hours: number[] }
>;

/**
 * Adds hourly rows grouped by meter to `cells`: each row's amount to its meter's and segment's
 * local clock hour (hours counted where the amount is not zero). Rows outside the boundaries are
 * skipped. Folding in time order gives the same sums, to the last bit, whether the rows come in one
 * read or in slices (the InfluxDB store reads a year in slices).
 */
export function foldHourOfDay(
  cells: HourOfDayCells,
  rows: readonly AggregateRow[],
  boundariesMs: readonly number[],
  timeZone: string,
): void {
  const hourOf = new Map<number, number>();
  for (const r of rows) {
    const segment = segmentOf(boundariesMs, r.bucketStartMs);
    if (segment < 0) continue;
    let hourOfDay = hourOf.get(r.bucketStartMs);
    if (hourOfDay === undefined) {
      hourOfDay = localParts(r.bucketStartMs, timeZone).hour;
      hourOf.set(r.bucketStartMs, hourOfDay);
    }
    const key = `${r.groupId}\u0000${segment}`;
    let cell = cells.get(key);
    if (cell === undefined) {
      cell = {
        meterId: r.groupId,
        segment,
        amounts: new Array<number>(24).fill(0),
        hours: new Array<number>(24).fill(0),
      };
      cells.set(key, cell);
    }
    cell.amounts[hourOfDay] = (cell.amounts[hourOfDay] ?? 0) + r.amount;
    if (r.amount !== 0) cell.hours[hourOfDay] = (cell.hours[hourOfDay] ?? 0) + 1;
  }
}
