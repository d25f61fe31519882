/**
 * Flat line (DOMAIN.md: "a meter that … reports a flat line"): a register that stops moving shows
 * zero consumption hour after hour. A run of at least `minHours` zero hours is a candidate when
 * the meter's history says there is normally use at those hours (at least `minUseShare` of the
 * same local hours of comparable days had consumption); a heat meter out of season is quiet.
 * When the register catches up, the backlog lands in the hour after the run (see spike.ts).
 *
 * Too little history (fewer than `minHistoryDays` comparable days): a zero run of at least
 * `minHoursWithoutHistory` after some consumption (the meter moved, then stopped) is still
 * reported, at low severity, with the note "insufficient history"; a meter never seen moving is not.
 */
import { nativeUnitOf } from '../energy.js';
import { HOUR_MS } from '../time.js';
import { type LocalDay, localDayOf, localDays, usable } from './local-days.js';
import { fig, severityOf } from './severity.js';
import { median } from './stats.js';
import {
  type AnomalyCandidate,
  type DetectorContext,
  type HourPoint,
  INSUFFICIENT_HISTORY,
  type SeriesSubject,
} from './types.js';

/** Options of `detectFlat`. */
export interface FlatOptions {
  /** Zero hours with normal use that make a flat line (default 4). */
  readonly minHours: number;
  /** Days looked back for comparable days (default 28). */
  readonly historyDays: number;
  /** Comparable days needed to say what is normal (default 3). */
  readonly minHistoryDays: number;
  /** Share of comparable days with consumption at an hour for it to count as "normally used" (default 0.8). */
  readonly minUseShare: number;
  /** Zero hours reported without enough history, at low severity (default 24). */
  readonly minHoursWithoutHistory: number;
  /** An amount at or below this is zero, native unit (default 0). */
  readonly zeroNative: number;
}

/** Defaults of `detectFlat`. */
export const FLAT_DEFAULTS: FlatOptions = Object.freeze({
  minHours: 4,
  historyDays: 28,
  minHistoryDays: 3,
  minUseShare: 0.8,
  minHoursWithoutHistory: 24,
  zeroNative: 0,
});

function zeroRuns(series: readonly HourPoint[], ctx: DetectorContext, zero: number): HourPoint[][] {
  const runs: HourPoint[][] = [];
  let run: HourPoint[] = [];
  for (const p of series) {
    if (p.hourStartMs >= ctx.nowMs) break;
    const isZero = usable(p) && Math.abs(p.amount) <= zero;
    const prev = run.at(-1);
    if (isZero && (prev === undefined || p.hourStartMs === prev.hourStartMs + HOUR_MS)) run.push(p);
    else {
      if (run.length > 0) runs.push(run);
      if (isZero || run.length > 0) run = isZero ? [p] : [];
    }
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

/** Zero runs where the meter normally has use; one candidate per run. */
export function detectFlat(
  series: readonly HourPoint[],
  subject: SeriesSubject,
  ctx: DetectorContext,
  options: Partial<FlatOptions> = {},
): AnomalyCandidate[] {
  const o = { ...FLAT_DEFAULTS, ...options };
  // The days are cut only when a run is long enough to judge: most meters have none.
  let days: LocalDay[] | undefined;
  const out: AnomalyCandidate[] = [];
  for (const run of zeroRuns(series, ctx, o.zeroNative)) {
    const startMs = (run[0] as HourPoint).hourStartMs;
    const endMs = (run.at(-1) as HourPoint).hourStartMs + HOUR_MS;
    if (run.length < Math.min(o.minHours, o.minHoursWithoutHistory)) continue;
    days ??= localDays(series, ctx);
    const since = startMs - o.historyDays * 24 * HOUR_MS;
    let usedHours = 0;
    let expected = 0;
    let historyDays = Number.POSITIVE_INFINITY;
    for (const p of run) {
      const day = localDayOf(p.hourStartMs, ctx.timeZone);
      const h = Math.floor((p.hourStartMs - day.startMs) / HOUR_MS);
      const workday = ctx.isWorkday(day.startMs);
      const history = days
        .filter((d: LocalDay) => d.startMs >= since && d.endMs <= startMs && d.workday === workday)
        .flatMap((d) => (d.hours[h] === undefined ? [] : [d.hours[h] as number]));
      historyDays = Math.min(historyDays, history.length);
      if (history.length === 0) continue;
      const used = history.filter((v) => v > o.zeroNative).length / history.length;
      if (used >= o.minUseShare) usedHours++;
      expected += median(history);
    }
    const insufficient = historyDays < o.minHistoryDays;
    const movedBefore = series.some((p) => p.hourStartMs < startMs && usable(p) && p.amount > o.zeroNative);
    if (insufficient ? run.length < o.minHoursWithoutHistory || !movedBefore : usedHours < o.minHours) continue;
    out.push({
      type: 'flat',
      scope: subject.scope,
      energy: subject.energy,
      startMs,
      endMs,
      severity: insufficient ? 'low' : severityOf(run.length, 12, 24),
      evidence: {
        observed: 0,
        expected: fig(expected),
        bandLow: 0,
        bandHigh: 0,
        unit: nativeUnitOf(subject.energy),
        historyDays: Number.isFinite(historyDays) ? historyDays : 0,
        hours: run.length,
        usedHours,
        ...(insufficient ? { note: INSUFFICIENT_HISTORY } : {}),
      },
      wastedNative: 0,
    });
  }
  return out;
}
