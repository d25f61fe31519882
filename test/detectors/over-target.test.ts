import { describe, expect, it } from 'vitest';
import { detectOverTarget, forecastMonth } from '../../core/domain/detectors/over-target.js';
import { makeIsWorkday } from '../../core/domain/detectors/workdays.js';
import { parseLocalDateTime } from '../../core/domain/time.js';
import { DAY_MS, INSTITUTION, office, series, TZ } from './series.js';

// March 2026: 22 workdays and 9 rest days, no holiday.
const MONTH_MS = parseLocalDateTime('2026-03-01', TZ) as number;
const isWorkday = makeIsWorkday(TZ);
const atDay = (days: number) => ({ timeZone: TZ, nowMs: MONTH_MS + days * DAY_MS, isWorkday });
const monthSeries = (days: number, factor = 1) =>
  series({ days, startMs: MONTH_MS, profile: office, edit: (v) => v * factor, noise: 0.05 });
// The clean month's total: 22 workdays of 10 h × 100 + 14 h × 20, 9 rest days of 8 h × 26 + 16 h × 20.
const MONTH_TOTAL = 22 * (10 * 100 + 14 * 20) + 9 * (8 * 26 + 16 * 20);

describe('forecastMonth', () => {
  it('projects the month from its workdays and rest days so far, hour by hour', () => {
    const f = forecastMonth(monthSeries(10), MONTH_MS, atDay(10));
    expect(f.elapsedDays).toBe(10);
    expect(f.projected / MONTH_TOTAL).toBeCloseTo(1, 1);
    expect(f.monthToDate + f.forecastRest).toBe(f.projected);
  });
});

describe('detectOverTarget', () => {
  const target = { monthStartMs: MONTH_MS, targetNative: MONTH_TOTAL * 1.1 };

  it('stays quiet when the month is on course for its target', () => {
    for (const day of [5, 10, 20, 31])
      expect(detectOverTarget(monthSeries(day), INSTITUTION, target, atDay(day))).toEqual([]);
  });

  it('flags a month running 30 % over its model at day 10, with forecast and target in the evidence', () => {
    const found = detectOverTarget(monthSeries(10, 1.3), INSTITUTION, target, atDay(10));
    expect(found).toHaveLength(1);
    const c = found[0];
    expect(c).toMatchObject({ type: 'over_target', scope: 'institution:i-1', startMs: MONTH_MS, severity: 'medium' });
    expect(c?.endMs).toBe(MONTH_MS + 10 * DAY_MS);
    expect(c?.evidence.target).toBeCloseTo(target.targetNative, -2);
    expect(c?.evidence.forecast).toBeGreaterThan(target.targetNative);
    expect((c?.evidence.forecast as number) / MONTH_TOTAL).toBeCloseTo(1.3, 1);
    expect(c?.evidence.unit).toBe('kWh');
    expect(c?.wastedNative).toBeCloseTo((c?.evidence.forecast as number) - target.targetNative, -2);
  });

  it('with too few days elapsed, trusts no forecast: only a month-to-date already over target, noted', () => {
    expect(detectOverTarget(monthSeries(3, 1.5), INSTITUTION, target, atDay(3))).toEqual([]);
    const small = { monthStartMs: MONTH_MS, targetNative: 3000 };
    const found = detectOverTarget(monthSeries(3), INSTITUTION, small, atDay(3));
    expect(found[0]).toMatchObject({ severity: 'low', evidence: { note: 'insufficient history', historyDays: 3 } });
  });
});
