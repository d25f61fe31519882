import { describe, expect, it } from 'vitest';
import { ashrae14Verdict, fitStatistics, lag1Autocorrelation } from '../../core/mv/statistics.js';

describe('fit statistics (ASHRAE Guideline 14)', () => {
  // y = 10, 12, 14, 16 (ȳ = 13, SST = 20); ŷ = y − 1 each: Σ(y − ŷ) = 4, SSE = 4.
  const actual = [10, 12, 14, 16];
  const predicted = [9, 11, 13, 15];

  it('divides by n − p for a fitted model (hand-computed)', () => {
    const s = fitStatistics(actual, predicted, 2);
    expect(s.n).toBe(4);
    expect(s.meanKwh).toBe(13);
    expect(s.rmseKwh).toBeCloseTo(Math.SQRT2, 12); // √(4 / 2)
    expect(s.cvRmse).toBeCloseTo(Math.SQRT2 / 13, 12); // 10.88 %
    expect(s.nmbe).toBeCloseTo(4 / (2 * 13), 12); // 15.38 %: the model predicts too little
    expect(s.r2).toBeCloseTo(0.8, 12); // 1 − 4 / 20
  });

  it('divides by n out of sample (p = 0), and skips unknown pairs', () => {
    const s = fitStatistics([...actual, Number.NaN, 5], [...predicted, 3, Number.NaN]);
    expect(s.n).toBe(4);
    expect(s.cvRmse).toBeCloseTo(1 / 13, 12);
    expect(s.nmbe).toBeCloseTo(1 / 13, 12);
    expect(fitStatistics([10, 12], [11, 13]).nmbe).toBeCloseTo(-2 / (2 * 11), 12);
  });

  it('lag-1 autocorrelation pairs neighbours only', () => {
    expect(lag1Autocorrelation([1, -1, 1, -1, 1, -1])).toBeCloseTo(-1, 12);
    expect(lag1Autocorrelation([1, 2, 3, 4, 5])).toBeCloseTo(1, 12);
    // Across a gap (steps 2 → 10) the pair is not counted.
    const r = [1, 2, 3, -50, 4, 5, 6];
    expect(lag1Autocorrelation(r, [0, 1, 2, 10, 20, 21, 22])).toBeCloseTo(1, 12);
    expect(lag1Autocorrelation([1, 2])).toBeNaN();
  });

  it('judges a baseline by the limits of its granularity', () => {
    const good = { n: 12, parameterCount: 2, meanKwh: 100, r2: 0.9, rmseKwh: 10, cvRmse: 0.1, nmbe: 0.01 };
    expect(ashrae14Verdict(good, 'monthly').acceptable).toBe(true);
    const biased = { ...good, nmbe: -0.06 };
    expect(ashrae14Verdict(biased, 'monthly')).toMatchObject({ acceptable: false, reasons: ['|NMBE| 6.0 % > 5.0 %'] });
    expect(ashrae14Verdict(biased, 'hourly').acceptable).toBe(true);
    const noisy = { ...good, cvRmse: 0.31 };
    expect(ashrae14Verdict(noisy, 'hourly').acceptable).toBe(false);
    expect(ashrae14Verdict(noisy, 'daily').acceptable).toBe(true); // CalTRACK: CV(RMSE) ≤ 100 %
    expect(ashrae14Verdict({ ...good, cvRmse: Number.NaN }, 'daily').acceptable).toBe(false);
  });
});
