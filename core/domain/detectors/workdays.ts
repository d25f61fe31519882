/**
 * Working days of the Chinese calendar: weekends and public holidays (法定节假日) are rest days,
 * make-up workdays (调休上班) are working days although they fall on a weekend. The table is data:
 * core/domain/holidays-cn.ts.
 */
import { CN_HOLIDAYS, type HolidayTable, type HolidayYear } from '../holidays-cn.js';
import { localParts } from '../time.js';

export { CN_HOLIDAYS, CN_HOLIDAYS_VERSION, type HolidayTable, type HolidayYear } from '../holidays-cn.js';

/** Fixed-date holidays assumed for a year missing from the table (New Year, Labour Day, National Day). */
export const FALLBACK_HOLIDAYS: HolidayYear = {
  holidays: [
    ['01-01', '01-01'],
    ['05-01', '05-03'],
    ['10-01', '10-07'],
  ],
  workdays: [],
};

/**
 * An `isWorkday` for a detector context: a local day (given by any instant in it, normally its
 * local midnight) is a workday when it is Monday to Friday and not a holiday, or a make-up workday.
 */
export function makeIsWorkday(
  timeZone: string,
  table: HolidayTable = CN_HOLIDAYS,
): (localDayStartMs: number) => boolean {
  const cache = new Map<number, boolean>();
  return (localDayStartMs) => {
    let answer = cache.get(localDayStartMs);
    if (answer === undefined) {
      const p = localParts(localDayStartMs, timeZone);
      const mmdd = `${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
      const year = table[p.year] ?? FALLBACK_HOLIDAYS;
      const weekday = new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay();
      if (year.holidays.some(([from, to]) => mmdd >= from && mmdd <= to)) answer = false;
      else if (year.workdays.includes(mmdd)) answer = true;
      else answer = weekday !== 0 && weekday !== 6;
      cache.set(localDayStartMs, answer);
    }
    return answer;
  };
}
