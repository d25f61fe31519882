import { describe, expect, it } from 'vitest';
import { detectFlat } from '../../core/domain/detectors/flat.js';
import { ctxAt, DAY_MS, HOUR_MS, METER, office, START_MS, series } from './series.js';

const DAYS = 30;

describe('detectFlat', () => {
  it('stays quiet on a clean meter with noise', () => {
    expect(detectFlat(series({ days: DAYS, profile: office, noise: 0.1 }), METER, ctxAt(DAYS))).toEqual([]);
  });

  it('finds a register that stopped for 10 hours while the meter normally has use', () => {
    const from = START_MS + 24 * DAY_MS + 6 * HOUR_MS;
    const s = series({
      days: DAYS,
      profile: office,
      edit: (v, h) => (h.tMs >= from && h.tMs < from + 10 * HOUR_MS ? 0 : v),
    });
    const found = detectFlat(s, METER, ctxAt(DAYS));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      type: 'flat',
      startMs: from,
      endMs: from + 10 * HOUR_MS,
      severity: 'low',
      wastedNative: 0,
    });
    expect(found[0]?.evidence.expected).toBeGreaterThan(500);
    expect(found[0]?.evidence.hours).toBe(10);
  });

  it('stays quiet on a meter that is normally idle (heat out of season)', () => {
    const heat = series({ days: DAYS, profile: (h) => (h.day >= 20 && h.hour < 6 ? 0.3 : 0), noise: 0 });
    expect(detectFlat(heat, METER, ctxAt(DAYS))).toEqual([]);
  });

  it('with too little history, reports a long stop after use at low severity and says so', () => {
    const s = series({ days: 4, profile: office, edit: (v, h) => (h.day >= 2 ? 0 : v) });
    const found = detectFlat(s, METER, ctxAt(4));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: 'low', evidence: { note: 'insufficient history' } });
    expect(detectFlat(series({ days: 4, profile: () => 0, noise: 0 }), METER, ctxAt(4))).toEqual([]);
  });
});
