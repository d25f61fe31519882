import type { ReductionTarget } from './targets.js';

/**
 * How a five-year reduction target stands (issue 16, item 6), judged on the latest complete year:
 * - `on_track`: its reduction is at least the linear path's for that year;
 * - `at_risk`: behind the path by at most one year's share of the reduction (reductionPct / years);
 * - `off_track`: further behind, or the target year is over and the reduction was not reached;
 * - `no_data`: no base value, or no complete year after the base year yet.
 */
export type ReductionStatus = 'on_track' | 'at_risk' | 'off_track' | 'no_data';

/** The reduction of `value` against `base`, in % (positive: below the base; negative: above). */
export function reductionPctOf(base: number, value: number): number {
  return ((base - value) / base) * 100;
}

/** The target year of a reduction target (its `period`). */
export function targetYearOf(t: Pick<ReductionTarget, 'period'>): number {
  return Number(t.period);
}

/**
 * The linear path from the base year (0 %) to the target year (`reductionPct`): the reduction in %
 * expected by the end of `year`, 0 before the base year and `reductionPct` from the target year on.
 */
export function pathPct(t: Pick<ReductionTarget, 'baseYear' | 'period' | 'reductionPct'>, year: number): number {
  const span = targetYearOf(t) - t.baseYear;
  return t.reductionPct * Math.min(1, Math.max(0, (year - t.baseYear) / span));
}

/** A margin for reductions computed from floating-point quotients (1e-9 %). */
const EPSILON_PCT = 1e-9;

/**
 * The status of a target from the reduction of its latest complete year after the base year
 * (undefined: none, or no base value). Exact figures in, not rounded ones.
 */
export function reductionStatus(
  t: Pick<ReductionTarget, 'baseYear' | 'period' | 'reductionPct'>,
  latest: { year: number; reductionPct: number } | undefined,
): ReductionStatus {
  if (latest === undefined) return 'no_data';
  const shortfall = pathPct(t, latest.year) - latest.reductionPct;
  if (shortfall <= EPSILON_PCT) return 'on_track';
  if (latest.year >= targetYearOf(t)) return 'off_track';
  const yearShare = t.reductionPct / (targetYearOf(t) - t.baseYear);
  return shortfall <= yearShare + EPSILON_PCT ? 'at_risk' : 'off_track';
}
