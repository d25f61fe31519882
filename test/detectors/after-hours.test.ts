import { describe, expect, it } from 'vitest';
import { detectAfterHours } from '../../core/domain/detectors/after-hours.js';
import { ctxAt, DAY_MS, INSTITUTION, office, START_MS, series } from './series.js';

const DAYS = 42;
const isAfterHours = (hour: number, workday: boolean) => !workday || hour < 7 || hour >= 20;

describe('detectAfterHours', () => {
  it('stays quiet on a clean office with noise', () => {
    for (const seed of [1, 2, 3]) {
      expect(
        detectAfterHours(series({ days: DAYS, profile: office, seed, noise: 0.08 }), INSTITUTION, ctxAt(DAYS)),
      ).toEqual([]);
    }
  });

  it('finds lights and air conditioning left on for a week, as one event', () => {
    const s = series({
      days: DAYS,
      profile: office,
      edit: (v, h) => (h.day >= 30 && h.day < 37 && isAfterHours(h.hour, h.workday) ? v + 15 : v),
    });
    const found = detectAfterHours(s, INSTITUTION, ctxAt(DAYS));
    expect(found).toHaveLength(1);
    const [c] = found;
    expect(c?.type).toBe('after_hours');
    expect(c?.scope).toBe('institution:i-1');
    expect(c?.startMs).toBe(START_MS + 30 * DAY_MS);
    expect(c?.endMs).toBe(START_MS + 37 * DAY_MS);
    expect(c?.evidence.observed).toBeGreaterThan(c?.evidence.bandHigh ?? Number.POSITIVE_INFINITY);
    expect(c?.evidence.unit).toBe('kWh/h');
    expect(c?.evidence.historyDays).toBeGreaterThanOrEqual(4);
    expect(c?.evidence.note).toBeUndefined();
    // About 15 kWh/h too much over the week's after-hours hours.
    expect(c?.wastedNative).toBeGreaterThan(0.6 * 15 * 7 * 14);
    expect(c?.wastedNative).toBeLessThan(1.4 * 15 * 7 * 18);
  });

  it('does not read a building that uses more all day (a month over target) as after-hours waste', () => {
    const s = series({ days: DAYS, profile: office, edit: (v, h) => (h.day >= 30 ? v * 1.4 : v) });
    expect(detectAfterHours(s, INSTITUTION, ctxAt(DAYS))).toEqual([]);
  });

  it('does not act on a single night or a weekend', () => {
    // Saturday 28 and Sunday 29 March all day, and the night of Thursday 2 April.
    const s = series({
      days: DAYS,
      profile: office,
      edit: (v, h) => (h.day === 26 || h.day === 27 || (h.day === 31 && isAfterHours(h.hour, true)) ? v + 15 : v),
    });
    expect(detectAfterHours(s, INSTITUTION, ctxAt(DAYS))).toEqual([]);
  });

  it('with too little history, judges nights against the working load and says so', () => {
    const leftOn = series({ days: 5, profile: (h) => (h.hour >= 8 && h.hour < 18 ? 100 : 95) });
    const found = detectAfterHours(leftOn, INSTITUTION, ctxAt(5));
    expect(found).toHaveLength(1);
    expect(found[0]?.severity).toBe('low');
    expect(found[0]?.evidence.note).toBe('insufficient history');
    expect(detectAfterHours(series({ days: 5, profile: office }), INSTITUTION, ctxAt(5))).toEqual([]);
  });
});
