import { describe, expect, it } from 'vitest';
import { registerDelta } from '../../core/domain/consumption.js';
import { dayInfo } from '../../simulator/calendar.js';
import { buildFleet } from '../../simulator/fleet.js';
import type { LabelKind, LabelOf } from '../../simulator/labels.js';
import type { SimMeter } from '../../simulator/model.js';
import { planScenario } from '../../simulator/planner.js';
import { consumptionInInterval } from '../../simulator/profiles.js';
import { RegisterClock, registerAt } from '../../simulator/registers.js';
import type { Scenario } from '../../simulator/scenario.js';

const TZ = 'Asia/Shanghai';
const HOUR_MS = 3_600_000;
const OFFSET_MS = 8 * HOUR_MS; // Asia/Shanghai keeps +08:00 all year
const fleet = buildFleet({ seed: 11, districts: 2, institutions: 8 });
const meterById = new Map(fleet.meters.map((m) => [m.id, m]));
const FROM_MS = Date.parse('2026-11-02T00:00:00+08:00');
const TO_MS = Date.parse('2026-11-30T00:00:00+08:00');

/** A scenario of one kind only, so that no other event adds to what is checked. */
function only<K extends LabelKind>(kind: K): { scenario: Scenario; labels: LabelOf<K>[] } {
  const scenario = planScenario(fleet, {
    seed: 9,
    fromMs: FROM_MS,
    toMs: TO_MS,
    faultRate: 2,
    anomalyRate: 2,
    kinds: [kind],
  });
  const labels = scenario.labels.filter((l): l is LabelOf<K> => l.kind === kind);
  expect(labels.length).toBeGreaterThan(0);
  expect(labels).toHaveLength(scenario.labels.length);
  return { scenario, labels };
}

const meter = (id: string) => meterById.get(id) as SimMeter;
const ms = (iso: string) => Date.parse(iso);
/** Two roundings of the register, in native units. */
const tolerance = (m: SimMeter) => 10 ** -m.registerDecimals * m.multiplier * 1.0001 + 1e-9;

/** What a consumer computes from the registers at two instants: the delta, modulo the register, times the multiplier. */
function consumed(m: SimMeter, scenario: Scenario | undefined, aMs: number, bMs: number): number {
  const a = registerAt(m, aMs, TZ, scenario);
  const b = registerAt(m, bMs, TZ, scenario);
  return (b >= a ? b - a : m.registerModulus - a + b) * m.multiplier;
}

/** Consumption above the no-anomaly model in [aMs, bMs), as seen by diffing registers. */
const extraSeen = (m: SimMeter, s: Scenario, aMs: number, bMs: number) =>
  consumed(m, s, aMs, bMs) - consumptionInInterval(m, aMs, bMs, TZ);

const hoursOf = (startMs: number, endMs: number) =>
  Array.from({ length: Math.round((endMs - startMs) / HOUR_MS) }, (_, k) => startMs + k * HOUR_MS);

describe('anomalies are in the registers', () => {
  it('spike: every hour of the span carries the labelled extra, far above the mean', () => {
    const { scenario, labels } = only('spike');
    for (const l of labels) {
      const m = meter(l.meter);
      expect(l.extraPerH).toBeGreaterThanOrEqual(4 * (m.annualNative / 8760) * 0.999);
      expect(l.unit).toBe(m.unit);
      for (const h of hoursOf(ms(l.start), ms(l.end)))
        expect(Math.abs(extraSeen(m, scenario, h, h + HOUR_MS) - l.extraPerH)).toBeLessThanOrEqual(tolerance(m));
      const total = extraSeen(m, scenario, ms(l.start), ms(l.end));
      expect(Math.abs(total - l.extraTotal)).toBeLessThanOrEqual(tolerance(m) + 1e-9 * l.extraTotal);
    }
  });

  it('leak: a water meter flows every night hour of the span, by the labelled extra', () => {
    const { scenario, labels } = only('leak');
    for (const l of labels) {
      const m = meter(l.meter);
      expect(m.energy).toBe('water');
      const nights = hoursOf(ms(l.start), ms(l.end)).filter((h) => ((h + OFFSET_MS) / HOUR_MS) % 24 < 5);
      expect(nights.length).toBeGreaterThan(0);
      for (const h of nights) {
        expect(consumed(m, scenario, h, h + HOUR_MS)).toBeGreaterThan(0);
        expect(Math.abs(extraSeen(m, scenario, h, h + HOUR_MS) - l.extraM3PerH)).toBeLessThanOrEqual(tolerance(m));
      }
    }
  });

  it('after-hours: lighting and air conditioning use the labelled extra at night and on rest days only', () => {
    const { scenario, labels } = only('after-hours');
    for (const l of labels) {
      expect(l.nightStartH).toBe(20);
      expect(l.nightEndH).toBe(7);
      for (const [id, extraKw] of Object.entries(l.extraKwByMeter)) {
        const m = meter(id);
        expect(['01A00', '01B00']).toContain(m.subItem);
        let nightSeen = 0;
        let nightModel = 0;
        for (const h of hoursOf(ms(l.start), ms(l.end))) {
          const local = h + OFFSET_MS;
          const hour = (local / HOUR_MS) % 24;
          const off = dayInfo(Math.floor(local / 86_400_000)).kind !== 'workday' || hour >= 20 || hour < 7;
          const seen = extraSeen(m, scenario, h, h + HOUR_MS);
          expect(Math.abs(seen - (off ? extraKw : 0))).toBeLessThanOrEqual(tolerance(m));
          if (hour < 5) {
            nightSeen += consumed(m, scenario, h, h + HOUR_MS);
            nightModel += consumptionInInterval(m, h, h + HOUR_MS, TZ);
          }
        }
        expect(nightSeen).toBeGreaterThan(nightModel);
      }
    }
  });

  it('step: base load is higher by the labelled extra from the start, for good', () => {
    const { scenario, labels } = only('step');
    for (const l of labels) {
      const m = meter(l.meter);
      const startMs = ms(l.start);
      expect(l.end).toBe('2026-11-30T00:00:00+08:00');
      expect(Math.abs(extraSeen(m, scenario, startMs - HOUR_MS, startMs))).toBeLessThanOrEqual(tolerance(m));
      for (const h of [startMs, ms(l.end) - HOUR_MS, ms(l.end) + 48 * HOUR_MS])
        expect(Math.abs(extraSeen(m, scenario, h, h + HOUR_MS) - l.extraPerH)).toBeLessThanOrEqual(tolerance(m));
    }
  });

  it('month-over-target: each listed meter uses the factor times the model over the calendar month', () => {
    const { scenario, labels } = only('month-over-target');
    for (const l of labels) {
      expect(l.start).toBe('2026-11-01T00:00:00+08:00');
      expect(l.end).toBe('2026-12-01T00:00:00+08:00');
      expect(l.factor).toBeGreaterThanOrEqual(1.15);
      for (const id of l.meters) {
        const m = meter(id);
        const model = consumptionInInterval(m, ms(l.start), ms(l.end), TZ);
        const seen = consumed(m, scenario, ms(l.start), ms(l.end));
        expect(Math.abs(seen - l.factor * model)).toBeLessThanOrEqual(tolerance(m) + 1e-9 * model);
        // The month before is untouched.
        const before = ms('2026-10-01T00:00:00+08:00');
        expect(Math.abs(extraSeen(m, scenario, before, ms(l.start)))).toBeLessThanOrEqual(tolerance(m));
      }
    }
  });

  it('stuck: the register is constant through the span, then jumps to the true value', () => {
    const { scenario, labels } = only('stuck');
    for (const l of labels) {
      const m = meter(l.meter);
      for (let t = ms(l.start); t < ms(l.end); t += 900_000)
        expect(registerAt(m, t, TZ, scenario)).toBe(l.frozenRegister);
      expect(l.frozenRegister).toBe(registerAt(m, ms(l.start), TZ));
      expect(registerAt(m, ms(l.end), TZ, scenario)).toBe(l.registerAtEnd);
      expect(l.registerAtEnd).toBe(registerAt(m, ms(l.end), TZ));
    }
  });
});

describe('register faults', () => {
  it('rollover: the register crosses its modulus at the labelled instant and diffs stay right', () => {
    const { scenario, labels } = only('rollover');
    for (const l of labels) {
      const m = meter(l.meter);
      const t0 = ms(l.start);
      expect(l.registerModulus).toBe(m.registerModulus);
      const before = registerAt(m, t0 - 900_000, TZ, scenario);
      const after = registerAt(m, t0 + 900_000, TZ, scenario);
      expect(registerDelta(before, after, m.registerModulus).kind).toBe('rollover');
      const delta = registerDelta(before, after, m.registerModulus).delta * m.multiplier;
      expect(Math.abs(delta - consumptionInInterval(m, t0 - 900_000, t0 + 900_000, TZ))).toBeLessThanOrEqual(
        tolerance(m),
      );
    }
  });

  it('replace: the register shows oldFinal just before the instant and restarts at newInitial', () => {
    const { scenario, labels } = only('replace');
    for (const l of labels) {
      const m = meter(l.meter);
      const t0 = ms(l.start);
      expect(registerAt(m, t0, TZ, scenario)).toBe(l.newInitial);
      expect(Math.abs(registerAt(m, t0 - 1, TZ, scenario) - l.oldFinal)).toBeLessThanOrEqual(10 ** -m.registerDecimals);
      expect(l.oldFinal).toBe(registerAt(m, t0, TZ));
      const later = t0 + 5 * HOUR_MS;
      const since = (registerAt(m, later, TZ, scenario) - l.newInitial) * m.multiplier;
      expect(Math.abs(since - consumptionInInterval(m, t0, later, TZ))).toBeLessThanOrEqual(tolerance(m));
    }
  });
});

describe('a scenario of every kind', () => {
  it('keeps registers a function of time and adds at least each labelled extra', () => {
    const scenario = planScenario(fleet, { seed: 4, fromMs: FROM_MS, toMs: TO_MS, faultRate: 2, anomalyRate: 3 });
    const kinds = new Set(scenario.labels.map((l) => l.kind));
    for (const k of ['spike', 'leak', 'step', 'stuck', 'after-hours', 'month-over-target', 'rollover', 'replace'])
      expect(kinds).toContain(k);
    for (const l of scenario.labels) {
      if (l.kind !== 'spike' && l.kind !== 'leak') continue;
      const m = meter(l.meter);
      const extra = l.kind === 'spike' ? l.extraTotal : (l.extraM3PerH * (ms(l.end) - ms(l.start))) / HOUR_MS;
      const seen = new RegisterClock(m, TZ, scenario);
      const model = new RegisterClock(m, TZ);
      const diff = (c: RegisterClock) => c.cumulativeNative(ms(l.end)) - c.cumulativeNative(ms(l.start));
      expect(diff(seen) - diff(model)).toBeGreaterThanOrEqual(extra * (1 - 1e-9));
    }
    // Any order, any clock: the same values.
    const m = meter(scenario.labels.find((l) => l.kind === 'replace')?.meter ?? '');
    const instants = hoursOf(FROM_MS, FROM_MS + 20 * 24 * HOUR_MS);
    const forward = instants.map((t) => registerAt(m, t, TZ, scenario));
    const clock = new RegisterClock(m, TZ, scenario);
    expect([...instants].reverse().map((t) => clock.registerAt(t))).toEqual([...forward].reverse());
  });
});
