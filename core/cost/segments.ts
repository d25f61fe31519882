import type { Energy } from '../domain/energy.js';
import type { Scope } from '../domain/scope.js';
import { scopeFilter } from '../domain/series.js';
import type { HourOfDayRow, SeriesStore } from '../storage/store.js';

/** A meter's consumption in one segment, by local clock hour 0–23 (native unit), and its hours with some (when counted). */
export interface SegmentCell {
  readonly amounts: number[];
  readonly hours: number[];
  total: number;
}

/** Consumption by meter and segment index (`SegmentAmounts.cell`). */
export class SegmentAmounts {
  private readonly byMeter = new Map<string, Map<number, SegmentCell>>();

  /** Adds store rows (`SeriesStore.hourOfDayAmounts`). */
  add(rows: readonly HourOfDayRow[]): this {
    for (const r of rows) {
      let segments = this.byMeter.get(r.meterId);
      if (segments === undefined) {
        segments = new Map();
        this.byMeter.set(r.meterId, segments);
      }
      const cell = segments.get(r.segment);
      const total = r.amounts.reduce((s, a) => s + a, 0);
      if (cell === undefined) {
        segments.set(r.segment, {
          amounts: [...r.amounts],
          hours: r.hours === undefined ? new Array<number>(24).fill(0) : [...r.hours],
          total,
        });
        continue;
      }
      r.amounts.forEach((a, h) => {
        cell.amounts[h] = (cell.amounts[h] ?? 0) + a;
        cell.hours[h] = (cell.hours[h] ?? 0) + (r.hours?.[h] ?? 0);
      });
      cell.total += total;
    }
    return this;
  }

  has(meterId: string): boolean {
    return this.byMeter.has(meterId);
  }

  /** A meter's cell of a segment, undefined when it has no hourly rows there. */
  cell(meterId: string, segment: number): SegmentCell | undefined {
    return this.byMeter.get(meterId)?.get(segment);
  }

  /** A meter's segments with rows. */
  segments(meterId: string): ReadonlyMap<number, SegmentCell> {
    return this.byMeter.get(meterId) ?? new Map();
  }
}

/**
 * The boundaries of a cost computation: every instant at which what prices an hour may change
 * (a bucket, a bill's first or last day, a tariff's first day, the period asked), ascending and
 * inside [fromMs, toMs].
 */
export function costBoundaries(fromMs: number, toMs: number, cuts: readonly number[]): number[] {
  const inside = cuts.filter((t) => t > fromMs && t < toMs);
  return [...new Set([fromMs, ...inside, toMs])].sort((a, b) => a - b);
}

/**
 * The consumption of a scope's meters (and energy) by segment and local hour of day, completed with
 * `extraMeterIds` (an account's meters outside the scope, whose bills the scope's meters share).
 */
export async function segmentAmounts(
  store: SeriesStore,
  scope: Scope,
  energy: Energy | undefined,
  boundariesMs: readonly number[],
  timeZone: string,
  extraMeterIds: readonly string[],
  options: { readonly counts?: boolean } = {},
): Promise<SegmentAmounts> {
  const out = new SegmentAmounts();
  if (boundariesMs.length < 2) return out;
  const energyFilter = energy === undefined ? {} : { energy };
  const q = { boundariesMs, timeZone, ...options };
  out.add(await store.hourOfDayAmounts({ ...q, filter: { ...scopeFilter(scope), ...energyFilter } }));
  for (const meterId of new Set(extraMeterIds)) {
    if (out.has(meterId)) continue;
    out.add(await store.hourOfDayAmounts({ ...q, filter: { meterId } }));
  }
  return out;
}
