import { describe, expect, it } from 'vitest';
import { logGamma, studentTCdf, studentTQuantile, studentTTwoSidedP } from '../../core/mv/student-t.js';

// Reference values from printed t tables (and scipy.stats.t.ppf to 10 digits).
describe('Student t', () => {
  it('log Γ matches factorials and √π', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    expect(logGamma(101)).toBeCloseTo(363.73937555556347, 9);
  });

  it('quantiles match the tables', () => {
    expect(studentTQuantile(0.95, 10)).toBeCloseTo(1.812461123, 8);
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.70620474, 7);
    expect(studentTQuantile(0.95, 30)).toBeCloseTo(1.697260887, 8);
    expect(studentTQuantile(0.95, 98)).toBeCloseTo(1.660551217, 8);
    expect(studentTQuantile(0.95, 2.5)).toBeCloseTo(2.558218614, 8);
    expect(studentTQuantile(0.95, 10_000)).toBeCloseTo(1.645006018, 8);
    expect(studentTQuantile(0.05, 10)).toBeCloseTo(-1.812461123, 8);
    expect(studentTQuantile(0.5, 7)).toBe(0);
  });

  it('p-values and the CDF invert the quantile', () => {
    expect(studentTTwoSidedP(2.228138852, 10)).toBeCloseTo(0.05, 9);
    expect(studentTTwoSidedP(0, 5)).toBe(1);
    expect(studentTTwoSidedP(Number.POSITIVE_INFINITY, 5)).toBe(0);
    expect(studentTCdf(-1.812461123, 10)).toBeCloseTo(0.05, 9);
    expect(studentTCdf(studentTQuantile(0.9, 17), 17)).toBeCloseTo(0.9, 10);
  });

  it('refuses what has no answer', () => {
    expect(studentTQuantile(1, 10)).toBeNaN();
    expect(studentTQuantile(0.95, 0)).toBeNaN();
    expect(studentTQuantile(0.95, -3)).toBeNaN();
    expect(studentTTwoSidedP(1, 0)).toBeNaN();
  });
});
