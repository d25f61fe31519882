import { describe, expect, it } from 'vitest';
import { dailySufficiency, fitDailyModel, predictDaily } from '../../core/mv/daily-model.js';
import { fahrenheitToCelsius } from '../../core/mv/degree-days.js';
import { DAY_MS, dailyTemperatures, dailyUse } from './synthetic.js';

const START = Date.UTC(2017, 0, 1);
const WEATHER = dailyTemperatures(1, START);
const BALANCE_C = fahrenheitToCelsius(60); // 15.6 °C, on CalTRACK's grid
const ONE_F = 5 / 9; // one step of the grid, °C

describe('fitDailyModel (CalTRACK daily)', () => {
  it('recovers a known heating slope and balance point', () => {
    const days = dailyUse(WEATHER, (t) => 200 + 12 * Math.max(0, BALANCE_C - t), { seed: 2, sd: 10 });
    const model = fitDailyModel(days);
    expect(model.type).toBe('hdd-only');
    expect(Math.abs((model.heatingBalanceC ?? Number.NaN) - BALANCE_C)).toBeLessThanOrEqual(ONE_F + 1e-9);
    expect(model.heatingKwhPerDegreeDay).toBeGreaterThan(12 * 0.95);
    expect(model.heatingKwhPerDegreeDay).toBeLessThan(12 * 1.05);
    expect(model.interceptKwh).toBeCloseTo(200, -1);
    expect(model.heatingPValue).toBeLessThan(1e-6);
    expect(model.baseline.statistics.parameterCount).toBe(2);
    expect(model.baseline.verdict.acceptable).toBe(true);
    // It predicts new weather by the law it found.
    const next = dailyTemperatures(3, START + 365 * DAY_MS);
    const predicted = predictDaily(model, next);
    next.forEach((d, i) => {
      expect(predicted[i]).toBeCloseTo(200 + 12 * Math.max(0, BALANCE_C - d.temperatureC), -1);
    });
  });

  it('chooses intercept only for use that ignores the weather', () => {
    const days = dailyUse(WEATHER, () => 500, { seed: 4, sd: 25 });
    const model = fitDailyModel(days);
    expect(model.type).toBe('intercept-only');
    expect(model.interceptKwh).toBeCloseTo(500, -1);
    expect(model.adjustedR2).toBe(0);
    expect(model.heatingBalanceC).toBeUndefined();
    expect(predictDaily(model, WEATHER.slice(0, 3))).toEqual([
      model.interceptKwh,
      model.interceptKwh,
      model.interceptKwh,
    ]);
  });

  it('finds cooling, and heating with cooling', () => {
    const coolingC = fahrenheitToCelsius(64); // 17.8 °C
    const cooling = fitDailyModel(dailyUse(WEATHER, (t) => 100 + 8 * Math.max(0, t - coolingC), { seed: 5, sd: 5 }));
    expect(cooling.type).toBe('cdd-only');
    expect(Math.abs((cooling.coolingBalanceC ?? Number.NaN) - coolingC)).toBeLessThan(1);
    expect(cooling.coolingKwhPerDegreeDay).toBeCloseTo(8, 0);

    const heatingC = fahrenheitToCelsius(50); // 10 °C
    const both = fitDailyModel(
      dailyUse(WEATHER, (t) => 100 + 6 * Math.max(0, heatingC - t) + 8 * Math.max(0, t - coolingC), { seed: 6, sd: 5 }),
    );
    expect(both.type).toBe('hdd-cdd');
    expect(Math.abs((both.heatingBalanceC ?? Number.NaN) - heatingC)).toBeLessThan(1);
    expect(Math.abs((both.coolingBalanceC ?? Number.NaN) - coolingC)).toBeLessThan(1);
    // Gas: no cooling candidates at all.
    expect(
      fitDailyModel(
        dailyUse(WEATHER, (t) => 100 + 8 * Math.max(0, t - coolingC), { seed: 5, sd: 5 }),
        { fitCooling: false },
      ).type,
    ).not.toMatch(/cdd/);
  });

  it('fits a slope only where there are degree days enough (CalTRACK 3.2.2.2)', () => {
    const warm = WEATHER.map((d) => ({ ...d, temperatureC: 25 + (d.temperatureC % 3) }));
    const model = fitDailyModel(
      dailyUse(warm, () => 100, { seed: 7, sd: 5 }),
      { fitCooling: false },
    );
    // Every heating balance point below 25 °C gives only zeros; above it too few degree days may remain.
    expect(model.candidates.fitted).toBeLessThan(61);
    expect(model.type).toBe('intercept-only');
  });

  it('keeps a slope only when it is positive and significant', () => {
    // Use that falls as it gets colder: a negative heating slope never qualifies.
    const days = dailyUse(WEATHER, (t) => 300 - 5 * Math.max(0, 15 - t), { seed: 8, sd: 5 });
    expect(fitDailyModel(days, { fitCooling: false }).type).toBe('intercept-only');
    // A stricter p-value screen qualifies no more candidates than a looser one.
    const noise = dailyUse(WEATHER, () => 300, { seed: 9, sd: 30 });
    const strict = fitDailyModel(noise, { maximumPValue: 0.01 });
    const loose = fitDailyModel(noise, { maximumPValue: 1 });
    expect(strict.candidates.qualified).toBeLessThanOrEqual(loose.candidates.qualified);
    expect(strict.candidates.fitted).toBe(loose.candidates.fitted);
  });

  it('measures data sufficiency: at most 10 % of the baseline days missing', () => {
    const days = dailyUse(WEATHER, () => 1, { seed: 10, sd: 0 });
    expect(dailySufficiency(days.slice(0, 329))).toMatchObject({ sufficient: true, usableDays: 329 });
    expect(dailySufficiency(days.slice(0, 328)).sufficient).toBe(false);
  });
});
