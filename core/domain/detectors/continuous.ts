/**
 * Equipment running continuously (DOMAIN.md: "equipment running continuously"): a whole local day
 * (24 h) whose load never drops below `minShareOfPeak` of that day's peak, on a meter whose
 * comparable days normally have a night minimum (their median min/peak share is at most
 * `maxNormalShare`) and whose minimum rose well above its usual one (a closed day is flat too, but
 * low). A 24/7 IT room is quiet; office lighting that stays on is not. Consecutive such days are
 * one event.
 *
 * Too little history (fewer than `minHistoryDays` comparable days): nothing is returned, since a
 * flat daily profile is normal for some loads.
 */
import { type LocalDay, localDays } from './local-days.js';
import { fig, severityOf } from './severity.js';
import { median } from './stats.js';
import type { AnomalyCandidate, DetectorContext, HourPoint, SeriesSubject } from './types.js';

/** Options of `detectContinuous`. */
export interface ContinuousOptions {
  /** A day is continuous when its minimum hour is at least this share of its peak hour (default 0.5). */
  readonly minShareOfPeak: number;
  /** Comparable days "normally have a night minimum" when their median min/peak share is at most this (default 0.3). */
  readonly maxNormalShare: number;
  /** The day's minimum must exceed the comparable days' usual minimum by this share (default 0.5). */
  readonly minRiseOfUsualMin: number;
  /** Days looked back (default 28). */
  readonly historyDays: number;
  /** Comparable days needed (default 5). */
  readonly minHistoryDays: number;
  /** Usable hours a day needs to be judged (default 22). */
  readonly minHoursPerDay: number;
}

/** Defaults of `detectContinuous`. */
export const CONTINUOUS_DEFAULTS: ContinuousOptions = Object.freeze({
  minShareOfPeak: 0.5,
  maxNormalShare: 0.3,
  minRiseOfUsualMin: 0.5,
  historyDays: 28,
  minHistoryDays: 5,
  minHoursPerDay: 22,
});

interface Judged {
  readonly day: LocalDay;
  readonly share: number;
  readonly normalShare: number;
  readonly excess: number;
  readonly historyDays: number;
}

const values = (d: LocalDay) => d.hours.filter((v): v is number => v !== undefined);
const shareOf = (d: LocalDay) => {
  const v = values(d);
  const peak = Math.max(...v);
  return peak > 0 ? Math.min(...v) / peak : 0;
};

function judge(days: readonly LocalDay[], o: ContinuousOptions): Judged[] {
  const out: Judged[] = [];
  const flagged = new Set<number>();
  for (const day of days) {
    if (day.usableHours < o.minHoursPerDay) continue;
    const share = shareOf(day);
    if (share < o.minShareOfPeak) continue;
    const since = day.startMs - o.historyDays * 86_400_000;
    const past = days.filter(
      (d) =>
        d.startMs >= since &&
        d.startMs < day.startMs &&
        d.workday === day.workday &&
        d.usableHours >= o.minHoursPerDay &&
        !flagged.has(d.startMs),
    );
    if (past.length < o.minHistoryDays) continue;
    const normalShare = median(past.map(shareOf));
    if (normalShare > o.maxNormalShare) continue;
    // The minimum must have risen: a closed day (a venue's Monday) is flat because its peak fell.
    const usualMin = median(past.map((d) => Math.min(...values(d))));
    if (Math.min(...values(day)) < usualMin * (1 + o.minRiseOfUsualMin)) continue;
    let excess = 0;
    day.hours.forEach((v, h) => {
      const usual = median(past.flatMap((d) => (d.hours[h] === undefined ? [] : [d.hours[h] as number])));
      if (v !== undefined && usual >= 0) excess += Math.max(0, v - usual);
    });
    flagged.add(day.startMs);
    out.push({ day, share, normalShare, excess, historyDays: past.length });
  }
  return out;
}

function toCandidate(run: Judged[], subject: SeriesSubject): AnomalyCandidate {
  const first = run[0] as Judged;
  const last = run.at(-1) as Judged;
  return {
    type: 'continuous',
    scope: subject.scope,
    energy: subject.energy,
    startMs: first.day.startMs,
    endMs: last.day.endMs,
    severity: severityOf(run.length, 2, 4),
    evidence: {
      observed: fig(median(run.map((j) => j.share))),
      expected: fig(median(run.map((j) => j.normalShare))),
      bandLow: 0,
      bandHigh: fig(Math.max(...run.map((j) => j.normalShare))),
      unit: 'min/peak',
      historyDays: Math.min(...run.map((j) => j.historyDays)),
      days: run.length,
    },
    wastedNative: fig(run.reduce((s, j) => s + j.excess, 0)),
  };
}

/** Whole days without a night minimum on a meter that normally has one; one candidate per run of days. */
export function detectContinuous(
  series: readonly HourPoint[],
  subject: SeriesSubject,
  ctx: DetectorContext,
  options: Partial<ContinuousOptions> = {},
): AnomalyCandidate[] {
  const o = { ...CONTINUOUS_DEFAULTS, ...options };
  const out: AnomalyCandidate[] = [];
  let run: Judged[] = [];
  for (const j of judge(localDays(series, ctx), o)) {
    const prev = run.at(-1);
    if (prev !== undefined && prev.day.endMs !== j.day.startMs) {
      out.push(toCandidate(run, subject));
      run = [];
    }
    run.push(j);
  }
  if (run.length > 0) out.push(toCandidate(run, subject));
  return out;
}
