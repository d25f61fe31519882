import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  deriveHourly,
  intervalConsumption,
  MICRO,
  registerDelta,
  spreadOverHours,
} from '../../core/domain/consumption.js';
import type { Meter } from '../../core/domain/registry.js';

const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 1, 0, 0); // an hour boundary
const meter: Meter = {
  id: 'm',
  buildingId: 'b',
  gatewayId: 'g',
  energy: 'electricity',
  unit: 'kWh',
  multiplier: 1,
  registerModulus: 100_000_000,
  intervalS: 900,
};

describe('registerDelta', () => {
  it('counts forward movement', () => {
    expect(registerDelta(10, 12.5, undefined)).toEqual({ kind: 'normal', delta: 2.5 });
  });
  it('rolls over at the modulus: 99999999.9 → 0.0 is 0.1', () => {
    const d = registerDelta(99_999_999.9, 0.0, 100_000_000);
    expect(d.kind).toBe('rollover');
    expect(d.delta).toBeCloseTo(0.1, 6);
  });
  it('never gives negative consumption when a register goes backwards', () => {
    expect(registerDelta(5000, 4000, 100_000_000)).toEqual({ kind: 'backwards', delta: 0 });
    expect(registerDelta(5000, 4000, undefined)).toEqual({ kind: 'backwards', delta: 0 });
  });
});

describe('intervalConsumption', () => {
  it('applies the multiplier and converts units to the native unit', () => {
    const c = intervalConsumption(
      { ...meter, multiplier: 80 },
      { tsMs: T0, value: 1 },
      { tsMs: T0 + 900_000, value: 1.5 },
    );
    expect(c.amountMicro).toBe(40 * MICRO);
    expect(c.quality).toBe('good');
    const heat = intervalConsumption(
      { ...meter, energy: 'heat', unit: 'MJ' },
      { tsMs: T0, value: 0 },
      { tsMs: T0 + 900_000, value: 500 },
    );
    expect(heat.amountMicro).toBe(0.5 * MICRO);
  });
  it('marks a gap estimated and a backwards register suspect', () => {
    expect(intervalConsumption(meter, { tsMs: T0, value: 0 }, { tsMs: T0 + 3 * H, value: 3 }).quality).toBe(
      'estimated',
    );
    expect(intervalConsumption(meter, { tsMs: T0, value: 9 }, { tsMs: T0 + 900_000, value: 3 }).quality).toBe(
      'suspect',
    );
  });
});

describe('spreadOverHours', () => {
  it('spreads in proportion to time', () => {
    const shares = spreadOverHours(T0 + 30 * 60_000, T0 + 2 * H + 30 * 60_000, 200);
    expect(shares).toEqual([
      { hourStartMs: T0, amountMicro: 50 },
      { hourStartMs: T0 + H, amountMicro: 100 },
      { hourStartMs: T0 + 2 * H, amountMicro: 50 },
    ]);
  });
  it('conserves the amount exactly for any interval and amount', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 400 * H }),
        fc.integer({ min: 1, max: 100 * H }),
        fc.integer({ min: 0, max: 1e12 }),
        (start, length, amount) => {
          const shares = spreadOverHours(T0 + start, T0 + start + length, amount);
          expect(shares.reduce((s, x) => s + x.amountMicro, 0)).toBe(amount);
          for (const s of shares) expect(s.amountMicro).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });
});

describe('deriveHourly', () => {
  it('sums 15-minute intervals into hours and counts readings', () => {
    const readings = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => ({ tsMs: T0 + i * 900_000, value: i * 2 }));
    const rows = deriveHourly(meter, readings, T0, T0 + 2 * H);
    expect(rows.map((r) => [r.hourStartMs - T0, r.amountMicro / MICRO, r.readingsCount, r.quality])).toEqual([
      [0, 8, 4, 'good'],
      [H, 8, 4, 'good'],
    ]);
  });
  it('restricted to a window, gives the same hours as the whole history', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 48 * 4 }), { minLength: 2, maxLength: 60 }),
        fc.integer({ min: 0, max: 47 }),
        (slots, hourOffset) => {
          const stamps = slots.sort((a, b) => a - b).map((s) => T0 + s * 900_000);
          const readings = stamps.map((ts, i) => ({ tsMs: ts, value: i * 1.5 }));
          const all = deriveHourly(meter, readings, T0, T0 + 49 * H);
          const from = T0 + hourOffset * H;
          const to = from + H;
          const lo = readings.findLastIndex((r) => r.tsMs <= from);
          const hi = readings.findIndex((r) => r.tsMs >= to);
          const window = readings.slice(Math.max(0, lo), hi < 0 ? undefined : hi + 1);
          expect(deriveHourly(meter, window, from, to)).toEqual(all.filter((r) => r.hourStartMs === from));
        },
      ),
    );
  });
});
