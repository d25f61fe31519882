import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dayInfo } from '../../simulator/calendar.js';
import { buildFleet } from '../../simulator/fleet.js';
import type { SimMeter } from '../../simulator/model.js';
import { consumptionInInterval, dailyConsumption } from '../../simulator/profiles.js';

const fleet = buildFleet({ seed: 1, districts: 3, institutions: 40 });
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const at = (iso: string) => Date.parse(iso);
const hour = (m: SimMeter, iso: string) => consumptionInInterval(m, at(iso), at(iso) + HOUR_MS);
const electricity = (type: string) =>
  fleet.meters.filter((m) => m.institutionType === type && m.energy === 'electricity');
const localDay = (isoDate: string) =>
  Date.UTC(+isoDate.slice(0, 4), +isoDate.slice(5, 7) - 1, +isoDate.slice(8, 10)) / DAY_MS;

describe('calendar', () => {
  it('knows holidays, make-up workdays, weekends and school vacations', () => {
    expect(dayInfo(localDay('2026-10-02')).kind).toBe('holiday');
    expect(dayInfo(localDay('2026-10-10')).kind).toBe('workday'); // a Saturday worked in exchange
    expect(dayInfo(localDay('2026-11-22')).kind).toBe('weekend');
    expect(dayInfo(localDay('2026-11-18')).kind).toBe('workday');
    expect(dayInfo(localDay('2026-08-05')).schoolVacation).toBe(true);
    expect(dayInfo(localDay('2026-11-18')).schoolVacation).toBe(false);
  });
});

describe('load shapes', () => {
  it("an office uses more in a weekday's 10:00 hour than in a Sunday's 03:00 hour", () => {
    const offices = electricity('office').filter((m) => m.subItem !== '01D00');
    expect(offices.length).toBeGreaterThan(10);
    for (const m of offices) {
      expect(hour(m, '2026-11-18T10:00:00+08:00')).toBeGreaterThan(1.5 * hour(m, '2026-11-22T03:00:00+08:00'));
    }
  });

  it('holidays are lower than workdays (National Day vs the Friday after)', () => {
    for (const m of electricity('office')) {
      expect(dailyConsumption(m, localDay('2026-10-02'))).toBeLessThan(dailyConsumption(m, localDay('2026-10-09')));
    }
  });

  it('offices dip at lunch and schools are quiet in the summer vacation', () => {
    const lighting = electricity('office').filter((m) => m.subItem === '01A00');
    const sum = (ms: SimMeter[], iso: string) => ms.reduce((s, m) => s + hour(m, iso), 0);
    expect(sum(lighting, '2026-11-18T12:15:00+08:00')).toBeLessThan(sum(lighting, '2026-11-18T10:00:00+08:00'));
    const schools = electricity('school').filter((m) => m.subItem === '01A00');
    expect(sum(schools, '2026-08-05T10:00:00+08:00')).toBeLessThan(0.5 * sum(schools, '2026-11-18T10:00:00+08:00'));
  });

  it('hospitals run at night', () => {
    for (const m of electricity('hospital')) {
      const night = hour(m, '2026-11-18T02:00:00+08:00');
      expect(night).toBeGreaterThan(0);
      expect(night).toBeGreaterThan(0.3 * hour(m, '2026-11-18T10:00:00+08:00'));
    }
  });

  it('air conditioning follows the seasons and district heat stops in summer', () => {
    const month = (m: SimMeter, from: string, to: string) => consumptionInInterval(m, at(from), at(to));
    for (const m of electricity('office').filter((x) => x.subItem === '01B00')) {
      const july = month(m, '2026-07-01T00:00:00+08:00', '2026-08-01T00:00:00+08:00');
      const april = month(m, '2026-04-01T00:00:00+08:00', '2026-05-01T00:00:00+08:00');
      expect(july).toBeGreaterThan(3 * april);
    }
    const heat = buildFleet({ seed: 1, districts: 11, institutions: 200 }).meters.filter((m) => m.energy === 'heat');
    expect(heat.length).toBeGreaterThan(0);
    for (const m of heat) {
      expect(month(m, '2026-07-01T00:00:00+08:00', '2026-08-01T00:00:00+08:00')).toBe(0);
      expect(month(m, '2026-01-05T00:00:00+08:00', '2026-01-06T00:00:00+08:00')).toBeGreaterThan(0);
    }
  });

  it('gives plausible annual electricity intensities (offices 60–100 kWh/m²)', () => {
    const byBuilding = new Map<string, { kwh: number; areaM2: number; type: string }>();
    for (const m of fleet.meters.filter((x) => x.energy === 'electricity')) {
      let kwh = 0;
      for (let d = localDay('2026-01-01'); d < localDay('2027-01-01'); d++) kwh += dailyConsumption(m, d);
      const b = byBuilding.get(m.buildingId) ?? { kwh: 0, areaM2: m.floorAreaM2, type: m.institutionType };
      b.kwh += kwh;
      byBuilding.set(m.buildingId, b);
    }
    const offices = [...byBuilding.values()].filter((b) => b.type === 'office');
    expect(offices.length).toBeGreaterThan(5);
    for (const b of offices) {
      expect(b.kwh / b.areaM2).toBeGreaterThan(55);
      expect(b.kwh / b.areaM2).toBeLessThan(105);
    }
  });
});

describe('consumptionInInterval', () => {
  const meters = fleet.meters;
  const start = at('2025-01-01T00:00:00+08:00');
  const span = 3 * 365 * DAY_MS;
  const instant = fc.integer({ min: start, max: start + span });

  it('is never negative and is additive over any split', () => {
    fc.assert(
      fc.property(fc.nat(meters.length - 1), instant, fc.nat(10 * DAY_MS), fc.nat(10 * DAY_MS), (i, t0, d1, d2) => {
        const m = meters[i] as SimMeter;
        const [t1, t2] = [t0 + d1, t0 + d1 + d2];
        const whole = consumptionInInterval(m, t0, t2);
        const parts = consumptionInInterval(m, t0, t1) + consumptionInInterval(m, t1, t2);
        expect(consumptionInInterval(m, t0, t1)).toBeGreaterThanOrEqual(0);
        expect(Math.abs(whole - parts)).toBeLessThanOrEqual(1e-9 * Math.max(1, whole));
        expect(consumptionInInterval(m, t2, t0)).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it('does not depend on what was computed before (a fresh copy of the meter gives the same value)', () => {
    const m = meters[5] as SimMeter;
    const t = at('2026-03-10T09:15:00+08:00');
    for (let k = 0; k < 50; k++) consumptionInInterval(m, t - k * DAY_MS, t - k * DAY_MS + 900_000);
    const warm = consumptionInInterval(m, t, t + 900_000);
    const cold = consumptionInInterval({ ...m }, t, t + 900_000);
    expect(cold).toBe(warm);
  });

  it('varies from interval to interval (noise) but stays within the shape', () => {
    const m = electricity('hospital')[0] as SimMeter;
    const values = Array.from({ length: 8 }, (_, k) => {
      const t = at('2026-11-18T02:00:00+08:00') + k * 900_000;
      return consumptionInInterval(m, t, t + 900_000);
    });
    expect(new Set(values).size).toBe(values.length);
    expect(Math.max(...values) / Math.min(...values)).toBeLessThan(2);
  });
});
