import { describe, expect, it } from 'vitest';
import { detectContinuous } from '../../core/domain/detectors/continuous.js';
import { ctxAt, DAY_MS, METER, START_MS, series } from './series.js';

const DAYS = 30;
/** Office lighting: nearly off at night, on in working hours; a little on rest days. */
const lighting = (h: { hour: number; workday: boolean }) =>
  h.workday ? (h.hour >= 8 && h.hour < 18 ? 100 : 8) : h.hour >= 9 && h.hour < 17 ? 20 : 8;

describe('detectContinuous', () => {
  it('stays quiet on a clean meter with noise, and on a 24/7 load', () => {
    expect(detectContinuous(series({ days: DAYS, profile: lighting, noise: 0.1 }), METER, ctxAt(DAYS))).toEqual([]);
    expect(detectContinuous(series({ days: DAYS, profile: () => 50 }), METER, ctxAt(DAYS))).toEqual([]);
  });

  it('finds two days on which the load never dropped below half its peak, as one event', () => {
    // Tuesday 24 and Wednesday 25 March.
    const s = series({
      days: DAYS,
      profile: lighting,
      edit: (v, h) => (h.day === 22 || h.day === 23 ? Math.max(v, 80) : v),
    });
    const found = detectContinuous(s, METER, ctxAt(DAYS));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      type: 'continuous',
      startMs: START_MS + 22 * DAY_MS,
      endMs: START_MS + 24 * DAY_MS,
    });
    expect(found[0]?.evidence.observed).toBeGreaterThanOrEqual(0.5);
    expect(found[0]?.evidence.expected).toBeLessThan(0.3);
    expect(found[0]?.wastedNative).toBeGreaterThan(2 * 14 * 60);
  });

  it('does not read a closed day (flat but low) as equipment left running', () => {
    const s = series({ days: DAYS, profile: lighting, edit: (v, h) => (h.day === 22 ? 8 : v) });
    expect(detectContinuous(s, METER, ctxAt(DAYS))).toEqual([]);
  });

  it('returns nothing without enough comparable days (insufficient history)', () => {
    const s = series({ days: 4, profile: lighting, edit: (v, h) => (h.day === 3 ? Math.max(v, 80) : v) });
    expect(detectContinuous(s, METER, ctxAt(4))).toEqual([]);
  });
});
