/**
 * Working days of the Chinese calendar: weekends and public holidays (法定节假日) are rest days,
 * make-up workdays (调休上班) are working days although they fall on a weekend.
 */
import { localParts } from '../time.js';

/** Holidays (inclusive `MM-DD` ranges) and make-up workdays (`MM-DD`) of one year. */
export interface HolidayYear {
  readonly holidays: readonly (readonly [string, string])[];
  readonly workdays: readonly string[];
}

/** Holiday years keyed by year. */
export type HolidayTable = Readonly<Record<number, HolidayYear>>;

/**
 * Chinese public holidays and make-up workdays, shared by detection and the simulator. 2025 and 2026: State Council notices 国办发明电〔2024〕12号 and of
 * November 2025, as remembered, [verify] against gov.cn; 2027 is ESTIMATED from the lunar
 * calendar with no make-up days [verify]: replace it when the State Council publishes the
 * schedule (each November). Pass another table to `makeIsWorkday` to override it.
 */
export const CN_HOLIDAYS: HolidayTable = {
  2025: {
    holidays: [
      ['01-01', '01-01'],
      ['01-28', '02-04'],
      ['04-04', '04-06'],
      ['05-01', '05-05'],
      ['05-31', '06-02'],
      ['10-01', '10-08'],
    ],
    workdays: ['01-26', '02-08', '04-27', '09-28', '10-11'],
  },
  2026: {
    holidays: [
      ['01-01', '01-03'],
      ['02-15', '02-23'],
      ['04-04', '04-06'],
      ['05-01', '05-05'],
      ['06-19', '06-21'],
      ['09-25', '09-27'],
      ['10-01', '10-07'],
    ],
    workdays: ['01-04', '02-14', '02-28', '05-09', '09-20', '10-10'],
  },
  2027: {
    holidays: [
      ['01-01', '01-03'],
      ['02-05', '02-11'],
      ['04-03', '04-05'],
      ['05-01', '05-05'],
      ['06-09', '06-09'],
      ['09-15', '09-15'],
      ['10-01', '10-07'],
    ],
    workdays: [],
  },
};

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
