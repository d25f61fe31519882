/**
 * Runs every detector over the bench data the way the platform would: institution detectors on
 * each institution's summed series, meter detectors on each meter's series, the month target at
 * weekly check points of every month, and the step detector at the end of the data ("now").
 */
import {
  type AfterHoursOptions,
  type AnomalyCandidate,
  type ContinuousOptions,
  detectAfterHours,
  detectContinuous,
  detectFlat,
  detectImplausible,
  detectLeak,
  detectOffline,
  detectOverTarget,
  detectSpikes,
  detectStep,
  type FlatOptions,
  type LeakOptions,
  type MeterReportState,
  type OverTargetOptions,
  type SpikeOptions,
  type StepOptions,
} from '../../core/domain/detectors/index.js';
import type { Energy } from '../../core/domain/energy.js';
import { localParts, localToEpochMs } from '../../core/domain/time.js';
import { type BenchData, DAY_MS, HOUR_MS } from './simulate.js';

/** Option overrides per detector (defaults are the detectors' own). */
export interface DetectorOverrides {
  readonly afterHours?: Partial<AfterHoursOptions>;
  readonly spike?: Partial<SpikeOptions>;
  readonly flat?: Partial<FlatOptions>;
  readonly continuous?: Partial<ContinuousOptions>;
  readonly leak?: Partial<LeakOptions>;
  readonly step?: Partial<StepOptions>;
  readonly overTarget?: Partial<OverTargetOptions>;
}

/** Days after a month's start at which its projection is checked (and the month's end). */
export const CHECK_DAYS = [7, 14, 21, 28] as const;

function overTarget(data: BenchData, options: Partial<OverTargetOptions> = {}): AnomalyCandidate[] {
  const out: AnomalyCandidate[] = [];
  const tz = data.ctx.timeZone;
  for (const [key, series] of data.institutionSeries) {
    const [inst, energy] = key.split('|') as [string, Energy];
    for (const monthStartMs of data.monthStarts) {
      const targetNative = data.targets.get(`${key}|${monthStartMs}`);
      if (targetNative === undefined) continue;
      const p = localParts(monthStartMs, tz);
      const monthEndMs = localToEpochMs(tz, p.year + Math.floor(p.month / 12), (p.month % 12) + 1);
      const checks = [...CHECK_DAYS.map((d) => monthStartMs + d * DAY_MS), monthEndMs].filter(
        (t) => t <= Math.min(monthEndMs, data.toMs),
      );
      if (data.toMs < monthEndMs) checks.push(data.toMs);
      let first: AnomalyCandidate | undefined;
      let lastEnd = 0;
      for (const nowMs of checks) {
        const found = detectOverTarget(
          series,
          { scope: `institution:${inst}`, energy },
          { monthStartMs, targetNative },
          { ...data.ctx, nowMs },
          options,
        );
        if (found[0] !== undefined) {
          first ??= found[0];
          lastEnd = found[0].endMs;
        }
      }
      if (first !== undefined) out.push({ ...first, endMs: lastEnd });
    }
  }
  return out;
}

/** Every candidate of every detector on the bench data. */
export function runDetectors(data: BenchData, o: DetectorOverrides = {}): AnomalyCandidate[] {
  const out: AnomalyCandidate[] = [];
  const { ctx } = data;
  for (const [key, series] of data.institutionSeries) {
    const [inst, energy] = key.split('|') as [string, Energy];
    if (energy === 'electricity')
      out.push(...detectAfterHours(series, { scope: `institution:${inst}`, energy }, ctx, o.afterHours));
  }
  out.push(...overTarget(data, o.overTarget));
  const states: MeterReportState[] = [];
  for (const meter of data.fleet.registry.meters) {
    const series = data.meterSeries.get(meter.id) ?? [];
    const subject = { scope: `meter:${meter.id}`, energy: meter.energy };
    out.push(...detectSpikes(series, subject, ctx, o.spike));
    out.push(...detectFlat(series, subject, ctx, o.flat));
    out.push(...detectContinuous(series, subject, ctx, o.continuous));
    out.push(...detectImplausible(series, subject, ctx));
    out.push(...detectStep(series, subject, ctx, o.step));
    if (meter.energy === 'water') out.push(...detectLeak(series, subject, ctx, o.leak));
    const last = series.findLast((p) => p.readings > 0);
    states.push({
      meterId: meter.id,
      energy: meter.energy,
      intervalS: meter.intervalS,
      lastReadingMs: last === undefined ? undefined : last.hourStartMs + HOUR_MS - meter.intervalS * 1000,
    });
  }
  out.push(...detectOffline(states, ctx));
  return out;
}
