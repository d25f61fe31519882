import { type DeltaKind, glitches, type RegisterPoint, registerDelta } from './counter.js';
import { type MeterEventInput, multiplierAt } from './meter-events.js';
import type { Meter } from './registry.js';
import { floorHour, HOUR_MS } from './time.js';
import { unitFactorToNative } from './units.js';

export { type DeltaKind, type RegisterDelta, registerDelta } from './counter.js';

/**
 * Consumption is computed in integer micro-units (1e-6 of the native unit) so that spreading an
 * interval over hours conserves it exactly and sums up the hierarchy are exact.
 */
export const MICRO = 1_000_000;

/** A register reading of one meter: instant and cumulative value in the meter's unit. */
export interface RegisterReading {
  readonly tsMs: number;
  readonly value: number;
}

/** Quality of derived consumption (DOMAIN.md, "Meters are registers"). */
export type Quality = 'good' | 'estimated' | 'suspect' | 'missing';

/** Consumption between two consecutive accepted register points, in native micro-units, with its quality. */
export interface IntervalConsumption {
  readonly startMs: number;
  readonly endMs: number;
  readonly amountMicro: number;
  readonly quality: Quality;
  readonly kind: DeltaKind | 'implausible';
}

/** A gap: an interval longer than this many expected intervals is spread and marked estimated. */
export const GAP_FACTOR = 1.5;

/**
 * The consumption of the interval between two accepted register points of a meter: the register
 * delta (rollover-aware) × the multiplier in force (split pro rata by time when a multiplier event
 * falls inside) × the unit factor; negative for an export register. A rise faster than the meter's
 * `maxPlausiblePerHour` is quarantined: counted 0 and suspect.
 */
export function intervalConsumption(
  meter: Meter,
  prev: RegisterReading,
  cur: RegisterReading,
  events: readonly MeterEventInput[] = [],
): IntervalConsumption {
  const direction = meter.direction ?? 'import';
  const { kind, delta } = registerDelta(prev.value, cur.value, meter.registerModulus, direction);
  const factor = unitFactorToNative(meter.energy, meter.unit) ?? 1;
  const base = meter.multiplier ?? 1;
  const cuts =
    events.length === 0
      ? []
      : events
          .filter((e) => e.type === 'multiplier' && e.ts > prev.tsMs && e.ts < cur.tsMs)
          .map((e) => e.ts)
          .sort((a, b) => a - b);
  const bounds = [prev.tsMs, ...cuts, cur.tsMs];
  const span = cur.tsMs - prev.tsMs;
  let native = 0;
  for (let i = 1; i < bounds.length; i++) {
    const a = bounds[i - 1] as number;
    const b = bounds[i] as number;
    const share = span > 0 ? (b - a) / span : 1;
    native += delta * share * multiplierAt(base, events, a) * factor;
  }
  if (direction === 'export') native = -native;
  const hours = span / HOUR_MS;
  if (meter.maxPlausiblePerHour !== undefined && hours > 0 && Math.abs(native) / hours > meter.maxPlausiblePerHour) {
    return { startMs: prev.tsMs, endMs: cur.tsMs, amountMicro: 0, quality: 'suspect', kind: 'implausible' };
  }
  const gap = span > (meter.intervalS ?? 900) * 1000 * GAP_FACTOR;
  const quality: Quality = kind === 'backwards' ? 'suspect' : gap ? 'estimated' : 'good';
  return { startMs: prev.tsMs, endMs: cur.tsMs, amountMicro: Math.round(native * MICRO), quality, kind };
}

/** A part of an interval's consumption that falls in one hour. */
export interface HourShare {
  readonly hourStartMs: number;
  readonly amountMicro: number;
}

/**
 * Spreads an amount over the hours between two instants in proportion to time, in integer
 * micro-units whose sum is exactly the amount (largest-remainder rounding).
 */
export function spreadOverHours(startMs: number, endMs: number, amountMicro: number): HourShare[] {
  if (endMs <= startMs) return [];
  const firstHour = floorHour(startMs);
  if (endMs <= firstHour + HOUR_MS) return [{ hourStartMs: firstHour, amountMicro }];
  const total = endMs - startMs;
  const pieces: { hourStartMs: number; exact: number; floor: number }[] = [];
  for (let h = floorHour(startMs); h < endMs; h += HOUR_MS) {
    const overlap = Math.min(endMs, h + HOUR_MS) - Math.max(startMs, h);
    const exact = (amountMicro * overlap) / total;
    pieces.push({ hourStartMs: h, exact, floor: Math.floor(exact) });
  }
  let rest = amountMicro - pieces.reduce((s, p) => s + p.floor, 0);
  const order = pieces.map((p, i) => ({ i, frac: p.exact - p.floor })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  const out = pieces.map((p) => p.floor);
  for (let k = 0; rest > 0 && order.length > 0; k = (k + 1) % order.length, rest--) {
    const i = order[k]?.i ?? 0;
    out[i] = (out[i] ?? 0) + 1;
  }
  return pieces.map((p, i) => ({ hourStartMs: p.hourStartMs, amountMicro: out[i] ?? 0 }));
}

/** Derived consumption of one meter in one hour. */
export interface HourlyConsumption {
  readonly meterId: string;
  readonly hourStartMs: number;
  /** Consumption in the energy's native unit, micro-units. */
  readonly amountMicro: number;
  /** The part of `amountMicro` spread over a gap (estimated). */
  readonly estimatedMicro: number;
  readonly quality: Quality;
  /** Readings whose timestamp falls in this hour, for completeness. */
  readonly readingsCount: number;
}

const QUALITY_RANK: Record<Quality, number> = { good: 0, estimated: 1, suspect: 2, missing: 3 };

/** The worse of two qualities. */
export function worseQuality(a: Quality, b: Quality): Quality {
  return QUALITY_RANK[a] >= QUALITY_RANK[b] ? a : b;
}

/** Readings of a window need this many neighbours on each side for glitch rules to see them whole. */
export const WINDOW_MARGIN = 3;

/** Where a window of readings sits in the meter's history. */
export interface WindowBounds {
  /** The window holds the meter's first reading (fewer than WINDOW_MARGIN readings precede `fromMs`). */
  readonly atStart: boolean;
  /** The window holds the meter's newest reading. */
  readonly atEnd: boolean;
}

/**
 * The register points of a meter split into segments at replacements: each segment is a sequence of
 * one register, opened by `newInitial` and closed by `oldFinal` anchors. Readings after a
 * decommission are dropped.
 */
export function segments(
  readings: readonly RegisterReading[],
  events: readonly MeterEventInput[],
  bounds: WindowBounds,
): RegisterPoint[][] {
  const end = events.find((e) => e.type === 'decommission')?.ts ?? Number.POSITIVE_INFINITY;
  const kept = readings.filter((r) => r.tsMs <= end);
  const first = kept[0]?.tsMs ?? Number.POSITIVE_INFINITY;
  const last = kept.at(-1)?.tsMs ?? Number.NEGATIVE_INFINITY;
  const covered = (t: number) => (bounds.atStart || t >= first) && (bounds.atEnd || t <= last) && t <= end;
  const replacements = events
    .filter((e): e is Extract<MeterEventInput, { type: 'replace' }> => e.type === 'replace')
    .sort((a, b) => a.ts - b.ts);
  const out: RegisterPoint[][] = [];
  let from = Number.NEGATIVE_INFINITY;
  let opening: RegisterPoint | undefined;
  for (let j = 0; j <= replacements.length; j++) {
    const r = replacements[j];
    const to = r?.ts ?? Number.POSITIVE_INFINITY;
    const points: RegisterPoint[] = opening ? [opening] : [];
    points.push(...kept.filter((x) => x.tsMs >= from && x.tsMs < to));
    if (r !== undefined && covered(r.ts)) points.push({ tsMs: r.ts, value: r.oldFinal, anchor: true });
    out.push(points);
    opening = r !== undefined && covered(r.ts) ? { tsMs: r.ts, value: r.newInitial, anchor: true } : undefined;
    from = to;
  }
  return out;
}

/**
 * Hourly consumption of one meter over [fromMs, toMs) (hour-aligned) from its readings sorted by
 * time, respecting lifecycle events. To be exact at the edges `readings` must include
 * WINDOW_MARGIN readings before `fromMs` and after `toMs` where they exist (`bounds` says when
 * the window reaches the start or end of the history). Hours with readings but no interval yet
 * get a row of 0 marked `missing`; hours with neither get no row.
 */
export function deriveHourly(
  meter: Meter,
  readings: readonly RegisterReading[],
  fromMs: number,
  toMs: number,
  events: readonly MeterEventInput[] = [],
  bounds: WindowBounds = { atStart: true, atEnd: true },
): HourlyConsumption[] {
  const hours = new Map<
    number,
    { amount: number; estimated: number; quality: Quality; count: number; covered: boolean }
  >();
  const slot = (h: number) => {
    let s = hours.get(h);
    if (s === undefined) {
      s = { amount: 0, estimated: 0, quality: 'good', count: 0, covered: false };
      hours.set(h, s);
    }
    return s;
  };
  const inRange = (t: number) => t >= fromMs && t < toMs;
  const end = events.find((e) => e.type === 'decommission')?.ts ?? Number.POSITIVE_INFINITY;
  for (const r of readings) if (inRange(r.tsMs) && r.tsMs <= end) slot(floorHour(r.tsMs)).count++;
  const direction = meter.direction ?? 'import';
  for (const points of segments(readings, events, bounds)) {
    const flags = glitches(points, meter.registerModulus, direction);
    const accepted: RegisterPoint[] = [];
    points.forEach((p, i) => {
      if (!flags[i]) accepted.push(p);
      else if (inRange(p.tsMs)) slot(floorHour(p.tsMs)).quality = 'suspect';
    });
    for (let i = 1; i < accepted.length; i++) {
      const prev = accepted[i - 1] as RegisterPoint;
      const cur = accepted[i] as RegisterPoint;
      if (cur.tsMs <= fromMs || prev.tsMs >= toMs) continue;
      const interval = intervalConsumption(meter, prev, cur, events);
      for (const share of spreadOverHours(interval.startMs, interval.endMs, interval.amountMicro)) {
        if (!inRange(share.hourStartMs)) continue;
        const s = slot(share.hourStartMs);
        s.covered = true;
        s.amount += share.amountMicro;
        if (interval.quality === 'estimated') s.estimated += share.amountMicro;
        s.quality = worseQuality(s.quality, interval.quality);
      }
    }
  }
  return [...hours.entries()]
    .sort(([a], [b]) => a - b)
    .map(([hourStartMs, s]) => ({
      meterId: meter.id,
      hourStartMs,
      amountMicro: s.amount,
      estimatedMicro: s.estimated,
      quality: s.covered ? s.quality : 'missing',
      readingsCount: s.count,
    }));
}
