import { describe, expect, it } from 'vitest';
import { degreeDaysFromHourly, degreeDaysFromMean, fahrenheitToCelsius } from '../../core/mv/degree-days.js';
import { dailyFromHourly, isNormallyNonZero, zeroRunsAsMissing } from '../../core/mv/series.js';

const HOUR_MS = 3_600_000;
const DAY0 = Date.UTC(2017, 0, 2);

describe('degree days', () => {
  it('from the mean and from the hours', () => {
    expect(fahrenheitToCelsius(65)).toBeCloseTo(18.333, 3);
    expect(degreeDaysFromMean(10, 15, 20)).toEqual({ hddC: 5, cddC: 0 });
    expect(degreeDaysFromMean(24, 15, 20)).toEqual({ hddC: 0, cddC: 4 });
    // A mild mean hides a cold night: the hourly method sees it.
    const hours = [...Array(12).fill(5), ...Array(12).fill(25)];
    expect(degreeDaysFromMean(15, 15, 30).hddC).toBe(0);
    expect(degreeDaysFromHourly(hours, 15, 30).hddC).toBe(5);
    expect(degreeDaysFromHourly([], 15, 20).hddC).toBeNaN();
  });
});

describe('gaps and days', () => {
  it('a long run of zeros in a normally non-zero meter is a gap', () => {
    expect(zeroRunsAsMissing([1, 0, 0, 0, 2, 0, 0, 3], 3)).toEqual([1, Number.NaN, Number.NaN, Number.NaN, 2, 0, 0, 3]);
    expect(zeroRunsAsMissing([0, 0, 0], 3)).toEqual([Number.NaN, Number.NaN, Number.NaN]);
    expect(isNormallyNonZero([...Array(99).fill(1), 0])).toBe(true);
    expect(isNormallyNonZero([...Array(98).fill(1), 0, 0])).toBe(false);
    expect(isNormallyNonZero([Number.NaN])).toBe(false);
  });

  it('sums whole days and averages temperatures that cover 90 % of the day', () => {
    const hours = Array.from({ length: 72 }, (_, i) => ({
      hourMs: DAY0 + i * HOUR_MS,
      kwh: i === 30 ? Number.NaN : 1,
      // Day 3 misses 3 of its 24 temperatures (21 < 21.6), day 1 misses 2 (22 ≥ 21.6).
      temperatureC: [0, 1, 50, 51, 52].includes(i % 72) ? Number.NaN : i < 24 ? 10 : 20,
    }));
    const days = dailyFromHourly(hours);
    expect(days.map((d) => d.dayMs)).toEqual([DAY0, DAY0 + 24 * HOUR_MS, DAY0 + 48 * HOUR_MS]);
    expect(days.map((d) => d.kwh)).toEqual([24, Number.NaN, 24]);
    expect(days.map((d) => d.temperatureC)).toEqual([10, 20, Number.NaN]);
  });
});
