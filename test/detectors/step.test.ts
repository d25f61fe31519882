import { describe, expect, it } from 'vitest';
import { detectStep } from '../../core/domain/detectors/step.js';
import { ctxAt, DAY_MS, HOUR_MS, METER, office, START_MS, series } from './series.js';

const DAYS = 30;

describe('detectStep', () => {
  it('stays quiet on a clean meter with noise', () => {
    for (const seed of [1, 2, 3])
      expect(detectStep(series({ days: DAYS, profile: office, seed, noise: 0.1 }), METER, ctxAt(DAYS))).toEqual([]);
  });

  it('finds a base load that stepped up and stayed up, with the size of the step', () => {
    const from = START_MS + 22 * DAY_MS + 14 * HOUR_MS;
    const s = series({ days: DAYS, profile: office, edit: (v, h) => (h.tMs >= from ? v + 8 : v) });
    const found = detectStep(s, METER, ctxAt(DAYS));
    expect(found).toHaveLength(1);
    const c = found[0];
    expect(c).toMatchObject({ type: 'step', endMs: ctxAt(DAYS).nowMs, severity: 'medium' });
    expect(c?.startMs).toBe(START_MS + 23 * DAY_MS);
    expect(c?.evidence.expected).toBeCloseTo(19, -1);
    expect((c?.evidence.observed ?? 0) - (c?.evidence.expected ?? 0)).toBeCloseTo(8, 0);
    expect(c?.evidence.note).toBeUndefined();
    expect(c?.wastedNative).toBeGreaterThan(8 * 24 * 6);
  });

  it('does not read an episode that is over, or a slow ramp, as a step', () => {
    const episode = series({ days: DAYS, profile: office, edit: (v, h) => (h.day >= 18 && h.day < 25 ? v + 8 : v) });
    expect(detectStep(episode, METER, ctxAt(DAYS))).toEqual([]);
    const ramp = series({ days: DAYS, profile: office, edit: (v, h) => v + h.day * 0.6 });
    expect(detectStep(ramp, METER, ctxAt(DAYS))).toEqual([]);
  });

  it('with 7 to 13 days before the change, reports it at low severity and says so', () => {
    const s = series({ days: 14, profile: office, edit: (v, h) => (h.day >= 9 ? v + 10 : v) });
    const found = detectStep(s, METER, ctxAt(14));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: 'low', evidence: { note: 'insufficient history', historyDays: 9 } });
    const tooShort = series({ days: 8, profile: office, edit: (v, h) => (h.day >= 5 ? v + 10 : v) });
    expect(detectStep(tooShort, METER, ctxAt(8))).toEqual([]);
  });
});
