import { describe, expect, it } from 'vitest';
import { localDays } from '../../core/domain/detectors/local-days.js';
import type { DetectorContext, HourPoint } from '../../core/domain/detectors/types.js';
import { makeIsWorkday } from '../../core/domain/detectors/workdays.js';
import { CN_HOLIDAYS } from '../../core/domain/holidays-cn.js';
import { parseLocalDateTime } from '../../core/domain/time.js';
import { TZ } from './series.js';

const day = (text: string) => parseLocalDateTime(text, TZ) as number;
const weekday = (year: number, mmdd: string) => new Date(`${year}-${mmdd}T00:00:00Z`).getUTCDay();
const isDate = (year: number, mmdd: string) => parseLocalDateTime(`${year}-${mmdd}`, TZ) !== undefined;

describe('the Chinese holiday table (issue 17, item 5)', () => {
  it('has every year from 2015 to 2027, each published year with its notice, 2027 marked estimated', () => {
    for (let year = 2015; year <= 2027; year++) {
      const entry = CN_HOLIDAYS[year];
      expect(entry?.holidays.length, String(year)).toBeGreaterThanOrEqual(6);
      if (year < 2027) expect(entry?.notices?.[0], String(year)).toMatch(/^https?:\/\/www\.gov\.cn\//);
    }
    expect(CN_HOLIDAYS[2027]?.estimated).toBe(true);
    expect(CN_HOLIDAYS[2027]?.workdays).toEqual([]);
  });

  it('is well formed: real dates, ordered ranges, make-up workdays on weekends outside the holidays', () => {
    for (const [key, entry] of Object.entries(CN_HOLIDAYS)) {
      const year = Number(key);
      for (const [from, to] of entry.holidays) {
        expect(isDate(year, from) && isDate(year, to), `${year} ${from}–${to}`).toBe(true);
        expect(from <= to, `${year} ${from}–${to}`).toBe(true);
      }
      for (const mmdd of entry.workdays) {
        expect(isDate(year, mmdd), `${year}-${mmdd}`).toBe(true);
        expect([0, 6], `${year}-${mmdd} is a weekend day`).toContain(weekday(year, mmdd));
        expect(
          entry.holidays.some(([from, to]) => mmdd >= from && mmdd <= to),
          `${year}-${mmdd}`,
        ).toBe(false);
      }
    }
  });

  it('makes a make-up weekend day a workday and a weekday holiday a rest day', () => {
    const isWorkday = makeIsWorkday(TZ);
    for (const worked of ['2015-01-04', '2018-12-29', '2020-06-28', '2024-02-04', '2024-02-18', '2025-01-26'])
      expect(isWorkday(day(worked)), worked).toBe(true);
    for (const rest of [
      '2015-09-03',
      '2019-05-02',
      '2020-01-31',
      '2022-12-31',
      '2024-02-16',
      '2025-10-01',
      '2025-10-08',
    ])
      expect(isWorkday(day(rest)), rest).toBe(false);
    // The make-up Saturday of 1 February 2020 was cancelled when the Spring Festival was extended.
    expect(isWorkday(day('2020-02-01'))).toBe(false);
    expect(isWorkday(day('2024-02-09'))).toBe(true); // New Year's Eve 2024 was worked (Friday)
  });

  it('is what the detectors cut days with: after-hours judges a make-up Sunday as a workday', () => {
    const ctx: DetectorContext = { timeZone: TZ, nowMs: day('2025-02-10'), isWorkday: makeIsWorkday(TZ) };
    const series: HourPoint[] = [];
    for (let h = day('2025-01-24'); h < ctx.nowMs; h += 3_600_000)
      series.push({ hourStartMs: h, amount: 1, quality: 'good', readings: 1 });
    const kinds = new Map(localDays(series, ctx).map((d) => [d.startMs, d.workday]));
    expect(kinds.get(day('2025-01-24'))).toBe(true); // Friday
    expect(kinds.get(day('2025-01-25'))).toBe(false); // Saturday
    expect(kinds.get(day('2025-01-26'))).toBe(true); // Sunday worked before the Spring Festival
    expect(kinds.get(day('2025-01-28'))).toBe(false); // Tuesday, Spring Festival
    expect(kinds.get(day('2025-02-08'))).toBe(true); // Saturday worked after it
  });
});
