/**
 * A step up in base load: equipment added or left on for good. The base load of a day is its
 * minimum hour. At `ctx.nowMs` the detector looks for the change point c that best separates the
 * days since c (at least `minPostDays`, up to now) from the `preDays` before it: the median of the
 * days since c must stand above the robust band of the days before, nearly every day since c must
 * be up, the last `minPostDays` all of them (a step persists, so a leak or an after-hours episode
 * that is over is not one), most of the rise must happen at c, and neither side may drift much (a
 * slow seasonal ramp, heating growing, is not a step; nor is a base of zero that starts to move).
 *
 * Too little history: with fewer than `preDays` but at least `minPreDays` days before c, a step is
 * reported at low severity with the note "insufficient history"; with fewer, nothing.
 */
import { nativeUnitOf } from '../energy.js';
import { localDays, usable } from './local-days.js';
import { fig, severityOf } from './severity.js';
import { median, robustBand, theilSen } from './stats.js';
import {
  type AnomalyCandidate,
  type DetectorContext,
  type HourPoint,
  INSUFFICIENT_HISTORY,
  type SeriesSubject,
} from './types.js';

/** Options of `detectStep`. */
export interface StepOptions {
  /** Days before the change point that make its reference (default 14). */
  readonly preDays: number;
  /** Fewest days before the change point for a low-severity candidate (default 7). */
  readonly minPreDays: number;
  /** Fewest days after the change point, up to now (default 3). */
  readonly minPostDays: number;
  /** Usable hours a day needs for its minimum to count (default 20). */
  readonly minHoursPerDay: number;
  /** Robust sigmas the median after c must be above the median before (default 4). */
  readonly k: number;
  /** Minimum rise as a share of the base load before (default 0.1). */
  readonly minRiseShare: number;
  /** Minimum rise in steps of the series' resolution (default 3): one register step is not a step. */
  readonly minRiseSteps: number;
  /** Floor of the robust sigma as a share of the base load before (default 0.03). */
  readonly sigmaFloorShare: number;
  /** Share of the days since c whose base is above the midpoint of the step (default 0.8). */
  readonly persistShare: number;
  /** Share of the rise that happens across c: first days after vs last days before (default 0.6). */
  readonly abruptShare: number;
  /** Days on each side of c the abruptness compares (default 3). */
  readonly abruptDays: number;
  /**
   * Largest upward drift (robust trend over the period) before or after c, as a share of the rise
   * (default 0.5): a ramp, such as heating growing through a cold month, is not a step.
   */
  readonly maxDriftShare: number;
}

/** Defaults of `detectStep`. */
export const STEP_DEFAULTS: StepOptions = Object.freeze({
  preDays: 14,
  minPreDays: 7,
  minPostDays: 3,
  minHoursPerDay: 20,
  k: 4,
  minRiseShare: 0.1,
  minRiseSteps: 3,
  sigmaFloorShare: 0.03,
  persistShare: 0.8,
  abruptShare: 0.6,
  abruptDays: 3,
  maxDriftShare: 0.5,
});

interface Base {
  readonly startMs: number;
  readonly base: number;
}

interface Change {
  readonly at: number;
  readonly z: number;
  readonly misfits: number;
  readonly pre: number;
  readonly post: number;
  readonly bandLow: number;
  readonly bandHigh: number;
  readonly preDays: number;
  readonly postDays: number;
}

/** How far a robust trend rises over a run of days (Theil–Sen slope × days − 1), in the values' unit. */
function drift(values: readonly number[]): number {
  return (
    theilSen(
      values.map((_, i) => i),
      values,
    ).slope *
    (values.length - 1)
  );
}

/**
 * The resolution of a series: the smallest positive difference between two of its values. A
 * register shown with 2 decimals behind a CT of 20 moves in steps of 0.2 kWh; a rise of one step
 * is not a step of the base load.
 */
function resolution(values: readonly number[]): number {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  let q = Number.POSITIVE_INFINITY;
  for (let i = 1; i < sorted.length; i++) q = Math.min(q, (sorted[i] as number) - (sorted[i - 1] as number));
  return Number.isFinite(q) ? q : 0;
}

function bestChange(bases: readonly Base[], quantum: number, o: StepOptions): Change | undefined {
  let best: Change | undefined;
  const dayMs = 86_400_000;
  for (let c = 1; c <= bases.length - o.minPostDays; c++) {
    const at = (bases[c] as Base).startMs;
    const pre = bases
      .slice(0, c)
      .filter((b) => b.startMs >= at - o.preDays * dayMs)
      .map((b) => b.base);
    if (pre.length < o.minPreDays) continue;
    const post = bases.slice(c).map((b) => b.base);
    const band = robustBand(pre, 0);
    // A base of zero that starts to move is a load coming on (heating season), not a step of it.
    if (!(band.centre > 0)) continue;
    const sigma = Math.max(band.sigma, o.sigmaFloorShare * band.centre);
    const postMed = median(post);
    const rise = postMed - band.centre;
    if (!(rise > o.k * sigma) || rise < o.minRiseShare * band.centre || rise < o.minRiseSteps * quantum) continue;
    const mid = band.centre + rise / 2;
    if (post.filter((v) => v > mid).length < o.persistShare * post.length) continue;
    if (post.slice(-o.minPostDays).some((v) => v <= mid)) continue;
    const jump = median(post.slice(0, o.abruptDays)) - median(pre.slice(-o.abruptDays));
    if (jump < o.abruptShare * rise) continue;
    if (drift(pre) > o.maxDriftShare * rise || drift(post) > o.maxDriftShare * rise) continue;
    const z = rise / sigma;
    // The change point that leaves fewest days on the wrong side of the step's midpoint, then the sharpest.
    const misfits = pre.filter((v) => v > mid).length + post.filter((v) => v <= mid).length;
    if (best === undefined || misfits < best.misfits || (misfits === best.misfits && z > best.z))
      best = {
        at,
        z,
        misfits,
        pre: band.centre,
        post: postMed,
        bandLow: Math.max(0, band.centre - o.k * sigma),
        bandHigh: band.centre + o.k * sigma,
        preDays: pre.length,
        postDays: post.length,
      };
  }
  return best;
}

/** A step up in base load that persists until now; at most one candidate (the best change point). */
export function detectStep(
  series: readonly HourPoint[],
  subject: SeriesSubject,
  ctx: DetectorContext,
  options: Partial<StepOptions> = {},
): AnomalyCandidate[] {
  const o = { ...STEP_DEFAULTS, ...options };
  const bases: Base[] = localDays(series, ctx)
    .filter((d) => d.endMs <= ctx.nowMs && d.usableHours >= o.minHoursPerDay)
    .map((d) => ({ startMs: d.startMs, base: Math.min(...(d.hours.filter((v) => v !== undefined) as number[])) }));
  const hourly = series.filter((p) => p.hourStartMs < ctx.nowMs && usable(p)).map((p) => p.amount);
  const change = bestChange(bases, resolution(hourly), o);
  if (change === undefined) return [];
  const insufficient = change.preDays < o.preDays;
  const rise = change.post - change.pre;
  const share = change.pre > 0 ? rise / change.pre : Number.POSITIVE_INFINITY;
  return [
    {
      type: 'step',
      scope: subject.scope,
      energy: subject.energy,
      startMs: change.at,
      endMs: ctx.nowMs,
      severity: insufficient ? 'low' : severityOf(share, 0.25, 0.5),
      evidence: {
        observed: fig(change.post),
        expected: fig(change.pre),
        bandLow: fig(change.bandLow),
        bandHigh: fig(change.bandHigh),
        unit: `${nativeUnitOf(subject.energy)}/h`,
        historyDays: change.preDays,
        daysSinceStep: change.postDays,
        riseShare: fig(share),
        ...(insufficient ? { note: INSUFFICIENT_HISTORY } : {}),
      },
      wastedNative: fig((Math.max(0, rise) * (ctx.nowMs - change.at)) / 3_600_000),
    },
  ];
}
