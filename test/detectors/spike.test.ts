import { describe, expect, it } from 'vitest';
import { detectSpikes } from '../../core/domain/detectors/spike.js';
import { ctxAt, DAY_MS, HOUR_MS, METER, office, START_MS, series } from './series.js';

const DAYS = 35;
const at = (day: number, hour: number) => START_MS + day * DAY_MS + hour * HOUR_MS;

describe('detectSpikes', () => {
  it('stays quiet on a clean meter with noise', () => {
    for (const seed of [1, 2, 3]) {
      expect(detectSpikes(series({ days: DAYS, profile: office, seed, noise: 0.1 }), METER, ctxAt(DAYS))).toEqual([]);
    }
  });

  it('finds two hours far above the same hours of comparable days, as one event', () => {
    const s = series({
      days: DAYS,
      profile: office,
      edit: (v, h) => (h.day === 30 && (h.hour === 14 || h.hour === 15) ? v + 400 : v),
    });
    const found = detectSpikes(s, METER, ctxAt(DAYS));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ type: 'spike', scope: 'meter:m-1', startMs: at(30, 14), endMs: at(30, 16) });
    expect(found[0]?.evidence.observed).toBeGreaterThan(found[0]?.evidence.bandHigh ?? Number.POSITIVE_INFINITY);
    expect(found[0]?.evidence.expected).toBeCloseTo(100, -1);
    expect(found[0]?.wastedNative).toBeGreaterThan(700);
  });

  it('compares a rest day with rest days: a working-hours load on a Sunday night is a spike', () => {
    const s = series({ days: DAYS, profile: office, edit: (v, h) => (h.day === 27 && h.hour === 2 ? v + 150 : v) });
    const found = detectSpikes(s, METER, ctxAt(DAYS));
    expect(found.map((c) => c.startMs)).toEqual([at(27, 2)]);
  });

  it('does not flag a level change (a whole day higher) or the backlog after a flat run', () => {
    const colder = series({ days: DAYS, profile: office, edit: (v, h) => (h.day >= 30 ? v * 2 : v) });
    expect(detectSpikes(colder, METER, ctxAt(DAYS))).toEqual([]);
    const backlog = series({
      days: DAYS,
      profile: office,
      edit: (v, h) => {
        if (h.day === 30 && h.hour >= 9 && h.hour < 14) return 0;
        return h.day === 30 && h.hour === 14 ? v + 500 : v;
      },
    });
    expect(detectSpikes(backlog, METER, ctxAt(DAYS))).toEqual([]);
  });

  it('returns nothing without enough comparable days (insufficient history)', () => {
    const s = series({ days: 4, profile: office, edit: (v, h) => (h.day === 3 && h.hour === 14 ? v + 400 : v) });
    expect(detectSpikes(s, METER, ctxAt(4))).toEqual([]);
  });
});
