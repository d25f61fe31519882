import { describe, expect, it } from 'vitest';
import { detectImplausible } from '../../core/domain/detectors/implausible.js';
import { ctxAt, DAY_MS, HOUR_MS, METER, office, START_MS, series } from './series.js';

describe('detectImplausible', () => {
  it('stays quiet when no hour is suspect', () => {
    expect(detectImplausible(series({ days: 10, profile: office }), METER, ctxAt(10))).toEqual([]);
  });

  it('reports one event per run of suspect hours (backwards, glitch or implausible deltas)', () => {
    const suspect = new Set([50, 51, 52, 100]);
    const s = series({
      days: 10,
      profile: office,
      quality: (h) => (suspect.has(h.day * 24 + h.hour) ? 'suspect' : 'good'),
    });
    const found = detectImplausible(s, METER, ctxAt(10));
    expect(found.map((c) => [c.startMs, c.endMs])).toEqual([
      [START_MS + 50 * HOUR_MS, START_MS + 53 * HOUR_MS],
      [START_MS + 100 * HOUR_MS, START_MS + 101 * HOUR_MS],
    ]);
    expect(found[0]).toMatchObject({
      type: 'implausible',
      severity: 'medium',
      wastedNative: 0,
      evidence: { suspectHours: 3 },
    });
  });

  it('needs no history: a suspect hour on the first day is reported', () => {
    const s = series({ days: 1, profile: office, quality: (h) => (h.hour === 3 ? 'suspect' : 'good') });
    expect(detectImplausible(s, METER, ctxAt(1))).toHaveLength(1);
    expect(detectImplausible(s, METER, { ...ctxAt(1), nowMs: START_MS + DAY_MS / 8 })).toEqual([]);
  });
});
