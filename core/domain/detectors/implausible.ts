/**
 * Negative or implausible deltas (DOMAIN.md: "negative or implausible deltas"). The counter rules
 * (counter.ts, consumption.ts) never sum such a delta: they mark its hours `suspect` (a register
 * going backwards without an event, a glitch, a rise faster than the meter's plausible maximum).
 * Each run of consecutive suspect hours is one candidate. No history is needed.
 */
import { HOUR_MS } from '../time.js';
import { fig, severityOf } from './severity.js';
import type { AnomalyCandidate, DetectorContext, HourPoint, SeriesSubject } from './types.js';

/** Options of `detectImplausible`. */
export interface ImplausibleOptions {
  /** Suspect hours needed for a candidate (default 1). */
  readonly minHours: number;
  /** Clean hours allowed inside one run of suspect hours (default 0: only consecutive suspect hours). */
  readonly maxGapHours: number;
}

/** Defaults of `detectImplausible`. */
export const IMPLAUSIBLE_DEFAULTS: ImplausibleOptions = Object.freeze({ minHours: 1, maxGapHours: 0 });

/** One candidate per run of suspect hours. */
export function detectImplausible(
  series: readonly HourPoint[],
  subject: SeriesSubject,
  ctx: DetectorContext,
  options: Partial<ImplausibleOptions> = {},
): AnomalyCandidate[] {
  const o = { ...IMPLAUSIBLE_DEFAULTS, ...options };
  const runs: HourPoint[][] = [];
  for (const p of series) {
    if (p.hourStartMs >= ctx.nowMs) break;
    if (p.quality !== 'suspect') continue;
    const run = runs.at(-1);
    const last = run?.at(-1);
    if (run !== undefined && last !== undefined && p.hourStartMs - last.hourStartMs <= (o.maxGapHours + 1) * HOUR_MS)
      run.push(p);
    else runs.push([p]);
  }
  return runs
    .filter((run) => run.length >= o.minHours)
    .map((run) => {
      const startMs = (run[0] as HourPoint).hourStartMs;
      const endMs = (run.at(-1) as HourPoint).hourStartMs + HOUR_MS;
      return {
        type: 'implausible' as const,
        scope: subject.scope,
        energy: subject.energy,
        startMs,
        endMs,
        severity: severityOf(run.length, 3, 24),
        evidence: {
          observed: run.length,
          expected: 0,
          bandLow: 0,
          bandHigh: 0,
          unit: 'h',
          historyDays: 0,
          suspectHours: run.length,
          countedNative: fig(run.reduce((s, p) => s + p.amount, 0)),
        },
        wastedNative: 0,
      };
    });
}
