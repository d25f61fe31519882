/**
 * Spikes (DOMAIN.md: "a spike against the same hour of comparable days"): an hour far above the
 * same local hour of the latest `comparableDays` days of the same kind (workday or rest day). The
 * expected value is their median (or the latest such day's value, if higher: a pattern that changed
 * is high two days running, a spike is not), scaled to the day's level; the band is k robust sigmas
 * (MAD), and the excess must also reach a multiple of the meter's typical hour and of its recent peak
 * hour, so that neither a fixed threshold nor a lamp left on makes a spike. The day's level is the
 * ratio of the day to its comparable days over all but its highest hours, so that a cold day or a
 * month over target, which raise every hour, make no spikes. A spike is short: runs longer than
 * `maxHours`, or days with more high hours than that, are a level change (another detector's).
 *
 * The first hour after a run of zero hours is not judged: it holds the backlog of a stuck register
 * or a gap, as the arrival hour after a gap does (DOMAIN.md: "never show a spike in the arrival hour").
 *
 * Too little history (fewer than `minHistoryDays` comparable days for that hour): the hour is not
 * judged and nothing is returned for it; a spike needs a history to be against.
 */
import { nativeUnitOf } from '../energy.js';
import { HOUR_MS } from '../time.js';
import { type LocalDay, localDays } from './local-days.js';
import { fig, severityOf } from './severity.js';
import { MAD_TO_SIGMA, madAround, quantileOf } from './stats.js';
import type { AnomalyCandidate, DetectorContext, HourPoint, SeriesSubject } from './types.js';

/** Options of `detectSpikes`. */
export interface SpikeOptions {
  /** Days looked back for comparable days (default 28). */
  readonly historyDays: number;
  /** The most recent comparable days used (default 7): recent enough to follow the season. */
  readonly comparableDays: number;
  /** Comparable days needed for an hour to be judged (default 5). */
  readonly minHistoryDays: number;
  /** Robust sigmas above the median an hour must be (default 6). */
  readonly k: number;
  /** Floor of the robust sigma as a share of the median (default 0.05). */
  readonly sigmaFloorShare: number;
  /** Minimum excess over the median, as a multiple of the typical hourly load (median day / 24) (default 2). */
  readonly minExcessOfTypical: number;
  /** Minimum excess over the median, as a multiple of the meter's peak hour (its `peakQuantile` hour) over the comparable days (default 1.25). */
  readonly minExcessOfPeak: number;
  /** Quantile of all history hours taken as the meter's peak hour (default 0.95). */
  readonly peakQuantile: number;
  /** Minimum excess over the median, native unit (default 0). */
  readonly minExcessNative: number;
  /** Longest spike, hours (default 6): longer runs, or more high hours in a day, are a level change. */
  readonly maxHours: number;
  /** Hours of a day needed to measure its level against its comparable days (default 6). */
  readonly minScaleHours: number;
  /** Largest day level factor applied to the comparable days, either way (default 10). */
  readonly maxScale: number;
  /** Zero hours right before an hour that make it a backlog hour, not judged (default 2). */
  readonly backlogZeroHours: number;
}

/** Defaults of `detectSpikes`. */
export const SPIKE_DEFAULTS: SpikeOptions = Object.freeze({
  historyDays: 28,
  comparableDays: 7,
  minHistoryDays: 5,
  k: 6,
  sigmaFloorShare: 0.05,
  minExcessOfTypical: 2,
  minExcessOfPeak: 1.25,
  peakQuantile: 0.95,
  minExcessNative: 0,
  maxHours: 6,
  minScaleHours: 6,
  maxScale: 10,
  backlogZeroHours: 2,
});

interface SpikeHour {
  readonly startMs: number;
  readonly observed: number;
  readonly expected: number;
  readonly bandHigh: number;
  readonly typical: number;
  readonly historyDays: number;
}

function isBacklog(days: readonly LocalDay[], di: number, h: number, zeros: number): boolean {
  let d = di;
  let hour = h;
  for (let k = 0; k < zeros; k++) {
    hour--;
    if (hour < 0) {
      d--;
      hour = (days[d]?.hours.length ?? 0) - 1;
    }
    if (days[d]?.hours[hour] !== 0) return false;
  }
  return zeros > 0;
}

/**
 * How much more (or less) the day uses than its comparable days: the ratio of their sums over the
 * day's hours, leaving out the day's `maxHours` highest hours so that a spike does not lift its
 * own expectation. A cold day, a season starting or a month over target raise the whole day.
 * 1 when too few hours can be compared; undefined when the comparable days used nothing.
 */
function dayScale(day: LocalDay, medians: Float64Array, o: SpikeOptions): number | undefined {
  const pairs: [number, number][] = [];
  day.hours.forEach((v, h) => {
    const m = medians[h];
    if (v !== undefined && m !== undefined && Number.isFinite(m)) pairs.push([v, m]);
  });
  if (pairs.length < o.minScaleHours) return 1;
  pairs.sort((a, b) => b[0] - a[0]);
  const kept = pairs.slice(o.maxHours);
  const history = kept.reduce((s, [, m]) => s + m, 0);
  if (!(history > 0)) return undefined;
  return Math.min(o.maxScale, Math.max(1 / o.maxScale, kept.reduce((s, [v]) => s + v, 0) / history));
}

/** A day's total over all its hours (missing ones as 0), summed in hour order. */
function dayTotal(day: LocalDay): number {
  let s = 0;
  for (const v of day.hours) s += v ?? 0;
  return s;
}

/**
 * Scratch buffers of one `spikeHours` call, so that the per-day medians neither copy nor allocate:
 * `history` holds, for each local hour h, the values of the comparable days at
 * `[h × comparableDays, h × comparableDays + counts[h])`, in comparable-day order.
 */
interface Scratch {
  readonly totals: Float64Array;
  readonly peak: Float64Array;
  readonly history: Float64Array;
  readonly sorted: Float64Array;
  readonly counts: Int32Array;
  readonly medians: Float64Array;
  readonly comparable: LocalDay[];
}

/** How many comparable days are used, as `slice(0, comparableDays)` counted them (at most all days). */
const comparableCount = (days: readonly LocalDay[], o: SpikeOptions): number =>
  Math.min(days.length, Math.max(0, Math.trunc(o.comparableDays)));

function scratchFor(days: readonly LocalDay[], o: SpikeOptions): Scratch {
  const c = comparableCount(days, o);
  const hours = days.reduce((n, d) => Math.max(n, d.hours.length), 0);
  return {
    totals: new Float64Array(days.length),
    peak: new Float64Array(c * hours),
    history: new Float64Array(c * hours),
    sorted: new Float64Array(c),
    counts: new Int32Array(hours),
    medians: new Float64Array(hours),
    comparable: [],
  };
}

/** The robust sigma of hour h's history, as `robustBand(history, 0).sigma` gives it (its centre is `medians[h]`). */
function sigmaOf(s: Scratch, h: number, stride: number): number {
  const n = s.counts[h] as number;
  const history = s.history.subarray(h * stride, h * stride + n);
  return Math.max(0, MAD_TO_SIGMA * madAround(history, n, s.medians[h] as number, s.sorted));
}

function spikeHours(days: readonly LocalDay[], o: SpikeOptions): SpikeHour[] {
  const out: SpikeHour[] = [];
  const s = scratchFor(days, o);
  const stride = comparableCount(days, o);
  const dayTotals = days.map(dayTotal);
  let oldest = 0;
  for (let di = 0; di < days.length; di++) {
    const day = days[di] as LocalDay;
    const since = day.startMs - o.historyDays * 24 * HOUR_MS;
    while (oldest < di && (days[oldest] as LocalDay).startMs < since) oldest++;
    // The past days, newest first: their totals, and the latest comparable ones.
    let nTotals = 0;
    const comparable = s.comparable;
    comparable.length = 0;
    for (let j = di - 1; j >= oldest; j--) {
      const d = days[j] as LocalDay;
      if (d.usableHours >= 20) s.totals[nTotals++] = dayTotals[j] as number;
      if (d.workday === day.workday && comparable.length < stride) comparable.push(d);
    }
    const typical = quantileOf(s.totals, nTotals, 0.5) / 24;
    if (!(typical >= 0)) continue;
    const n = day.hours.length;
    let nPeak = 0;
    s.counts.fill(0);
    for (const d of comparable)
      for (let h = 0; h < d.hours.length; h++) {
        const v = d.hours[h];
        if (v === undefined) continue;
        s.peak[nPeak++] = v;
        if (h < n) s.history[h * stride + (s.counts[h] as number)++] = v;
      }
    const peak = quantileOf(s.peak, nPeak, o.peakQuantile);
    for (let h = 0; h < n; h++) {
      const count = s.counts[h] as number;
      if (count < o.minHistoryDays) s.medians[h] = Number.NaN;
      else {
        for (let i = 0; i < count; i++) s.sorted[i] = s.history[h * stride + i] as number;
        s.medians[h] = quantileOf(s.sorted, count, 0.5);
      }
    }
    const scale = dayScale(day, s.medians.subarray(0, n), o);
    if (scale === undefined) continue;
    const found: SpikeHour[] = [];
    for (let h = 0; h < n; h++) {
      const observed = day.hours[h];
      const count = s.counts[h] as number;
      if (observed === undefined || count < o.minHistoryDays || isBacklog(days, di, h, o.backlogZeroHours)) continue;
      const centre = s.medians[h] as number;
      const bandSigma = sigmaOf(s, h, stride);
      // The same hour of the latest comparable day: a pattern that changed (heating coming on in
      // the morning) is high two days running, a spike is not.
      const latest = comparable[0]?.hours[h] ?? 0;
      const expected = Math.max(centre, latest) * scale;
      const sigma = Math.max(bandSigma, o.sigmaFloorShare * centre) * scale;
      const minExcess = Math.max(o.minExcessNative, o.minExcessOfTypical * typical * scale, o.minExcessOfPeak * peak);
      const bandHigh = expected + Math.max(o.k * sigma, minExcess);
      if (observed > bandHigh)
        found.push({ startMs: day.startMs + h * HOUR_MS, observed, expected, bandHigh, typical, historyDays: count });
    }
    // Many high hours in a day are a day that is off (a season starting, a leak), not a spike.
    if (found.length <= o.maxHours) out.push(...found);
  }
  return out;
}

function toCandidate(run: SpikeHour[], subject: SeriesSubject): AnomalyCandidate {
  const first = run[0] as SpikeHour;
  const last = run.at(-1) as SpikeHour;
  const peak = run.reduce((a, b) => (b.observed - b.expected > a.observed - a.expected ? b : a));
  const wasted = run.reduce((s, x) => s + (x.observed - x.expected), 0);
  const ratio = peak.typical > 0 ? (peak.observed - peak.expected) / peak.typical : Number.POSITIVE_INFINITY;
  return {
    type: 'spike',
    scope: subject.scope,
    energy: subject.energy,
    startMs: first.startMs,
    endMs: last.startMs + HOUR_MS,
    severity: severityOf(ratio, 4, 8),
    evidence: {
      observed: fig(peak.observed),
      expected: fig(peak.expected),
      bandLow: 0,
      bandHigh: fig(peak.bandHigh),
      unit: nativeUnitOf(subject.energy),
      historyDays: peak.historyDays,
      hours: run.length,
      typicalPerHour: fig(peak.typical),
    },
    wastedNative: fig(wasted),
  };
}

/** Hours far above the same hour of comparable days; one candidate per run of consecutive spike hours. */
export function detectSpikes(
  series: readonly HourPoint[],
  subject: SeriesSubject,
  ctx: DetectorContext,
  options: Partial<SpikeOptions> = {},
): AnomalyCandidate[] {
  const o = { ...SPIKE_DEFAULTS, ...options };
  const hours = spikeHours(localDays(series, ctx), o);
  const out: AnomalyCandidate[] = [];
  let run: SpikeHour[] = [];
  const flush = () => {
    if (run.length > 0 && run.length <= o.maxHours) out.push(toCandidate(run, subject));
    run = [];
  };
  for (const x of hours) {
    const prev = run.at(-1);
    if (prev !== undefined && x.startMs !== prev.startMs + HOUR_MS) flush();
    run.push(x);
  }
  flush();
  return out;
}
