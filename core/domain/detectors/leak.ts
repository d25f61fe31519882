/**
 * Water leaks: a leak runs night and day, so the night flow never drops to zero. For each local
 * night the minimum hour in [`nightFromH`, `nightToH`) is compared with the meter's own history of
 * night minimums; nights whose minimum stays above the usual one by a margin (k robust sigmas, at
 * least half the usual minimum and 1 % of the daytime peak: a leak adds a constant flow to a
 * near-zero base, a busier month only scales it) are leak nights, and `minNights` consecutive ones
 * are a candidate. Only a meter whose history shows that its night
 * flow used to reach about zero (night minimum ≤ `nearZeroShare` of its daytime peak) is judged: a
 * hospital with wards open all night has no quiet night to tell a leak from.
 *
 * Too little history (fewer than `minHistoryNights` nights): nothing is returned; a night flow
 * that never reaches zero is not a leak by itself.
 */
import { nativeUnitOf } from '../energy.js';
import { HOUR_MS } from '../time.js';
import { hoursBetween, type LocalDay, localDays } from './local-days.js';
import { fig, severityOf } from './severity.js';
import { median, robustBand } from './stats.js';
import type { AnomalyCandidate, DetectorContext, HourPoint, SeriesSubject } from './types.js';

/** Options of `detectLeak`. */
export interface LeakOptions {
  /** First local hour of the night window (default 1). */
  readonly nightFromH: number;
  /** Local hour the night window ends (default 5). */
  readonly nightToH: number;
  /** Consecutive leak nights that make a candidate (default 2). */
  readonly minNights: number;
  /** Nights looked back (default 28). */
  readonly historyDays: number;
  /** Nights of history needed (default 7). */
  readonly minHistoryNights: number;
  /** Usual night minimum at most this share of the daytime peak: the night used to reach ~0 (default 0.15). */
  readonly nearZeroShare: number;
  /** Robust sigmas above the usual night minimum (default 4). */
  readonly k: number;
  /** Minimum rise of the night minimum as a share of the daytime peak (default 0.01). */
  readonly minRiseShare: number;
  /**
   * Minimum rise of the night minimum as a share of its usual value (default 0.5): a leak adds a
   * constant flow to a near-zero base, while a busier month only scales the base by a few tens of %.
   */
  readonly minRiseOfUsual: number;
  /** Minimum rise of the night minimum, native unit per hour (default 0.005 m3/h). */
  readonly minRiseNative: number;
}

/** Defaults of `detectLeak`. */
export const LEAK_DEFAULTS: LeakOptions = Object.freeze({
  nightFromH: 1,
  nightToH: 5,
  minNights: 2,
  historyDays: 28,
  minHistoryNights: 7,
  nearZeroShare: 0.15,
  k: 4,
  minRiseShare: 0.01,
  minRiseOfUsual: 0.5,
  minRiseNative: 0.005,
});

interface Night {
  readonly day: LocalDay;
  readonly min: number;
  readonly expected: number;
  readonly bandHigh: number;
  readonly historyDays: number;
  readonly leak: boolean;
}

function judgeNights(days: readonly LocalDay[], o: LeakOptions): Night[] {
  const mins = new Map<number, number>();
  const peaks = new Map<number, number>();
  const flagged = new Set<number>();
  const out: Night[] = [];
  const span = o.nightToH - o.nightFromH;
  for (const day of days) {
    const night = hoursBetween(day, o.nightFromH, o.nightToH);
    if (day.usableHours >= 20) peaks.set(day.startMs, Math.max(...hoursBetween(day, 0, day.hours.length)));
    if (night.length < span) continue;
    const min = Math.min(...night);
    const since = day.startMs - o.historyDays * 24 * HOUR_MS;
    const past = days.filter((d) => d.startMs >= since && d.startMs < day.startMs);
    const history = past.flatMap((d) =>
      mins.has(d.startMs) && !flagged.has(d.startMs) ? [mins.get(d.startMs) as number] : [],
    );
    mins.set(day.startMs, min);
    if (history.length < o.minHistoryNights) continue;
    const peak = median(past.flatMap((d) => (peaks.has(d.startMs) ? [peaks.get(d.startMs) as number] : [])));
    const band = robustBand(history, 0);
    if (!(peak > 0) || band.centre > o.nearZeroShare * peak) continue;
    const rise = Math.max(o.k * band.sigma, o.minRiseShare * peak, o.minRiseOfUsual * band.centre, o.minRiseNative);
    const bandHigh = band.centre + rise;
    const leak = min > bandHigh;
    if (leak) flagged.add(day.startMs);
    out.push({ day, min, expected: band.centre, bandHigh, historyDays: history.length, leak });
  }
  return out;
}

function toCandidate(run: Night[], subject: SeriesSubject, o: LeakOptions): AnomalyCandidate {
  const first = run[0] as Night;
  const last = run.at(-1) as Night;
  const excess = median(run.map((n) => n.min - n.expected));
  const startMs = first.day.startMs + o.nightFromH * HOUR_MS;
  const endMs = last.day.startMs + o.nightToH * HOUR_MS;
  return {
    type: 'leak',
    scope: subject.scope,
    energy: subject.energy,
    startMs,
    endMs,
    severity: severityOf(run.length, 3, 7),
    evidence: {
      observed: fig(median(run.map((n) => n.min))),
      expected: fig(median(run.map((n) => n.expected))),
      bandLow: 0,
      bandHigh: fig(Math.max(...run.map((n) => n.bandHigh))),
      unit: `${nativeUnitOf(subject.energy)}/h`,
      historyDays: Math.min(...run.map((n) => n.historyDays)),
      nights: run.length,
      excessPerHour: fig(excess),
    },
    // A leak flows day and night: the night excess over the span of the leak nights, plus a day.
    wastedNative: fig(Math.max(0, excess) * ((endMs - startMs) / HOUR_MS + 24 - (o.nightToH - o.nightFromH))),
  };
}

/** Runs of at least `minNights` consecutive leak nights; one candidate per run. */
export function detectLeak(
  series: readonly HourPoint[],
  subject: SeriesSubject,
  ctx: DetectorContext,
  options: Partial<LeakOptions> = {},
): AnomalyCandidate[] {
  const o = { ...LEAK_DEFAULTS, ...options };
  const out: AnomalyCandidate[] = [];
  let run: Night[] = [];
  const flush = () => {
    if (run.length >= o.minNights) out.push(toCandidate(run, subject, o));
    run = [];
  };
  for (const n of judgeNights(localDays(series, ctx), o)) {
    const prev = run.at(-1);
    if (!n.leak || (prev !== undefined && prev.day.endMs !== n.day.startMs)) flush();
    if (n.leak) run.push(n);
  }
  flush();
  return out;
}
