/**
 * Counter rules: how a cumulative register moves between two readings (DOMAIN.md, "Meters are
 * registers"). Pure functions, exhaustively tested.
 */

/** What a register counts: consumption (`import`), energy fed out (`export`), or a net register. */
export type Direction = 'import' | 'export' | 'net';

/** How the register moved between two readings. */
export type DeltaKind = 'normal' | 'rollover' | 'backwards';

/** The register movement between two consecutive readings, in register units (before the multiplier). */
export interface RegisterDelta {
  readonly kind: DeltaKind;
  readonly delta: number;
}

/** A register within this share of its modulus counts as "near the top" (or "near zero") for rollover. */
export const ROLLOVER_BAND = 0.1;

/**
 * The register delta between two readings. A register that goes down is a rollover when it was
 * near its modulus and restarts near zero (99999999.9 → 0.0 is 0.1 with modulus 100000000);
 * otherwise it went backwards, which is never negative consumption: the delta is 0 (the interval
 * is suspect). A `net` register may go down: its delta is signed, and it can roll over both ways.
 */
export function registerDelta(
  prev: number,
  cur: number,
  registerModulus: number | undefined,
  direction: Direction = 'import',
): RegisterDelta {
  const m = registerModulus;
  // Plain comparisons, no closures: this runs for every interval of every meter.
  const topLine = m === undefined ? Number.POSITIVE_INFINITY : m * (1 - ROLLOVER_BAND);
  const zeroLine = m === undefined ? Number.NEGATIVE_INFINITY : m * ROLLOVER_BAND;
  if (direction === 'net') {
    if (m !== undefined && prev >= topLine && cur <= zeroLine) return { kind: 'rollover', delta: m - prev + cur };
    if (m !== undefined && prev <= zeroLine && cur >= topLine) return { kind: 'rollover', delta: -(m - cur + prev) };
    return { kind: 'normal', delta: cur - prev };
  }
  if (cur >= prev) return { kind: 'normal', delta: cur - prev };
  if (m !== undefined && prev >= topLine && cur <= zeroLine) return { kind: 'rollover', delta: m - prev + cur };
  return { kind: 'backwards', delta: 0 };
}

/** Whether a register can have moved from `a` to `b` without going backwards. */
export function consistent(a: number, b: number, registerModulus: number | undefined, direction: Direction): boolean {
  return registerDelta(a, b, registerModulus, direction).kind !== 'backwards';
}

/** A point of a register's sequence: a reading, or an anchor set by a replacement event (never a glitch). */
export interface RegisterPoint {
  readonly tsMs: number;
  readonly value: number;
  readonly anchor?: boolean;
}

/**
 * Flags glitches: single readings out of sequence with neighbours that agree with each other
 * (1000, 1010, 5, 1020: the 5 is a glitch; 1000, 1010, 99999, 1020: the 99999 is). A glitch is
 * never a reference for the next delta; the interval around it is computed from its neighbours.
 * A reading that goes backwards and stays there (1010, 5, 15) is not a glitch: it is a reset
 * without an event, whose interval counts 0 and is suspect.
 */
export function glitches(
  points: readonly RegisterPoint[],
  registerModulus: number | undefined,
  direction: Direction,
): boolean[] {
  const out = new Array<boolean>(points.length).fill(false);
  for (let i = 1; i < points.length - 1; i++) {
    const prev = points[i - 1] as RegisterPoint;
    const p = points[i] as RegisterPoint;
    const next = points[i + 1] as RegisterPoint;
    if (p.anchor === true || !consistent(prev.value, next.value, registerModulus, direction)) continue;
    out[i] =
      !consistent(prev.value, p.value, registerModulus, direction) ||
      !consistent(p.value, next.value, registerModulus, direction);
  }
  return out;
}
