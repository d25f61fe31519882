import type { Comparison } from '../../core/domain/comparison.js';
import { formatLocalIso } from '../../core/domain/time.js';
import { change } from '../../core/reports/model.js';

/** A period of an answer (the current one, or the one compared with) and its calendar buckets. */
export interface ComparedSpan {
  readonly fromMs: number;
  readonly toMs: number;
  readonly bucketStartsMs: readonly number[];
}

/**
 * A period's figures in an answer's unit: each as shown (rounded once) and exact (unrounded, or in
 * integer micro-units: any scale, the same for both periods compared), by point and in total.
 */
export interface PeriodFigures {
  readonly fromMs: number;
  readonly toMs: number;
  readonly points: readonly { readonly startMs: number; readonly value: number; readonly exact: number }[];
  readonly total: number;
  readonly totalExact: number;
}

/**
 * The `comparison` of `current` with `other` (issue 17, item 3): other's points by index beside the
 * current ones, each with the change of the current point against it, and the change of the totals;
 * changes from the exact figures, rounded once (`change`: 4 decimals, null against 0).
 */
export function comparisonOf(current: PeriodFigures, other: PeriodFigures, timeZone: string): Comparison {
  return {
    from: formatLocalIso(other.fromMs, timeZone),
    to: formatLocalIso(other.toMs, timeZone),
    series: other.points.map((p, i) => {
      const mine = current.points[i];
      return {
        start: formatLocalIso(p.startMs, timeZone),
        value: p.value,
        change: mine === undefined ? null : change(mine.exact, p.exact),
      };
    }),
    total: other.total,
    change: change(current.totalExact, other.totalExact),
  };
}
