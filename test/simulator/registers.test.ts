import { describe, expect, it } from 'vitest';
import { buildFleet } from '../../simulator/fleet.js';
import type { SimMeter, SimReading } from '../../simulator/model.js';
import { consumptionInInterval } from '../../simulator/profiles.js';
import { displayRegister, RegisterClock, readingsBetween, registerAt } from '../../simulator/registers.js';

const fleet = buildFleet({ seed: 3, districts: 3, institutions: 40 });
const FROM_MS = Date.parse('2026-11-13T06:00:00+08:00');
const TO_MS = Date.parse('2026-11-16T06:00:00+08:00'); // three days, across a weekend
const STEP_MS = 900_000;
const DAY_MS = 86_400_000;

/** What a consumer computes from two consecutive registers: the delta, modulo the register, times the multiplier. */
function consumed(m: SimMeter, prev: number, cur: number): number {
  const delta = cur >= prev ? cur - prev : m.registerModulus - prev + cur;
  return delta * m.multiplier;
}

/** Checks a meter's readings against the load model: per interval to rounding, and in total exactly up to two roundings. */
function expectConsistent(m: SimMeter, readings: SimReading[]): { rollovers: number } {
  const resolution = 10 ** -m.registerDecimals;
  let rollovers = 0;
  let sumConsumed = 0;
  let sumModel = 0;
  for (let i = 1; i < readings.length; i++) {
    const prev = readings[i - 1] as SimReading;
    const cur = readings[i] as SimReading;
    if (cur.value < prev.value) rollovers++;
    const fromConsumer = consumed(m, prev.value, cur.value);
    const fromModel = consumptionInInterval(m, prev.tsMs, cur.tsMs);
    expect(Math.abs(fromConsumer - fromModel)).toBeLessThanOrEqual((resolution + 1e-9) * m.multiplier);
    sumConsumed += fromConsumer;
    sumModel += fromModel;
  }
  // Rounding errors do not accumulate: the diffs telescope to the two end registers.
  expect(Math.abs(sumConsumed - sumModel)).toBeLessThanOrEqual((resolution + 1e-6) * m.multiplier);
  return { rollovers };
}

describe('registers', () => {
  it('diffs of consecutive registers, times the multiplier, equal the consumption of each interval', () => {
    const meters = [
      ...new Set([
        ...fleet.meters.filter((m) => m.multiplier > 1).slice(0, 5),
        ...fleet.meters.filter((m) => m.energy === 'electricity' && m.multiplier === 1).slice(0, 5),
        ...fleet.meters.filter((m) => m.energy !== 'electricity').slice(0, 5),
      ]),
    ];
    const readings = [...readingsBetween(meters, FROM_MS, TO_MS, 900)];
    for (const m of meters) {
      const own = readings.filter((r) => r.meterId === m.id);
      expect(own).toHaveLength((TO_MS - FROM_MS) / STEP_MS);
      expectConsistent(m, own);
    }
  });

  it('stays consistent across a rollover of the register', () => {
    const base = fleet.meters.find((m) => m.multiplier > 1 && m.institutionType === 'hospital') as SimMeter;
    // A register of 6 digits and 2 decimals that reaches its modulus a few hours into the window.
    const firstHours = consumptionInInterval(base, FROM_MS, FROM_MS + 5 * 3_600_000) / base.multiplier;
    const meter: SimMeter = {
      ...base,
      registerModulus: 1e6,
      registerOriginMs: FROM_MS,
      initialRegister: 1e6 - firstHours,
    };
    const readings = [...readingsBetween([meter], FROM_MS, TO_MS, 900)];
    expect(readings[0]?.value).toBeCloseTo(1e6 - firstHours, 2);
    const { rollovers } = expectConsistent(meter, readings);
    expect(rollovers).toBe(1);
    for (const r of readings) {
      expect(r.value).toBeGreaterThanOrEqual(0);
      expect(r.value).toBeLessThan(1e6);
    }
  });

  it('is a function of time: any order, any start and a fresh clock agree', () => {
    const m = fleet.meters[17] as SimMeter;
    const instants = Array.from({ length: 80 }, (_, k) => FROM_MS + k * 2 * STEP_MS);
    const forward = instants.map((t) => registerAt(m, t));
    const clock = new RegisterClock({ ...m });
    const backward = [...instants]
      .reverse()
      .map((t) => clock.registerAt(t))
      .reverse();
    expect(backward).toEqual(forward);
    const lastMs = instants[instants.length - 1] ?? 0;
    const fromLater = [...readingsBetween([m], FROM_MS + DAY_MS, lastMs + 1, 1800)].map((r) => r.value);
    expect(fromLater).toEqual(instants.filter((t) => t >= FROM_MS + DAY_MS).map((t) => registerAt(m, t)));
    // Before the register origin too (the register then counts back from its initial value).
    const early = Date.parse('2024-06-01T12:00:00+08:00');
    expect(registerAt(m, early)).toBe(new RegisterClock({ ...m }).registerAt(early));
    expect(registerAt(m, early)).not.toBe(m.initialRegister);
  });

  it('at the origin shows the initial register', () => {
    const m = fleet.meters[0] as SimMeter;
    expect(registerAt(m, m.registerOriginMs)).toBe(m.initialRegister);
  });

  it('yields readings grouped per instant, on the interval grid, lazily', () => {
    const meters = fleet.meters.slice(0, 12);
    const from = FROM_MS + 123_456;
    const readings = [...readingsBetween(meters, from, from + 2 * 3_600_000, 1800)];
    const instants = [...new Set(readings.map((r) => r.tsMs))];
    expect(instants.every((t) => t % 1_800_000 === 0 && t >= from)).toBe(true);
    expect(instants).toHaveLength(4);
    instants.forEach((t, k) => {
      const block = readings.slice(k * meters.length, (k + 1) * meters.length);
      expect(block.map((r) => [r.tsMs, r.meterId, r.gatewayId])).toEqual(meters.map((m) => [t, m.id, m.gatewayId]));
    });
    // A city-year is not materialised: the first reading comes at once.
    const big = buildFleet({ seed: 1, districts: 11, institutions: 1000 });
    const year = readingsBetween(
      big,
      Date.parse('2026-01-01T00:00:00+08:00'),
      Date.parse('2027-01-01T00:00:00+08:00'),
      900,
    );
    expect(year.next().value?.meterId).toBe(big.meters[0]?.id);
  });

  it('displays registers rounded to their decimals and wrapped at the modulus', () => {
    const m = { ...(fleet.meters[0] as SimMeter), registerModulus: 1000, registerDecimals: 2 };
    expect(displayRegister(m, 999.996)).toBe(0);
    expect(displayRegister(m, 1000.5)).toBe(0.5);
    expect(displayRegister(m, -0.25)).toBe(999.75);
    expect(displayRegister(m, 123.4567)).toBe(123.46);
  });
});
