import type { Meter } from './registry.js';
import { floorHour, HOUR_MS } from './time.js';
import { unitFactorToNative } from './units.js';

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

/** How the register moved between two readings. */
export type DeltaKind = 'normal' | 'rollover' | 'backwards';

/** The register movement between two consecutive readings, in register units (before the multiplier). */
export interface RegisterDelta {
  readonly kind: DeltaKind;
  readonly delta: number;
}

/** A register within this share of its modulus counts as "near the top" for rollover detection. */
export const ROLLOVER_BAND = 0.1;

/**
 * The register delta between two readings. A register that goes down is a rollover when it was
 * near its modulus and restarts near zero (99999999.9 → 0.0 is 0.1 with modulus 100000000);
 * otherwise it went backwards, which is never negative consumption: the delta is 0 and the
 * interval is suspect.
 */
export function registerDelta(prev: number, cur: number, registerModulus: number | undefined): RegisterDelta {
  if (cur >= prev) return { kind: 'normal', delta: cur - prev };
  if (registerModulus !== undefined) {
    const nearTop = prev >= registerModulus * (1 - ROLLOVER_BAND);
    const nearZero = cur <= registerModulus * ROLLOVER_BAND;
    if (nearTop && nearZero) return { kind: 'rollover', delta: registerModulus - prev + cur };
  }
  return { kind: 'backwards', delta: 0 };
}

/** Consumption between two consecutive readings, in native micro-units, with its quality. */
export interface IntervalConsumption {
  readonly startMs: number;
  readonly endMs: number;
  readonly amountMicro: number;
  readonly quality: Quality;
  readonly kind: DeltaKind;
}

/** A gap: an interval longer than this many expected intervals is spread and marked estimated. */
export const GAP_FACTOR = 1.5;

/** The consumption of the interval between two consecutive readings of a meter. */
export function intervalConsumption(meter: Meter, prev: RegisterReading, cur: RegisterReading): IntervalConsumption {
  const { kind, delta } = registerDelta(prev.value, cur.value, meter.registerModulus);
  const factor = unitFactorToNative(meter.energy, meter.unit) ?? 1;
  const amountMicro = Math.round(delta * meter.multiplier * factor * MICRO);
  const gap = cur.tsMs - prev.tsMs > meter.intervalS * 1000 * GAP_FACTOR;
  const quality: Quality = kind === 'backwards' ? 'suspect' : gap ? 'estimated' : 'good';
  return { startMs: prev.tsMs, endMs: cur.tsMs, amountMicro, quality, kind };
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

/**
 * Hourly consumption of one meter over [fromMs, toMs) (hour-aligned) from its readings sorted by
 * time. To be exact at the edges, `readings` must include the last reading at or before `fromMs`
 * and the first at or after `toMs` when they exist. Hours not covered by any interval get no row
 * (they are missing); hours covered with no use get a row of 0.
 */
export function deriveHourly(
  meter: Meter,
  readings: readonly RegisterReading[],
  fromMs: number,
  toMs: number,
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
  for (const r of readings) {
    if (r.tsMs >= fromMs && r.tsMs < toMs) slot(floorHour(r.tsMs)).count++;
  }
  for (let i = 1; i < readings.length; i++) {
    const prev = readings[i - 1] as RegisterReading;
    const cur = readings[i] as RegisterReading;
    if (cur.tsMs <= fromMs || prev.tsMs >= toMs) continue;
    const interval = intervalConsumption(meter, prev, cur);
    for (const share of spreadOverHours(interval.startMs, interval.endMs, interval.amountMicro)) {
      if (share.hourStartMs < fromMs || share.hourStartMs >= toMs) continue;
      const s = slot(share.hourStartMs);
      s.covered = true;
      s.amount += share.amountMicro;
      if (interval.quality === 'estimated') s.estimated += share.amountMicro;
      s.quality = worseQuality(s.quality, interval.quality);
    }
  }
  return [...hours.entries()]
    .filter(([, s]) => s.covered)
    .sort(([a], [b]) => a - b)
    .map(([hourStartMs, s]) => ({
      meterId: meter.id,
      hourStartMs,
      amountMicro: s.amount,
      estimatedMicro: s.estimated,
      quality: s.quality,
      readingsCount: s.count,
    }));
}
