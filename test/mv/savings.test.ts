import { describe, expect, it } from 'vitest';
import type { BaselineFit } from '../../core/mv/baseline.js';
import { fitDailyModel, predictDaily } from '../../core/mv/daily-model.js';
import { fsuFactor, savings } from '../../core/mv/savings.js';
import { ashrae14Verdict, type Granularity } from '../../core/mv/statistics.js';
import { DAY_MS, dailyTemperatures, dailyUse } from './synthetic.js';

function baselineOf(n: number, cvRmse: number, rho: number, granularity: Granularity = 'monthly', p = 2): BaselineFit {
  const statistics = { n, parameterCount: p, meanKwh: 100, r2: 0.9, rmseKwh: cvRmse * 100, cvRmse, nmbe: 0 };
  return { granularity, statistics, lag1Autocorrelation: rho, verdict: ashrae14Verdict(statistics, granularity) };
}

const twelve = (kwh: number) => Array<number>(12).fill(kwh);

describe('savings and their uncertainty (ASHRAE Guideline 14)', () => {
  it('computes the hand-worked case', () => {
    // n = 100, p = 2, CV = 20 %, ρ = 0 (n′ = n), m = 12 monthly steps, adjusted baseline 1200 kWh, 90 %:
    // ΔE = t(0.95, 98) · 1.26 · 0.2 · √((1 + 2/100) / 12) · 1200 = 1.660551 · 1.26 · 0.2 · 0.291548 · 1200.
    const s = savings({ baselineKwh: twelve(100), actualKwh: twelve(90), fit: baselineOf(100, 0.2, 0) });
    expect(s.savingsKwh).toBe(120);
    expect(s.savingsShare).toBeCloseTo(0.1, 12);
    expect(s.tStatistic).toBeCloseTo(1.660551, 6);
    expect(s.uncertaintyKwh).toBeCloseTo(1.660551 * 1.26 * 0.2 * Math.sqrt(1.02 / 12) * 1200, 3);
    expect(s.fsu).toBeCloseTo(s.uncertaintyKwh / 120, 12);
    expect(s.significant).toBe(s.uncertaintyKwh < 120);
  });

  it('shrinks with more baseline data and grows with autocorrelation', () => {
    const u = (n: number, rho: number) =>
      savings({ baselineKwh: twelve(100), actualKwh: twelve(95), fit: baselineOf(n, 0.2, rho) }).uncertaintyShare;
    expect(u(50, 0.3)).toBeGreaterThan(u(100, 0.3));
    expect(u(100, 0.3)).toBeGreaterThan(u(400, 0.3));
    expect(u(100, 0)).toBeLessThan(u(100, 0.3));
    expect(u(100, 0.3)).toBeLessThan(u(100, 0.6));
    // n′ = n (1 − ρ)/(1 + ρ): ρ = 0.6 leaves a quarter of the observations.
    expect(
      savings({ baselineKwh: twelve(100), actualKwh: twelve(95), fit: baselineOf(100, 0.2, 0.6) })
        .effectiveBaselineSteps,
    ).toBeCloseTo(25, 10);
    // A negative ρ earns nothing: it counts as 0.
    expect(u(100, -0.4)).toBeCloseTo(u(100, 0), 12);
  });

  it('has no answer when the effective observations do not exceed the parameters', () => {
    const s = savings({
      baselineKwh: twelve(100),
      actualKwh: twelve(95),
      fit: baselineOf(100, 0.2, 0.95, 'hourly', 10),
    });
    expect(s.effectiveBaselineSteps).toBeLessThan(10);
    expect(s.uncertaintyKwh).toBeNaN();
    expect(s.significant).toBe(false);
  });

  it('uses 1.26 for monthly and hourly data, Sun & Baltazar for daily', () => {
    expect(fsuFactor('monthly', 12)).toBe(1.26);
    expect(fsuFactor('hourly', 8760)).toBe(1.26);
    expect(fsuFactor('daily', 360)).toBeCloseTo(-0.00024 * 144 + 0.03535 * 12 + 1.00286, 12);
  });

  it('is calibrated: with nothing saved, |savings| ≤ U90 about 90 % of the time', () => {
    // 60 constructed buildings: heating 12 kWh per °C·d below 15 °C, AR(1) noise (φ 0.6, σ 25 kWh);
    // a baseline year and a reporting year of other weather and noise, nothing changed.
    const law = (t: number) => 200 + 12 * Math.max(0, 15 - t);
    const start = Date.UTC(2017, 0, 1);
    const runs = Array.from({ length: 60 }, (_, s) => {
      const base = dailyUse(dailyTemperatures(100 + s, start), law, { seed: 200 + s, phi: 0.6, sd: 25 });
      const model = fitDailyModel(base, { fitCooling: false, heatingBalancePointsC: [8, 10, 12, 14, 15, 16, 18, 20] });
      const report = dailyUse(dailyTemperatures(300 + s, start + 365 * DAY_MS), law, {
        seed: 400 + s,
        phi: 0.6,
        sd: 25,
      });
      return savings({
        baselineKwh: predictDaily(model, report),
        actualKwh: report.map((d) => d.kwh),
        fit: model.baseline,
      });
    });
    const within = runs.filter((r) => Math.abs(r.savingsKwh) <= r.uncertaintyKwh).length / runs.length;
    expect(within).toBeGreaterThan(0.8);
    expect(within).toBeLessThan(0.99);
    // The band is the width the spread of the errors implies (1.645 σ), within a quarter.
    const sigma = Math.sqrt(runs.reduce((a, r) => a + r.savingsShare ** 2, 0) / runs.length);
    const meanBand = runs.reduce((a, r) => a + r.uncertaintyShare, 0) / runs.length;
    expect(meanBand / (1.645 * sigma)).toBeGreaterThan(0.75);
    expect(meanBand / (1.645 * sigma)).toBeLessThan(1.33);
  });
});
