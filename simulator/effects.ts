/**
 * The effects layer of a scenario on one meter's register, compiled from its labels. Every effect
 * has a closed form in time, so a register stays a pure function of the instant (registers.ts):
 *
 * - extra consumption at a constant rate over known windows (spike, leak, step, after-hours):
 *   the cumulative extra at t is the sum of rate × overlap of each window with (−∞, t);
 * - consumption scaled over a window (month-over-target, retrofit): the extra is (factor − 1) × the model's
 *   consumption from the window start to min(t, window end);
 * - a constant register offset (rollover), a restart at a new initial value (replace), and a
 *   frozen display over a span (stuck).
 */
import { dayInfo, localDayAt } from './calendar.js';
import type { Label, LabelOf } from './labels.js';
import { labelsOfMeter, type Scenario } from './scenario.js';

const HOUR_MS = 3_600_000;

/** Night hours of after-hours anomalies, local: from 20:00 to 07:00 (plus whole rest days). */
export const AFTER_HOURS_NIGHT = { startH: 20, endH: 7 } as const;

/** Extra consumption at a constant rate over `[startMs, endMs)`; `endMs` may be Infinity. */
export interface RateWindow {
  readonly startMs: number;
  readonly endMs: number;
  /** Native unit per ms. */
  readonly perMs: number;
}

/** Consumption scaled by `1 + extraShare` over `[startMs, endMs)`. */
export interface ScaleWindow {
  readonly startMs: number;
  readonly endMs: number;
  readonly extraShare: number;
}

/** What a scenario does to one meter's register. */
export interface MeterEffects {
  readonly rates: readonly RateWindow[];
  readonly scales: readonly ScaleWindow[];
  /** Added to the register before wrapping (rollover). */
  readonly registerOffset: number;
  /** From `atMs` on, the register is `newInitial` + true consumption since `atMs` / multiplier. */
  readonly replacement?: { readonly atMs: number; readonly newInitial: number };
  /** The register shows `frozenRegister` in `[startMs, endMs)`. */
  readonly stuck?: { readonly startMs: number; readonly endMs: number; readonly frozenRegister: number };
}

/**
 * The windows of an after-hours label: nights (`nightStartH` to `nightEndH`, local) of workdays and
 * whole rest days (weekends, holidays), within the label's span. Hours are added to local
 * midnight, exact in zones without a clock change at night (Asia/Shanghai has none).
 */
export function afterHoursWindows(
  label: LabelOf<'after-hours'>,
  timeZone: string,
): Array<{ startMs: number; endMs: number }> {
  const startMs = Date.parse(label.start);
  const endMs = Date.parse(label.end);
  const out: Array<{ startMs: number; endMs: number }> = [];
  const add = (a: number, b: number) => {
    const s = Math.max(a, startMs);
    const e = Math.min(b, endMs);
    if (e <= s) return;
    const last = out[out.length - 1];
    if (last !== undefined && last.endMs === s) last.endMs = e;
    else out.push({ startMs: s, endMs: e });
  };
  for (let day = localDayAt(startMs, timeZone); day.startMs < endMs; day = localDayAt(day.endMs, timeZone)) {
    if (dayInfo(day.dayNumber).kind !== 'workday') add(day.startMs, day.endMs);
    else {
      add(day.startMs, day.startMs + label.nightEndH * HOUR_MS);
      add(day.startMs + label.nightStartH * HOUR_MS, day.endMs);
    }
  }
  return out;
}

function rateWindows(label: Label, meterId: string, timeZone: string): RateWindow[] {
  const startMs = Date.parse(label.start);
  const endMs = Date.parse(label.end);
  switch (label.kind) {
    case 'spike':
      return [{ startMs, endMs, perMs: label.extraPerH / HOUR_MS }];
    case 'leak':
      return [{ startMs, endMs, perMs: label.extraM3PerH / HOUR_MS }];
    case 'step':
      return [{ startMs, endMs: Number.POSITIVE_INFINITY, perMs: label.extraPerH / HOUR_MS }];
    case 'after-hours': {
      const perMs = (label.extraKwByMeter[meterId] ?? 0) / HOUR_MS;
      return perMs > 0 ? afterHoursWindows(label, timeZone).map((w) => ({ ...w, perMs })) : [];
    }
    default:
      return [];
  }
}

function compile(scenario: Scenario, meterId: string): MeterEffects | undefined {
  const rates: RateWindow[] = [];
  const scales: ScaleWindow[] = [];
  let registerOffset = 0;
  let replacement: MeterEffects['replacement'];
  let stuck: MeterEffects['stuck'];
  let any = false;
  for (const label of labelsOfMeter(scenario, meterId)) {
    rates.push(...rateWindows(label, meterId, scenario.timeZone));
    if (label.kind === 'month-over-target' || label.kind === 'retrofit')
      scales.push({ startMs: Date.parse(label.start), endMs: Date.parse(label.end), extraShare: label.factor - 1 });
    else if (label.kind === 'rollover') registerOffset += label.registerOffset;
    else if (label.kind === 'replace') replacement = { atMs: Date.parse(label.start), newInitial: label.newInitial };
    else if (label.kind === 'stuck')
      stuck = { startMs: Date.parse(label.start), endMs: Date.parse(label.end), frozenRegister: label.frozenRegister };
    else if (label.kind === 'gap' || label.kind === 'duplicate') continue;
    any = true;
  }
  if (!any) return undefined;
  return {
    rates,
    scales,
    registerOffset,
    ...(replacement === undefined ? {} : { replacement }),
    ...(stuck === undefined ? {} : { stuck }),
  };
}

const compiled = new WeakMap<Scenario, Map<string, MeterEffects | null>>();

/** The effects of a scenario on a meter's register; undefined when it has none (only transport faults, or nothing). */
export function meterEffects(scenario: Scenario, meterId: string): MeterEffects | undefined {
  let byMeter = compiled.get(scenario);
  if (byMeter === undefined) {
    byMeter = new Map();
    compiled.set(scenario, byMeter);
  }
  let effects = byMeter.get(meterId);
  if (effects === undefined) {
    effects = compile(scenario, meterId) ?? null;
    byMeter.set(meterId, effects);
  }
  return effects ?? undefined;
}

/** Extra native consumption of the rate windows before an instant (over (−∞, tMs)). */
export function rateExtraNative(rates: readonly RateWindow[], tMs: number): number {
  let extra = 0;
  for (const w of rates) if (tMs > w.startMs) extra += w.perMs * (Math.min(tMs, w.endMs) - w.startMs);
  return extra;
}

/**
 * Extra native consumption of the scale windows before an instant, given the model's cumulative
 * at that instant and a lookup of the model's cumulative at window bounds.
 */
export function scaleExtraNative(
  scales: readonly ScaleWindow[],
  tMs: number,
  modelAtT: number,
  modelAt: (tMs: number) => number,
): number {
  let extra = 0;
  for (const w of scales) {
    if (tMs <= w.startMs) continue;
    const end = tMs < w.endMs ? modelAtT : modelAt(w.endMs);
    extra += w.extraShare * (end - modelAt(w.startMs));
  }
  return extra;
}
