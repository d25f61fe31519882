/**
 * Offline meters (DOMAIN.md: "a meter that stopped reporting"): no reading for at least
 * `missedIntervals` expected intervals before `ctx.nowMs`. Works on the last reading time of each
 * meter, not on a series. No history is needed; a meter that never reported is a low-severity
 * candidate with the note "never reported" once `missedIntervals` have passed since it was
 * expected (its installation). A decommissioned meter is never offline (issue "No device can stop
 * ingest": the registry knows it stopped on purpose).
 */
import type { Energy } from '../energy.js';
import { fig, severityOf } from './severity.js';
import type { AnomalyCandidate, DetectorContext } from './types.js';

/** What the detector knows about one meter's reporting. */
export interface MeterReportState {
  readonly meterId: string;
  readonly energy: Energy;
  /** Timestamp of the newest reading, epoch ms; undefined when it never reported. */
  readonly lastReadingMs: number | undefined;
  /** Expected interval between readings, seconds. */
  readonly intervalS: number;
  /** Since when the meter is expected to report (installation), epoch ms; for a meter that never reported. */
  readonly expectedSinceMs?: number;
  /** When the meter was decommissioned (its `decommission` event), epoch ms; from then on it is not expected to report. */
  readonly decommissionedAtMs?: number;
}

/** Options of `detectOffline`. */
export interface OfflineOptions {
  /** Missed intervals that make a meter offline (default 4: one hour at 15 min). */
  readonly missedIntervals: number;
  /** Offline hours for medium severity (default 4). */
  readonly mediumHours: number;
  /** Offline hours for high severity (default 24). */
  readonly highHours: number;
}

/** Defaults of `detectOffline`. */
export const OFFLINE_DEFAULTS: OfflineOptions = Object.freeze({ missedIntervals: 4, mediumHours: 4, highHours: 24 });

/** Meters silent for at least `missedIntervals` intervals; one candidate per meter. */
export function detectOffline(
  meters: readonly MeterReportState[],
  ctx: DetectorContext,
  options: Partial<OfflineOptions> = {},
): AnomalyCandidate[] {
  const o = { ...OFFLINE_DEFAULTS, ...options };
  const out: AnomalyCandidate[] = [];
  for (const m of meters) {
    if (m.decommissionedAtMs !== undefined && m.decommissionedAtMs <= ctx.nowMs) continue;
    const intervalMs = m.intervalS * 1000;
    const since = m.lastReadingMs ?? m.expectedSinceMs;
    if (since === undefined || !(intervalMs > 0)) continue;
    const missed = Math.floor((ctx.nowMs - since) / intervalMs);
    if (missed < o.missedIntervals) continue;
    const hours = (ctx.nowMs - since) / 3_600_000;
    const never = m.lastReadingMs === undefined;
    out.push({
      type: 'offline',
      scope: `meter:${m.meterId}`,
      energy: m.energy,
      startMs: never ? since : since + intervalMs,
      endMs: ctx.nowMs,
      severity: never ? 'low' : severityOf(hours, o.mediumHours, o.highHours),
      evidence: {
        observed: missed,
        expected: 0,
        bandLow: 0,
        bandHigh: o.missedIntervals - 1,
        unit: 'intervals',
        historyDays: 0,
        silentHours: fig(hours),
        ...(never ? { note: 'never reported' } : {}),
      },
      wastedNative: 0,
    });
  }
  return out;
}
