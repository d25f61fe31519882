import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mad, median, quantile, theilSen } from '../../core/domain/detectors/stats.js';
import { makeIsWorkday } from '../../core/domain/detectors/workdays.js';
import { parseLocalDateTime } from '../../core/domain/time.js';
import { TZ } from './series.js';

const day = (text: string) => parseLocalDateTime(text, TZ) as number;

describe('makeIsWorkday', () => {
  const isWorkday = makeIsWorkday(TZ);
  it('knows weekends, public holidays and make-up workdays', () => {
    expect(isWorkday(day('2026-10-09'))).toBe(true); // Friday
    expect(isWorkday(day('2026-10-11'))).toBe(false); // Sunday
    expect(isWorkday(day('2026-10-01'))).toBe(false); // National Day
    expect(isWorkday(day('2026-10-10'))).toBe(true); // make-up Saturday
    expect(isWorkday(day('2026-02-16'))).toBe(false); // Spring Festival, a Monday
  });
  it('takes another table, and fixed holidays for years it lacks', () => {
    expect(makeIsWorkday(TZ, {})(day('2026-10-10'))).toBe(false);
    expect(isWorkday(day('2031-10-02'))).toBe(false);
    expect(isWorkday(day('2031-10-09'))).toBe(true);
  });
});

describe('robust statistics', () => {
  it('median, quantiles and MAD', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([1, 2, 3, 4])).toBe(2.5);
    expect(quantile([0, 10], 0.25)).toBe(2.5);
    expect(mad([1, 1, 2, 2, 4, 6, 9])).toBe(1);
    expect(median([])).toBeNaN();
  });
  it('a few wild values move neither the median nor the MAD much', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 20, maxLength: 60 }), (xs) => {
        const m = median(xs);
        expect(m).toBeGreaterThanOrEqual(Math.min(...xs));
        expect(m).toBeLessThanOrEqual(Math.max(...xs));
        const wild = [...xs, 1e9, 1e9];
        expect(Math.abs(median(wild) - m)).toBeLessThanOrEqual(Math.max(...xs) - Math.min(...xs));
      }),
    );
  });
  it('Theil–Sen recovers a line through a few outliers', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -5, max: 5, noNaN: true }),
        fc.double({ min: -50, max: 50, noNaN: true }),
        (a, b) => {
          const xs = Array.from({ length: 12 }, (_, i) => i);
          const ys = xs.map((x) => a * x + b);
          ys[3] = 1e6;
          const line = theilSen(xs, ys);
          expect(line.slope).toBeCloseTo(a, 6);
          expect(line.intercept).toBeCloseTo(b, 6);
        },
      ),
    );
  });
});
