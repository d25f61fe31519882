/**
 * After-hours and rest-day base load (DOMAIN.md: "after-hours and weekend base load too high
 * (lights and air conditioning left on)"). For each local day, the base load (a low quantile) of
 * its after-hours hours (a workday's night, `nightStartH` to `nightEndH`, or a whole rest day) is
 * divided by the scope's own working-hours load (the larger of that day's and the median of the
 * last `refWorkdays` workdays'), and the ratio is compared with the same kind of day in the
 * scope's recent history: its robust trend (Theil–Sen, or the median when short) and a MAD band.
 * The ratio does not move when the whole building uses more (a cold week, a month over target)
 * but does when load is left on after hours; the trend follows a slow seasonal drift (a hospital
 * heating through the night). Runs of at least `minDays` consecutive anomalous days are one event;
 * waste is the excess over the expected load. Anomalous days are left out of later histories.
 *
 * Too little history (fewer than `minHistoryDays` comparable days): a workday is judged against
 * its own working-hours load only (after-hours base above `fallbackRatio` of it) and a candidate is
 * low severity with the note "insufficient history"; a rest day is not judged.
 */
import { nativeUnitOf } from '../energy.js';
import { HOUR_MS } from '../time.js';
import { hoursBetween, type LocalDay, localDays } from './local-days.js';
import { fig, severityOf } from './severity.js';
import { MAD_TO_SIGMA, mad, mean, median, quantile, theilSen } from './stats.js';
import {
  type AnomalyCandidate,
  type DetectorContext,
  type HourPoint,
  INSUFFICIENT_HISTORY,
  type SeriesSubject,
} from './types.js';

/** Options of `detectAfterHours`. */
export interface AfterHoursOptions {
  /**
   * Quantile of the after-hours hours taken as their base load (default 0.25): load left on raises
   * every hour, while a spike of a few hours or a venue's busy evening hardly moves it.
   */
  readonly baseQuantile: number;
  /** Local hour a workday's night starts (default 20). */
  readonly nightStartH: number;
  /** Local hour a workday's night ends (default 7). */
  readonly nightEndH: number;
  /** Days looked back for comparable days (default 28). */
  readonly historyDays: number;
  /** Comparable days needed to judge against history (default 4). */
  readonly minHistoryDays: number;
  /** Recent workdays whose median working-hours load is the reference, the day's own if larger (default 5). */
  readonly refWorkdays: number;
  /** Robust sigmas above the expected ratio a day must be (default 4). */
  readonly k: number;
  /** Minimum excess as a share of the expected load (default 0.25). */
  readonly minExcessShare: number;
  /** Comparable days from which the history's trend is followed (Theil–Sen), not just its median (default 6). */
  readonly minTrendDays: number;
  /** Floor of the robust sigma as a share of the median ratio (default 0.03). */
  readonly sigmaFloorShare: number;
  /** Share of a day's after-hours hours that must have usable data (default 0.75). */
  readonly minCoverage: number;
  /** Consecutive anomalous days that make an event (default 3): one odd night or one weekend is not acted on. */
  readonly minDays: number;
  /** Without history: after-hours load above this share of the working-hours load is flagged (default 0.8). */
  readonly fallbackRatio: number;
}

/** Defaults of `detectAfterHours`. */
export const AFTER_HOURS_DEFAULTS: AfterHoursOptions = Object.freeze({
  baseQuantile: 0.25,
  nightStartH: 20,
  nightEndH: 7,
  historyDays: 28,
  minHistoryDays: 4,
  refWorkdays: 5,
  k: 4,
  minExcessShare: 0.25,
  minTrendDays: 6,
  sigmaFloorShare: 0.03,
  minCoverage: 0.75,
  minDays: 3,
  fallbackRatio: 0.8,
});

interface Judged {
  readonly day: LocalDay;
  readonly observed: number;
  readonly expected: number;
  readonly bandLow: number;
  readonly bandHigh: number;
  readonly reference: number;
  readonly hours: number;
  readonly historyDays: number;
  readonly anomalous: boolean;
  readonly insufficient: boolean;
}

function afterHoursOf(day: LocalDay, o: AfterHoursOptions): { values: number[]; span: number } {
  const n = day.hours.length;
  if (!day.workday) return { values: hoursBetween(day, 0, n), span: n };
  const values = [...hoursBetween(day, 0, o.nightEndH), ...hoursBetween(day, o.nightStartH + n - 24, n)];
  return { values, span: o.nightEndH + 24 - o.nightStartH };
}

/** The expected ratio on a day: the history's Theil–Sen trend at that day, or its median when short. */
function expectedRatio(
  used: readonly (readonly [number, { ratio: number }])[],
  dayStartMs: number,
  o: AfterHoursOptions,
): { value: number; residualMad: number } {
  const ys = used.map(([, r]) => r.ratio);
  if (used.length < o.minTrendDays) return { value: median(ys), residualMad: mad(ys) };
  const xs = used.map(([t]) => (t - dayStartMs) / (24 * HOUR_MS));
  const line = theilSen(xs, ys);
  return {
    value: Math.max(0, line.intercept),
    residualMad: mad(ys.map((y, i) => y - line.slope * (xs[i] as number) - line.intercept)),
  };
}

function judge(days: readonly LocalDay[], o: AfterHoursOptions): Judged[] {
  const out: Judged[] = [];
  const ratios = new Map<number, { ratio: number; workday: boolean; flagged: boolean }>();
  const working: number[] = [];
  for (const day of days) {
    let own = Number.NaN;
    if (day.workday) {
      const w = hoursBetween(day, o.nightEndH, o.nightStartH);
      if (w.length >= o.minCoverage * (o.nightStartH - o.nightEndH)) {
        own = mean(w);
        working.push(own);
      }
    }
    const { values, span } = afterHoursOf(day, o);
    const recent = median(working.slice(-o.refWorkdays));
    // The larger of the day's own working load and the recent one: a building that uses more all
    // day (cold, busy month) is judged against itself, a closed day (a venue's Monday) against the usual.
    const reference = Number.isNaN(own) ? recent : Math.max(own, recent);
    if (values.length < o.minCoverage * span || !(reference > 0)) continue;
    const observed = quantile(values, o.baseQuantile);
    const ratio = observed / reference;
    const since = day.startMs - o.historyDays * 24 * HOUR_MS;
    const comparable = [...ratios.entries()].filter(([t, r]) => t >= since && r.workday === day.workday);
    const clean = comparable.filter(([, r]) => !r.flagged);
    const used = clean.length >= o.minHistoryDays ? clean : comparable;
    const history = used.map(([, r]) => r.ratio);
    let j: Judged;
    if (history.length >= o.minHistoryDays) {
      const centre = expectedRatio(used, day.startMs, o);
      const sigma = Math.max(o.sigmaFloorShare * centre.value, MAD_TO_SIGMA * centre.residualMad);
      const high = Math.max(centre.value + o.k * sigma, centre.value * (1 + o.minExcessShare));
      const low = Math.max(0, centre.value - o.k * sigma);
      const [expected, bandLow, bandHigh] = [centre.value * reference, low * reference, high * reference];
      j = {
        day,
        observed,
        expected,
        bandLow,
        bandHigh,
        reference,
        hours: values.length,
        historyDays: history.length,
        anomalous: ratio > high,
        insufficient: false,
      };
    } else {
      const expected = o.fallbackRatio * reference;
      j = {
        day,
        observed,
        expected,
        bandLow: 0,
        bandHigh: expected,
        reference,
        hours: values.length,
        historyDays: history.length,
        anomalous: day.workday && observed > expected,
        insufficient: true,
      };
    }
    ratios.set(day.startMs, { ratio, workday: day.workday, flagged: j.anomalous && !j.insufficient });
    out.push(j);
  }
  return out;
}

function toCandidate(run: Judged[], subject: SeriesSubject): AnomalyCandidate {
  const first = run[0] as Judged;
  const last = run.at(-1) as Judged;
  const hours = run.reduce((s, j) => s + j.hours, 0);
  const weighted = (f: (j: Judged) => number) => run.reduce((s, j) => s + f(j) * j.hours, 0) / hours;
  const observed = weighted((j) => j.observed);
  const expected = weighted((j) => j.expected);
  const insufficient = run.some((j) => j.insufficient);
  const excessShare = expected > 0 ? (observed - expected) / expected : Number.POSITIVE_INFINITY;
  return {
    type: 'after_hours',
    scope: subject.scope,
    energy: subject.energy,
    startMs: first.day.startMs,
    endMs: last.day.endMs,
    severity: insufficient ? 'low' : severityOf(excessShare, 0.5, 1),
    evidence: {
      observed: fig(observed),
      expected: fig(expected),
      bandLow: fig(weighted((j) => j.bandLow)),
      bandHigh: fig(weighted((j) => j.bandHigh)),
      unit: `${nativeUnitOf(subject.energy)}/h`,
      historyDays: Math.min(...run.map((j) => j.historyDays)),
      days: run.length,
      afterHoursHours: hours,
      workingHoursLoad: fig(weighted((j) => j.reference)),
      ...(insufficient ? { note: INSUFFICIENT_HISTORY } : {}),
    },
    wastedNative: fig(run.reduce((s, j) => s + Math.max(0, j.observed - j.expected) * j.hours, 0)),
  };
}

/**
 * After-hours and rest-day load above the scope's own history, relative to its working-hours load;
 * one candidate per run of at least `minDays` consecutive anomalous days.
 */
export function detectAfterHours(
  series: readonly HourPoint[],
  subject: SeriesSubject,
  ctx: DetectorContext,
  options: Partial<AfterHoursOptions> = {},
): AnomalyCandidate[] {
  const o = { ...AFTER_HOURS_DEFAULTS, ...options };
  const out: AnomalyCandidate[] = [];
  let run: Judged[] = [];
  const flush = () => {
    if (run.length >= o.minDays) out.push(toCandidate(run, subject));
    run = [];
  };
  for (const j of judge(localDays(series, ctx), o)) {
    const prev = run.at(-1);
    if (!j.anomalous || (prev !== undefined && prev.day.endMs !== j.day.startMs)) flush();
    if (j.anomalous) run.push(j);
  }
  flush();
  return out;
}
