import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ANOMALY_TYPES,
  type AnomalyCandidate,
  detectAfterHours,
  detectContinuous,
  detectFlat,
  detectImplausible,
  detectLeak,
  detectSpikes,
  detectStep,
} from '../../core/domain/detectors/index.js';
import { ctxAt, METER, office, series } from './series.js';

const detectors = [
  detectAfterHours,
  detectSpikes,
  detectFlat,
  detectContinuous,
  detectImplausible,
  detectLeak,
  detectStep,
];

describe('every series detector', () => {
  it('returns well-formed candidates on any series: a known type, a span inside the data, waste ≥ 0', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.double({ min: 0, max: 0.9, noNaN: true }),
        fc.array(fc.tuple(fc.nat(40 * 24), fc.double({ min: 0, max: 2000, noNaN: true })), { maxLength: 30 }),
        (days, seed, noise, edits) => {
          const changes = new Map(edits);
          const s = series({
            days,
            seed,
            noise,
            profile: office,
            edit: (v, h) => changes.get(h.day * 24 + h.hour) ?? v,
            quality: (h) => ((h.day * 24 + h.hour) % 97 === 5 ? 'suspect' : 'good'),
          });
          const ctx = ctxAt(days);
          const found: AnomalyCandidate[] = detectors.flatMap((detect) => detect(s, METER, ctx));
          for (const c of found) {
            expect(ANOMALY_TYPES).toContain(c.type);
            expect(c.startMs).toBeLessThan(c.endMs);
            expect(c.endMs).toBeLessThanOrEqual(ctx.nowMs);
            expect(c.wastedNative).toBeGreaterThanOrEqual(0);
            expect(Number.isFinite(c.evidence.observed)).toBe(true);
            expect(c.evidence.historyDays).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('ignores data at or after now', () => {
    const s = series({ days: 30, profile: office, edit: (v, h) => (h.day >= 28 ? v + 500 : v) });
    for (const detect of detectors)
      expect(detect(s, METER, ctxAt(28))).toEqual(detect(s.slice(0, 28 * 24), METER, ctxAt(28)));
  });
});
