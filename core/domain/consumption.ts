import { type DeltaKind, glitches, type RegisterPoint, registerDelta } from './counter.js';
import { type MeterEventInput, multiplierAt } from './meter-events.js';
import type { Meter } from './registry.js';
import { ceilHour, floorHour, HOUR_MS } from './time.js';
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

/**
 * Largest consumption one interval may hold, in native units (kWh, m³, ...) either sign: 1e9. In
 * micro-units that is 1e15, below 2^53 so that integer arithmetic stays exact, and hourly sums stay
 * far below what the store's DECIMAL(18,6) holds (1e12). A larger interval (a register of 5e12, a
 * multiplier of 1e308) is quarantined like an implausible one: counted 0 and suspect.
 */
export const MAX_INTERVAL_NATIVE = 1e9;

/** A gap: an interval longer than this many expected intervals is spread and marked estimated. */
export const GAP_FACTOR = 1.5;

/**
 * The consumption of the interval between two accepted register points of a meter: the register
 * delta (rollover-aware) × the multiplier in force (split pro rata by time when a multiplier event
 * falls inside) × the unit factor; negative for an export register. A rise faster than the meter's
 * `maxPlausiblePerHour`, or larger than MAX_INTERVAL_NATIVE, is quarantined: counted 0 and suspect.
 * A gap, or any interval of a manual meter, is `estimated`.
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
  // `!(<=)` so that NaN (0 × Infinity from an absurd multiplier) is quarantined too.
  if (!(Math.abs(native) <= MAX_INTERVAL_NATIVE)) {
    return { startMs: prev.tsMs, endMs: cur.tsMs, amountMicro: 0, quality: 'suspect', kind: 'implausible' };
  }
  const hours = span / HOUR_MS;
  if (meter.maxPlausiblePerHour !== undefined && hours > 0 && Math.abs(native) / hours > meter.maxPlausiblePerHour) {
    return { startMs: prev.tsMs, endMs: cur.tsMs, amountMicro: 0, quality: 'suspect', kind: 'implausible' };
  }
  // A manual meter's readings are read or billed by hand, never a measured profile: every interval
  // between them is an estimate spread pro rata (issue 15, item 5).
  const gap = meter.reading === 'manual' || span > (meter.intervalS ?? 900) * 1000 * GAP_FACTOR;
  const quality: Quality = kind === 'backwards' ? 'suspect' : gap ? 'estimated' : 'good';
  return { startMs: prev.tsMs, endMs: cur.tsMs, amountMicro: Math.round(native * MICRO), quality, kind };
}

/** A part of an interval's consumption that falls in one hour. */
export interface HourShare {
  readonly hourStartMs: number;
  readonly amountMicro: number;
}

/** How an interval's amount divides among its hours: first (partial), middle (whole) and last (partial). */
interface HourClasses {
  /** Floor of the exact share of the first, a middle, and the last hour. */
  readonly q: readonly number[];
  /** `order[a][b]`: sign of remainder(a) − remainder(b), the order of the largest-remainder rounding. */
  readonly order: readonly (readonly number[])[];
  /** Micro-units left after the floors, one each to the hours of largest remainder: in [0, hours). */
  readonly rest: number;
}

/**
 * Exact floors and remainders of amount × overlap / total for the three overlaps (integers): in
 * doubles while |amount| × total stays below 2^53 (every product and remainder is then exact), in
 * BigInt beyond.
 */
function hourClasses(amount: number, overlaps: readonly [number, number, number], middles: number): HourClasses {
  const [first, whole, last] = overlaps;
  const total = first + middles * whole + last;
  if (Number.isSafeInteger(amount) && Math.abs(amount) * total <= Number.MAX_SAFE_INTEGER) {
    const r = overlaps.map((o) => (((amount * o) % total) + total) % total);
    const q = overlaps.map((o, k) => (amount * o - (r[k] as number)) / total);
    const order = r.map((a) => r.map((b) => Math.sign(a - b)));
    return { q, order, rest: amount - (q[0] as number) - (q[1] as number) * middles - (q[2] as number) };
  }
  const a = BigInt(amount);
  const t = BigInt(total);
  const r = overlaps.map((o) => (((a * BigInt(o)) % t) + t) % t);
  const q = overlaps.map((o, k) => (a * BigInt(o) - (r[k] as bigint)) / t);
  const order = r.map((x) => r.map((y) => (x > y ? 1 : x < y ? -1 : 0)));
  const rest = a - (q[0] as bigint) - (q[1] as bigint) * BigInt(middles) - (q[2] as bigint);
  return { q: q.map(Number), order, rest: Number(rest) };
}

/**
 * Spreads an amount over the hours between two instants in proportion to time, in integer
 * micro-units whose sum over all hours is exactly the amount: each hour gets the floor of its
 * exact share amount × overlap / length, and the micro-units left go one each to the hours of
 * largest remainder (the earlier hour on a tie). Only hours in [fromMs, toMs) are returned, and
 * only they are computed: an interval of decades costs the hours of the window, not of the
 * interval. Every hour but the first and last has the same share, so the rank of any hour is
 * found without sorting. `amountMicro` is an integer (a RangeError when it is not finite).
 */
export function spreadOverHours(
  startMs: number,
  endMs: number,
  amountMicro: number,
  fromMs = Number.NEGATIVE_INFINITY,
  toMs = Number.POSITIVE_INFINITY,
): HourShare[] {
  if (!(endMs > startMs)) return [];
  const firstHour = floorHour(startMs);
  const lastHour = ceilHour(endMs) - HOUR_MS;
  const n = Math.round((lastHour - firstHour) / HOUR_MS) + 1;
  const iFrom = Math.max(0, Math.ceil((fromMs - firstHour) / HOUR_MS));
  const iTo = Math.min(n - 1, Math.ceil((toMs - firstHour) / HOUR_MS) - 1);
  if (n === 1) return iFrom <= 0 && iTo >= 0 ? [{ hourStartMs: firstHour, amountMicro }] : [];
  if (!Number.isFinite(amountMicro)) throw new RangeError(`cannot spread ${amountMicro} micro-units`);
  const overlaps = [Math.round(firstHour + HOUR_MS - startMs), HOUR_MS, Math.round(endMs - lastHour)] as const;
  const { q, order, rest } = hourClasses(Math.round(amountMicro), overlaps, n - 2);
  // Hours of each class, as index ranges: the first, the n-2 whole ones, the last.
  const lo = [0, 1, n - 1];
  const hi = [0, n - 2, n - 1];
  const out: HourShare[] = [];
  for (let i = iFrom; i <= iTo; i++) {
    const own = i === 0 ? 0 : i === n - 1 ? 2 : 1;
    const ranks = order[own] as readonly number[];
    let rank = 0;
    for (let c = 0; c < 3; c++) {
      const from = lo[c] as number;
      const to = hi[c] as number;
      if (ranks[c] === -1) rank += to - from + 1;
      else if (ranks[c] === 0) rank += Math.max(0, Math.min(to, i - 1) - from + 1);
    }
    out.push({ hourStartMs: firstHour + i * HOUR_MS, amountMicro: (q[own] as number) + (rank < rest ? 1 : 0) });
  }
  return out;
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
    // A loop, not push(...): a spread of a long history overflows the call stack.
    for (const x of kept) if (x.tsMs >= from && x.tsMs < to) points.push(x);
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
      for (const share of spreadOverHours(interval.startMs, interval.endMs, interval.amountMicro, fromMs, toMs)) {
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
