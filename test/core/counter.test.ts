import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveHourly, intervalConsumption, MICRO } from '../../core/domain/consumption.js';
import { glitches, registerDelta } from '../../core/domain/counter.js';
import type { MeterEventInput } from '../../core/domain/meter-events.js';
import { eventConflicts, multiplierAt } from '../../core/domain/meter-events.js';
import type { Meter } from '../../core/domain/registry.js';

const H = 3_600_000;
const T0 = Date.parse('2026-11-01T00:00:00+08:00');
const meter: Meter = {
  id: 'm',
  buildingId: 'b',
  gatewayId: 'g',
  energy: 'electricity',
  unit: 'kWh',
  multiplier: 1,
  registerModulus: 100_000_000,
  intervalS: 3600,
};
const hourly = (values: number[], m: Meter = meter, events: MeterEventInput[] = []) =>
  deriveHourly(
    m,
    values.map((value, i) => ({ tsMs: T0 + i * H, value })),
    T0,
    T0 + values.length * H,
    events,
  ).map((h) => ({
    kwh: h.amountMicro / MICRO,
    q: h.quality,
  }));
const total = (rows: { kwh: number }[]) => Math.round(rows.reduce((s, r) => s + r.kwh, 0) * MICRO) / MICRO;

describe('counter rules', () => {
  it('rolls over at the modulus only near the top', () => {
    expect(registerDelta(99_999_999.9, 0, 100_000_000).kind).toBe('rollover');
    expect(registerDelta(99_999_999.9, 0, 100_000_000).delta).toBeCloseTo(0.1, 6);
    expect(registerDelta(50_000_000, 10, 100_000_000).kind).toBe('backwards');
    expect(registerDelta(99_999_990, 20_000_000, 100_000_000).kind).toBe('backwards');
  });
  it('lets a net register go down, and roll over both ways', () => {
    expect(registerDelta(100, 90, undefined, 'net')).toEqual({ kind: 'normal', delta: -10 });
    expect(registerDelta(5, 99_999_995, 100_000_000, 'net').delta).toBeCloseTo(-10, 6);
  });
  it('never gives negative consumption for a backwards import register', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e8, noNaN: true }),
        fc.double({ min: 0, max: 1e8, noNaN: true }),
        (a, b) => {
          expect(registerDelta(a, b, 100_000_000).delta).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });
  it('flags a single reading out of sequence as a glitch, not a reset', () => {
    const pts = (vs: number[]) => vs.map((value, i) => ({ tsMs: i, value }));
    expect(glitches(pts([1000, 1010, 5, 1020]), 1e8, 'import')).toEqual([false, false, true, false]);
    expect(glitches(pts([1000, 1010, 99_999, 1020]), 1e8, 'import')).toEqual([false, false, true, false]);
    expect(glitches(pts([1000, 1010, 5, 15, 25]), 1e8, 'import')).toEqual([false, false, false, false, false]);
  });
  it('computes around a glitch from its neighbours and marks the hour suspect', () => {
    const rows = hourly([1000, 1010, 5, 1030]);
    expect(total(rows)).toBe(30);
    expect(rows.map((r) => r.q)).toEqual(['good', 'estimated', 'suspect', 'missing']);
  });
  it('counts a reset without an event as 0 and suspect, then goes on from the new value', () => {
    const rows = hourly([1000, 1010, 5, 15]);
    expect(rows.map((r) => [r.kwh, r.q])).toEqual([
      [10, 'good'],
      [0, 'suspect'],
      [10, 'good'],
      [0, 'missing'],
    ]);
  });
  it('quarantines an implausible jump: flagged, not summed', () => {
    const rows = hourly([0, 10, 5010, 5020], { ...meter, maxPlausiblePerHour: 100 });
    expect(rows.map((r) => [r.kwh, r.q]).slice(0, 3)).toEqual([
      [10, 'good'],
      [0, 'suspect'],
      [10, 'good'],
    ]);
  });
  it('spreads a gap pro rata over the missing hours and marks them estimated', () => {
    const readings = [
      { tsMs: T0, value: 0 },
      { tsMs: T0 + 4 * H, value: 40 },
    ];
    const rows = deriveHourly(meter, readings, T0, T0 + 5 * H);
    expect(rows.slice(0, 4).map((r) => [r.amountMicro / MICRO, r.estimatedMicro / MICRO, r.quality])).toEqual(
      Array(4).fill([10, 10, 'estimated']),
    );
  });
  it('counts an export register negative so that sums are net', () => {
    expect(total(hourly([0, 5, 10], { ...meter, direction: 'export' }))).toBe(-10);
  });
});

describe('lifecycle events', () => {
  it('never counts a replacement as consumption', () => {
    // Old meter 5000 → final 5004 at 02:30; new meter starts at 12.5 and reads 14.5 at 03:00.
    const replace: MeterEventInput = { type: 'replace', ts: T0 + 2.5 * H, oldFinal: 5004, newInitial: 12.5 };
    const rows = hourly([5000, 5002, 5003, 14.5, 16.5], meter, [replace]);
    expect(total(rows)).toBe(3 + 1 + 2 + 2);
    expect(rows.every((r) => r.q !== 'suspect')).toBe(true);
  });
  it('applies a multiplier change from its instant, pro rata within an interval', () => {
    const change: MeterEventInput = { type: 'multiplier', ts: T0 + 1.5 * H, multiplier: 2 };
    const rows = hourly([0, 10, 20, 30], meter, [change]);
    // 0→10 ×1; 10→20: half ×1, half ×2 = 15; 20→30 ×2 = 20.
    expect(rows.slice(0, 3).map((r) => r.kwh)).toEqual([10, 15, 20]);
    expect(multiplierAt(1, [change], T0)).toBe(1);
    expect(multiplierAt(1, [change], T0 + 2 * H)).toBe(2);
  });
  it('ignores readings after a decommission', () => {
    const rows = hourly([0, 10, 20, 30], meter, [{ type: 'decommission', ts: T0 + H }]);
    expect(total(rows)).toBe(10);
  });
  it('refuses contradictory events', () => {
    const existing: MeterEventInput[] = [{ type: 'replace', ts: 100, oldFinal: 1, newInitial: 0 }];
    expect(eventConflicts(existing, { type: 'replace', ts: 100, oldFinal: 2, newInitial: 0 })).toHaveLength(1);
    expect(eventConflicts(existing, { type: 'replace', ts: 200, oldFinal: 2, newInitial: 0 })).toEqual([]);
    expect(
      eventConflicts([{ type: 'decommission', ts: 50 }], { type: 'multiplier', ts: 60, multiplier: 2 }),
    ).toHaveLength(1);
  });
  it('conserves consumption between two readings across gaps, rollover and replacement', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 2, maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 30, maxLength: 30 }),
        fc.integer({ min: 0, max: 29 }),
        fc.double({ min: 0, max: 1000, noNaN: true }),
        (steps, gaps, replaceAt, newInitial) => {
          // Registers near the modulus so that some runs roll over; a replacement at one reading.
          let value = 99_999_000;
          let ts = T0;
          const readings: { tsMs: number; value: number }[] = [];
          let expected = 0;
          const events: MeterEventInput[] = [];
          steps.forEach((step, i) => {
            if (i > 0) {
              ts += (gaps[i] ?? 1) * 900_000;
              expected += step;
            }
            if (i === replaceAt && i > 0) {
              const oldFinal = (value + step / 2) % 100_000_000;
              events.push({ type: 'replace', ts: ts - 1000, oldFinal, newInitial });
              value = newInitial + step / 2;
            } else {
              value = (value + (i > 0 ? step : 0)) % 100_000_000;
            }
            readings.push({ tsMs: ts, value: Math.round(value * 1000) / 1000 });
          });
          const rows = deriveHourly({ ...meter, intervalS: 900 }, readings, T0 - H, ts + H, events);
          const sum = rows.reduce((s, r) => s + r.amountMicro, 0) / MICRO;
          expect(sum).toBeCloseTo(expected, 1);
        },
      ),
    );
  });
  it('prices an interval by the multiplier of each part of it', () => {
    const c = intervalConsumption({ ...meter, multiplier: 40 }, { tsMs: 0, value: 0 }, { tsMs: H, value: 1 }, [
      { type: 'multiplier', ts: H / 4, multiplier: 80 },
    ]);
    expect(c.amountMicro / MICRO).toBe(0.25 * 40 + 0.75 * 80);
  });
});
