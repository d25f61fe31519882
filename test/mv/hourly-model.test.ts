import { describe, expect, it } from 'vitest';
import { fitHourlyModel, predictHourly } from '../../core/mv/hourly-model.js';
import { fitStatistics } from '../../core/mv/statistics.js';
import { binFeatures, CALTRACK_BIN_ENDPOINTS_C, fitBinEndpoints, timeKeysOf } from '../../core/mv/towt-features.js';
import { HOUR_MS, hourlyTemperatures, officeHour, officeUse } from './synthetic.js';

const START = Date.UTC(2017, 0, 2); // a Monday
const BASELINE = officeUse(hourlyTemperatures(11, START), 12);

describe('TOWT features', () => {
  it('keys hours by the local clock, across daylight saving', () => {
    const keys = timeKeysOf(
      [
        Date.UTC(2018, 0, 1, 0),
        Date.UTC(2018, 6, 2, 0),
        Date.UTC(2018, 2, 25, 0),
        Date.UTC(2018, 2, 25, 1),
        Date.UTC(2018, 6, 1, 23),
      ],
      'Europe/London',
    );
    expect(keys).toEqual([
      { month: 1, hourOfWeek: 0 }, // Monday 00:00 GMT
      { month: 7, hourOfWeek: 1 }, // Monday 00:00 UTC is 01:00 BST
      { month: 3, hourOfWeek: 6 * 24 }, // Sunday 00:00 GMT, the day clocks go forward
      { month: 3, hourOfWeek: 6 * 24 + 2 }, // 01:00 UTC is 02:00 BST
      { month: 7, hourOfWeek: 0 }, // Sunday 23:00 UTC is Monday 00:00 BST
    ]);
  });

  it('piecewise-linear segments add up to the temperature', () => {
    expect(binFeatures(20, [10, 15])).toEqual([10, 5, 5]);
    expect(binFeatures(12, [10, 15])).toEqual([10, 2, 0]);
    expect(binFeatures(-3, [10, 15])).toEqual([-3, 0, 0]);
    expect(binFeatures(7, [])).toEqual([7]);
  });

  it('merges thin temperature segments from the outside in', () => {
    const mild = Array.from({ length: 400 }, (_, i) => 10 + (i % 100) / 10); // 10–19.9 °C
    const kept = fitBinEndpoints(mild, CALTRACK_BIN_ENDPOINTS_C, 20);
    expect(kept.map((e) => e.toFixed(2))).toEqual(['12.78', '18.33']); // 55 °F and 65 °F
    expect(fitBinEndpoints([1, 2, 3], CALTRACK_BIN_ENDPOINTS_C, 20)).toEqual([]);
  });
});

describe('fitHourlyModel (CalTRACK TOWT)', () => {
  const model = fitHourlyModel(BASELINE);

  it('finds the occupied hours from the residuals', () => {
    for (const segment of model.segments) {
      const office = segment.occupied.filter((occ, h) => occ === officeHour(START + h * HOUR_MS)).length;
      expect(office).toBeGreaterThanOrEqual(166); // of 168 hours of the week
    }
    expect(model.segments).toHaveLength(12);
  });

  it('fits the office and predicts a new year within the noise', () => {
    const s = model.baseline.statistics;
    expect(s.cvRmse).toBeLessThan(0.06);
    expect(Math.abs(s.nmbe)).toBeLessThan(0.005);
    expect(model.baseline.verdict.acceptable).toBe(true);
    // Effective parameters: more than one segment's ~182 coefficients, fewer than all twelve's.
    expect(model.effectiveParameters).toBeGreaterThan(182);
    expect(model.effectiveParameters).toBeLessThan(12 * 182);
    const next = officeUse(hourlyTemperatures(13, START + 364 * 24 * HOUR_MS), 14);
    const out = fitStatistics(
      next.map((h) => h.kwh),
      predictHourly(model, next),
    );
    expect(out.cvRmse).toBeLessThan(0.06);
    expect(Math.abs(out.nmbe)).toBeLessThan(0.01);
  });

  it('a single model works as well on data without seasons of its own', () => {
    const single = fitHourlyModel(BASELINE, { segmentation: 'single' });
    expect(single.segments).toHaveLength(1);
    expect(single.effectiveParameters).toBeCloseTo(
      168 + (single.segments[0]?.occupiedSlopes.length ?? 0) + (single.segments[0]?.unoccupiedSlopes.length ?? 0),
      6,
    );
    expect(single.baseline.statistics.cvRmse).toBeLessThan(0.06);
  });

  it('cannot predict an hour of the week it never saw', () => {
    const weekdaysOnly = BASELINE.filter((h) => new Date(h.hourMs).getUTCDay() !== 0);
    const m = fitHourlyModel(weekdaysOnly, { segmentation: 'single' });
    const [sunday, monday] = predictHourly(m, [
      { hourMs: Date.UTC(2018, 0, 7, 12), temperatureC: 5 },
      { hourMs: Date.UTC(2018, 0, 8, 12), temperatureC: 5 },
    ]);
    expect(sunday).toBeNaN();
    expect(monday).toBeCloseTo(40 + 60 + 3 * 10, -1);
  });
});
