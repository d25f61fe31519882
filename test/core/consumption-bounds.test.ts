import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  deriveHourly,
  type HourShare,
  intervalConsumption,
  MAX_INTERVAL_NATIVE,
  MICRO,
  spreadOverHours,
} from '../../core/domain/consumption.js';
import type { Meter } from '../../core/domain/registry.js';

// Issue "No device can stop ingest", item 1: intervals the store cannot hold, and intervals of
// decades, must neither fail a batch nor blow the stack.
const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 1);
const meter: Meter = {
  id: 'm',
  buildingId: 'b',
  gatewayId: 'g',
  energy: 'electricity',
  unit: 'kWh',
  multiplier: 1,
  intervalS: 900,
};

/** Largest-remainder spread computed the plain way: every hour, exact remainders, a full sort. */
function reference(startMs: number, endMs: number, amountMicro: number): HourShare[] {
  const first = Math.floor(startMs / H) * H;
  const total = BigInt(endMs - startMs);
  const amount = BigInt(amountMicro);
  const pieces: { hourStartMs: number; q: bigint; r: bigint }[] = [];
  for (let h = first; h < endMs; h += H) {
    const p = amount * BigInt(Math.min(endMs, h + H) - Math.max(startMs, h));
    let q = p / total;
    let r = p % total;
    if (r < 0n) {
      r += total;
      q -= 1n;
    }
    pieces.push({ hourStartMs: h, q, r });
  }
  let rest = Number(amount - pieces.reduce((s, p) => s + p.q, 0n));
  const order = pieces.map((p, i) => ({ i, r: p.r })).sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  const bonus = new Array<number>(pieces.length).fill(0);
  for (const o of order) if (rest-- > 0) bonus[o.i] = 1;
  return pieces.map((p, i) => ({ hourStartMs: p.hourStartMs, amountMicro: Number(p.q) + (bonus[i] ?? 0) }));
}

const sum = (shares: readonly { amountMicro: number }[]) => shares.reduce((s, x) => s + x.amountMicro, 0);

describe('intervals the store cannot hold', () => {
  const at = (value: number, tsMs: number) => ({ tsMs, value });
  it(`quarantines more than MAX_INTERVAL_NATIVE (${MAX_INTERVAL_NATIVE}) native units: 0, suspect`, () => {
    const big = intervalConsumption(meter, at(0, T0), at(5e12, T0 + 900_000));
    expect(big).toMatchObject({ amountMicro: 0, quality: 'suspect', kind: 'implausible' });
    const negative = intervalConsumption({ ...meter, direction: 'net' }, at(5e12, T0), at(0, T0 + 900_000));
    expect(negative).toMatchObject({ amountMicro: 0, quality: 'suspect' });
    const edge = intervalConsumption(meter, at(0, T0), at(MAX_INTERVAL_NATIVE, T0 + 900_000));
    expect(edge).toMatchObject({ amountMicro: MAX_INTERVAL_NATIVE * MICRO, quality: 'good' });
    expect(intervalConsumption(meter, at(0, T0), at(MAX_INTERVAL_NATIVE + 1, T0 + 900_000)).amountMicro).toBe(0);
  });
  it('quarantines what an absurd multiplier makes of a delta, Infinity and NaN included', () => {
    expect(intervalConsumption({ ...meter, multiplier: 1e308 }, at(0, T0), at(10, T0 + 900_000))).toMatchObject({
      amountMicro: 0,
      quality: 'suspect',
    });
    const nan = intervalConsumption({ ...meter, multiplier: Number.POSITIVE_INFINITY }, at(5, T0), at(5, T0 + H));
    expect(nan).toMatchObject({ amountMicro: 0, quality: 'suspect' });
  });
  it('derives hours around a register that jumps to 5e12 and stays: that interval is 0 and suspect', () => {
    const readings = [0, 1, 5e12, 5e12 + 1].map((value, i) => ({ tsMs: T0 + i * H, value }));
    const rows = deriveHourly(meter, readings, T0, T0 + 4 * H);
    expect(rows.map((r) => [r.amountMicro, r.quality])).toEqual([
      [1 * MICRO, 'estimated'],
      [0, 'suspect'],
      [1 * MICRO, 'estimated'],
      [0, 'missing'],
    ]);
  });
});

describe('spreadOverHours: exact, windowed, any length', () => {
  it('matches the plain largest-remainder spread, whole or through any window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 * H }),
        fc.integer({ min: 1, max: 60 * H }),
        // Small amounts take the double path, large ones the BigInt path.
        fc.oneof(fc.integer({ min: -1e6, max: 1e6 }), fc.integer({ min: -1e15, max: 1e15 })),
        fc.integer({ min: -5, max: 80 }),
        fc.integer({ min: 0, max: 80 }),
        (start, length, amount, fromHour, hours) => {
          const want = reference(T0 + start, T0 + start + length, amount);
          expect(spreadOverHours(T0 + start, T0 + start + length, amount)).toEqual(want);
          const fromMs = T0 + fromHour * H;
          const toMs = fromMs + hours * H;
          const window = spreadOverHours(T0 + start, T0 + start + length, amount, fromMs, toMs);
          expect(window).toEqual(want.filter((s) => s.hourStartMs >= fromMs && s.hourStartMs < toMs));
        },
      ),
      { numRuns: 500 },
    );
  });
  it('conserves amounts beyond 2^53 / overlap, where doubles would round', () => {
    const start = T0 + 1234;
    const end = T0 + 7 * H + 5678;
    for (const amount of [2 ** 53 - 1, -(2 ** 53 - 1), 1e15 + 7, 3]) {
      const shares = spreadOverHours(start, end, amount);
      expect(shares).toEqual(reference(start, end, amount));
      expect(BigInt(sum(shares))).toBe(BigInt(amount));
    }
  });
  it('spreads 2000-01-01 → 2026-12-06 (≈236,000 hours) whole in well under a second, exactly', () => {
    const start = Date.UTC(2000, 0, 1, 0, 17);
    const end = Date.UTC(2026, 11, 6, 9, 45);
    const amount = 123_456_789_012_345;
    const t = performance.now();
    const shares = spreadOverHours(start, end, amount);
    expect(performance.now() - t).toBeLessThan(1000);
    expect(shares.length).toBeGreaterThan(236_000);
    expect(sum(shares)).toBe(amount);
  });
  it('computes only the hours of the window asked for', () => {
    const start = Date.UTC(2000, 0, 1);
    const end = Date.UTC(2026, 11, 6);
    const day = spreadOverHours(start, end, 1e15, Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 2));
    expect(day.map((s) => s.hourStartMs)).toEqual(Array.from({ length: 24 }, (_, i) => Date.UTC(2026, 0, 1) + i * H));
    // Far beyond the array a whole spread would need: 2^32 hours.
    const huge = spreadOverHours(0, 2 ** 32 * H, 1e15, 10 * H, 12 * H);
    expect(huge).toHaveLength(2);
  });
});

describe('deriveHourly over long histories', () => {
  it('derives a window of an interval of decades, without the whole interval', () => {
    const readings = [
      { tsMs: Date.UTC(2000, 0, 1), value: 0 },
      { tsMs: Date.UTC(2026, 11, 6), value: 236_000 },
    ];
    const fromMs = Date.UTC(2026, 11, 5);
    const t = performance.now();
    const rows = deriveHourly(meter, readings, fromMs, fromMs + 24 * H);
    // Spreading the whole interval takes about a second; 24 hours of it take microseconds.
    expect(performance.now() - t).toBeLessThan(100);
    expect(rows).toHaveLength(24);
    expect(rows.every((r) => r.quality === 'estimated' && Math.abs(r.amountMicro - 0.999 * MICRO) < 0.01 * MICRO)).toBe(
      true,
    );
    const whole = deriveHourly(meter, readings, readings[0]?.tsMs ?? 0, Date.UTC(2026, 11, 6));
    expect(sum(whole)).toBe(236_000 * MICRO);
  });
  it('derives 200,000 readings of one register (a spread call would overflow the stack)', () => {
    const readings = Array.from({ length: 200_000 }, (_, i) => ({ tsMs: T0 + i * 900_000, value: i }));
    const rows = deriveHourly(meter, readings, T0, T0 + 50_000 * H);
    expect(rows).toHaveLength(50_000);
    expect(sum(rows)).toBe(199_999 * MICRO);
  });
});
