import type { Energy } from '../domain/energy.js';
import type { Scope } from '../domain/scope.js';
import { scopeFilter } from '../domain/series.js';
import type { HourOfDayRow, SeriesStore } from '../storage/store.js';

/** A meter's consumption in one segment, by local clock hour 0–23 (native unit), and its hours with some (when counted). */
export interface SegmentCell {
  readonly amounts: readonly number[];
  /** Zeros when the hours were not counted. */
  readonly hours: readonly number[];
  readonly total: number;
}

/** No hours counted. */
const NO_HOURS: readonly number[] = Object.freeze(new Array<number>(24).fill(0));

/** A cell being summed: it holds a store row's arrays until a second row of its meter and segment comes. */
interface OpenCell {
  amounts: readonly number[];
  hours: readonly number[];
  total: number;
  /** Whether `amounts` and `hours` are this cell's own copies (added to in place). */
  owned: boolean;
}

/** Consumption by meter and segment index (`SegmentAmounts.cell`). */
export class SegmentAmounts {
  /** By meter, its cells by segment index (a city's year has one segment or a few). */
  private readonly byMeter = new Map<string, (OpenCell | undefined)[]>();

  /** `segmentCount`: rows of a segment outside [0, segmentCount) are left out (nothing prices them). */
  constructor(private readonly segmentCount: number) {}

  /**
   * Adds store rows (`SeriesStore.hourOfDayAmounts`). A city's year is one row per meter and
   * segment (~100,000 rows of 24 amounts, issue 19): a cell keeps its row's arrays and copies them
   * only when a second row adds to it.
   */
  add(rows: readonly HourOfDayRow[]): this {
    for (const r of rows) {
      if (!Number.isInteger(r.segment) || r.segment < 0 || r.segment >= this.segmentCount) continue;
      let segments = this.byMeter.get(r.meterId);
      if (segments === undefined) {
        segments = [];
        this.byMeter.set(r.meterId, segments);
      }
      let total = 0;
      for (let h = 0; h < r.amounts.length; h++) total += r.amounts[h] ?? 0;
      const cell = segments[r.segment];
      if (cell === undefined) {
        segments[r.segment] = { amounts: r.amounts, hours: r.hours ?? NO_HOURS, total, owned: false };
        continue;
      }
      const amounts = cell.owned ? (cell.amounts as number[]) : [...cell.amounts];
      const hours = cell.owned ? (cell.hours as number[]) : [...cell.hours];
      for (let h = 0; h < r.amounts.length; h++) {
        amounts[h] = (amounts[h] ?? 0) + (r.amounts[h] ?? 0);
        hours[h] = (hours[h] ?? 0) + (r.hours?.[h] ?? 0);
      }
      cell.amounts = amounts;
      cell.hours = hours;
      cell.owned = true;
      cell.total += total;
    }
    return this;
  }

  has(meterId: string): boolean {
    return this.byMeter.has(meterId);
  }

  /** A meter's cell of a segment, undefined when it has no hourly rows there. */
  cell(meterId: string, segment: number): SegmentCell | undefined {
    return this.byMeter.get(meterId)?.[segment];
  }

  /** A meter's cells by segment index (undefined where it has no rows; empty for a meter without any). */
  cells(meterId: string): readonly (SegmentCell | undefined)[] {
    return this.byMeter.get(meterId) ?? [];
  }

  /** A meter's segments with rows, by ascending segment. */
  segments(meterId: string): ReadonlyMap<number, SegmentCell> {
    const out = new Map<number, SegmentCell>();
    this.cells(meterId).forEach((cell, s) => {
      if (cell !== undefined) out.set(s, cell);
    });
    return out;
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
  const out = new SegmentAmounts(boundariesMs.length - 1);
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
