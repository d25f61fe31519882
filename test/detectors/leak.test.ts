import { describe, expect, it } from 'vitest';
import { detectLeak } from '../../core/domain/detectors/leak.js';
import { ctxAt, DAY_MS, HOUR_MS, type HourInfo, officeWater, START_MS, series, WATER } from './series.js';

const DAYS = 35;

describe('detectLeak', () => {
  it('stays quiet on a clean water meter with noise', () => {
    for (const seed of [1, 2, 3])
      expect(detectLeak(series({ days: DAYS, profile: officeWater, seed, noise: 0.2 }), WATER, ctxAt(DAYS))).toEqual(
        [],
      );
  });

  it('finds night flow that never drops to zero for four nights, as one event', () => {
    const from = START_MS + 25 * DAY_MS + 12 * HOUR_MS;
    const to = from + 4 * DAY_MS;
    const s = series({ days: DAYS, profile: officeWater, edit: (v, h) => (h.tMs >= from && h.tMs < to ? v + 0.3 : v) });
    const found = detectLeak(s, WATER, ctxAt(DAYS));
    expect(found).toHaveLength(1);
    const c = found[0];
    expect(c).toMatchObject({ type: 'leak', scope: 'meter:w-1', energy: 'water', severity: 'medium' });
    expect(c?.startMs).toBe(START_MS + 26 * DAY_MS + HOUR_MS);
    expect(c?.endMs).toBe(START_MS + 29 * DAY_MS + 5 * HOUR_MS);
    expect(c?.evidence).toMatchObject({ nights: 4, unit: 'm3/h' });
    expect(c?.evidence.excessPerHour).toBeCloseTo(0.3, 1);
    expect(c?.wastedNative).toBeGreaterThan(0.25 * 24 * 4);
  });

  it('needs two consecutive nights, and a meter whose nights used to reach about zero', () => {
    const oneNight = series({
      days: DAYS,
      profile: officeWater,
      edit: (v, h) => (h.day === 26 && h.hour < 6 ? v + 0.3 : v),
    });
    expect(detectLeak(oneNight, WATER, ctxAt(DAYS))).toEqual([]);
    const wards = (h: HourInfo) => 1 + officeWater(h);
    const hospital = series({ days: DAYS, profile: wards, edit: (v, h) => (h.day >= 25 ? v + 0.3 : v) });
    expect(detectLeak(hospital, WATER, ctxAt(DAYS))).toEqual([]);
  });

  it('does not read a busier month (all hours × 1.4) as a leak', () => {
    const s = series({ days: DAYS, profile: officeWater, edit: (v, h) => (h.day >= 25 ? v * 1.4 : v) });
    expect(detectLeak(s, WATER, ctxAt(DAYS))).toEqual([]);
  });

  it('returns nothing with fewer than seven nights of history (insufficient history)', () => {
    const s = series({ days: 6, profile: officeWater, edit: (v, h) => (h.day >= 3 ? v + 0.3 : v) });
    expect(detectLeak(s, WATER, ctxAt(6))).toEqual([]);
  });
});
