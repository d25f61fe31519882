import { describe, expect, it } from 'vitest';
import { monthEndForecast, SEASONAL_SHAPE, yearEndForecast } from '../../core/domain/forecast.js';
import { defaultOfficeIntensity, officeHoursCorrection } from '../../core/domain/standards/gbt51161.js';
import {
  overlappingTargets,
  parseTargetUnit,
  type Target,
  TargetSchema,
  targetStatus,
} from '../../core/domain/targets.js';

describe('targets', () => {
  it('accepts native, kgce and intensity units that fit the energy', () => {
    expect(parseTargetUnit('electricity', 'kWh')).toEqual({ mode: 'native' });
    expect(parseTargetUnit('electricity', 'kWh/m2')).toEqual({ mode: 'native', per: 'm2' });
    expect(parseTargetUnit('water', 'kgce/capita')).toEqual({ mode: 'kgce', per: 'capita' });
    expect(parseTargetUnit('all', 'kgce/m2')).toEqual({ mode: 'kgce', per: 'm2' });
    expect(parseTargetUnit('all', 'kWh')).toBeUndefined();
    expect(parseTargetUnit('electricity', 'm3')).toBeUndefined();
    expect(parseTargetUnit('electricity', 'kWh/bed')).toBeUndefined();
    expect(
      TargetSchema.safeParse({ scope: 'city', energy: 'gas', period: '2026', value: 1, unit: 'kWh' }).success,
    ).toBe(false);
  });
  it('finds overlapping targets in a submission', () => {
    const t: Target = { scope: 'city', energy: 'electricity', period: '2026-11', value: 1, unit: 'kWh' };
    expect(overlappingTargets([t, { ...t, period: '2026' }])).toEqual([]);
    expect(overlappingTargets([t, { ...t, value: 2 }])).toEqual([
      { path: 'targets[1].period', message: expect.stringMatching(/overlaps targets\[0\]/) },
    ]);
  });
  it('classifies status from consumption to date and forecast', () => {
    expect(targetStatus(120, 130, 100)).toBe('over');
    expect(targetStatus(80, 110, 100)).toBe('at_risk');
    expect(targetStatus(50, 90, 100)).toBe('on_track');
  });
});

describe('forecasts that know seasons', () => {
  it('projects the month at the recent rate', () => {
    expect(monthEndForecast(100, 48, 2)).toBe(196);
  });
  it('follows last year shape scaled by this year so far', () => {
    const lastYear = [10, 10, 10, 10, 10, 10, 20, 20, 10, 10, 10, 10];
    const f = yearEndForecast([11, 11, 11], lastYear, 'electricity');
    expect(f.method).toBe('last-year');
    expect(f.forecast).toBeCloseTo(33 + 1.1 * 110, 9);
  });
  it('uses the default seasonal shape without history, not a straight line', () => {
    const f = yearEndForecast([100], undefined, 'heat');
    const shape = SEASONAL_SHAPE.heat as readonly number[];
    expect(f.method).toBe('seasonal-shape');
    expect(f.forecast).toBeCloseTo((100 / (shape[0] as number)) * shape.reduce((a, b) => a + b, 0), 6);
    expect(f.forecast).not.toBeCloseTo(1200, 0);
  });
});

describe('GB/T 51161 defaults', () => {
  it('corrects for operating hours: γ1 = 0.3 + 0.7 × 2500 / T', () => {
    expect(officeHoursCorrection(2500)).toBeCloseTo(1, 9);
    expect(defaultOfficeIntensity('hot-summer-cold-winter')).toBeCloseTo(85, 9);
    // Longer hours: the measured value is corrected down, so more raw consumption meets the value.
    expect(defaultOfficeIntensity('hot-summer-cold-winter', 'constraint', 3500)).toBeGreaterThan(85);
  });
});
