/**
 * The calendar the load model runs on: local days, public holidays, school vacations and a
 * monthly temperature curve. Tables are data, kept here so that they can be checked and replaced;
 * every one is marked [verify] (DOMAIN.md asks for that of secondary facts).
 */
import { CN_HOLIDAYS, type HolidayTable } from '../core/domain/detectors/workdays.js';
import { localToEpochMs, offsetMs } from '../core/domain/time.js';

/** One day in milliseconds. */
export const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * Chinese public holidays (法定节假日) and make-up workdays (调休上班), as `MM-DD`: the table the
 * detectors use, 2015–2027 from the State Council's notices [verify], 2027 estimated; sources in
 * core/domain/holidays-cn.ts.
 */
export const HOLIDAY_TABLE: HolidayTable = CN_HOLIDAYS;

/** Fixed-date holidays assumed for years missing from the table. */
const FALLBACK_HOLIDAYS: readonly (readonly [string, string])[] = [
  ['01-01', '01-01'],
  ['05-01', '05-03'],
  ['10-01', '10-07'],
];

/**
 * School vacations (寒假/暑假) of primary and secondary schools in Nanjing, approximate [verify]:
 * they move with the Spring Festival and are set by each city's education bureau.
 */
export const SCHOOL_VACATIONS: Readonly<Record<number, readonly (readonly [string, string])[]>> = {
  2025: [
    ['01-18', '02-16'],
    ['07-05', '08-31'],
  ],
  2026: [
    ['01-31', '03-01'],
    ['07-04', '08-31'],
  ],
  2027: [
    ['01-23', '02-21'],
    ['07-03', '08-31'],
  ],
};
const FALLBACK_VACATIONS: readonly (readonly [string, string])[] = [
  ['01-20', '02-20'],
  ['07-05', '08-31'],
];

/**
 * Monthly mean air temperature, °C, January first: Nanjing (hot-summer-cold-winter zone),
 * approximate 1991–2020 normals [verify against CMA data]. Drives cooling and heating loads.
 */
export const MONTHLY_MEAN_TEMP_C: readonly number[] = [
  3.1, 5.6, 10.1, 16.0, 21.4, 25.1, 28.3, 27.8, 23.7, 18.1, 11.6, 5.3,
];

/** Half the daily temperature swing, °C; the daily maximum is at 15:00 local. */
export const DIURNAL_AMPLITUDE_C = 4;

/** What kind of day a local date is for a building's schedule. */
export type DayKind = 'workday' | 'weekend' | 'holiday';

/** Calendar facts of one local date. */
export interface DayInfo {
  /** Days since 1970-01-01 in local time. */
  readonly dayNumber: number;
  readonly year: number;
  readonly month: number;
  readonly day: number;
  /** 0 = Sunday … 6 = Saturday. */
  readonly weekday: number;
  readonly kind: DayKind;
  readonly schoolVacation: boolean;
  /** Daily mean temperature, °C. */
  readonly meanTempC: number;
}

function inRanges(mmdd: string, ranges: readonly (readonly [string, string])[]): boolean {
  return ranges.some(([from, to]) => mmdd >= from && mmdd <= to);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function dailyMeanTempC(year: number, month: number, day: number): number {
  const f = (day - 0.5) / daysInMonth(year, month); // position in the month, 0..1
  const here = MONTHLY_MEAN_TEMP_C[month - 1] ?? 15;
  const otherIndex = f < 0.5 ? (month + 10) % 12 : month % 12;
  const other = MONTHLY_MEAN_TEMP_C[otherIndex] ?? here;
  const w = f < 0.5 ? 0.5 - f : f - 0.5; // weight of the neighbouring month's midpoint
  return here * (1 - w) + other * w;
}

const dayInfos = new Map<number, DayInfo>();

/** Calendar facts of a local date given as a day number (days since 1970-01-01). Cached. */
export function dayInfo(dayNumber: number): DayInfo {
  let info = dayInfos.get(dayNumber);
  if (info !== undefined) return info;
  const date = new Date(dayNumber * DAY_MS);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + 1;
  const day = date.getUTCDate();
  const weekday = date.getUTCDay();
  const mmdd = `${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  const table = HOLIDAY_TABLE[year];
  let kind: DayKind = weekday === 0 || weekday === 6 ? 'weekend' : 'workday';
  if (inRanges(mmdd, table?.holidays ?? FALLBACK_HOLIDAYS)) kind = 'holiday';
  else if (table?.workdays.includes(mmdd)) kind = 'workday';
  const schoolVacation = inRanges(mmdd, SCHOOL_VACATIONS[year] ?? FALLBACK_VACATIONS);
  info = { dayNumber, year, month, day, weekday, kind, schoolVacation, meanTempC: dailyMeanTempC(year, month, day) };
  if (dayInfos.size > 100_000) dayInfos.clear();
  dayInfos.set(dayNumber, info);
  return info;
}

/** Air temperature, °C, at a local hour of a day (a cosine around the daily mean). */
export function temperatureC(info: DayInfo, hour: number): number {
  return info.meanTempC + DIURNAL_AMPLITUDE_C * Math.cos((2 * Math.PI * (hour - 15)) / 24);
}

const offsetCache = new Map<string, Map<number, number>>();

/** The zone's UTC offset at an instant, cached per UTC hour (offsets change on hour boundaries). */
export function cachedOffsetMs(tMs: number, timeZone: string): number {
  let byHour = offsetCache.get(timeZone);
  if (byHour === undefined) {
    byHour = new Map();
    offsetCache.set(timeZone, byHour);
  }
  const hour = Math.floor(tMs / HOUR_MS);
  let off = byHour.get(hour);
  if (off === undefined) {
    off = offsetMs(hour * HOUR_MS, timeZone);
    if (byHour.size > 200_000) byHour.clear();
    byHour.set(hour, off);
  }
  return off;
}

const dayStarts = new Map<string, Map<number, number>>();

/** The instant a local day starts (local midnight). Cached. */
export function dayStartMs(dayNumber: number, timeZone: string): number {
  let byDay = dayStarts.get(timeZone);
  if (byDay === undefined) {
    byDay = new Map();
    dayStarts.set(timeZone, byDay);
  }
  let start = byDay.get(dayNumber);
  if (start === undefined) {
    const d = new Date(dayNumber * DAY_MS);
    start = localToEpochMs(timeZone, d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
    if (byDay.size > 100_000) byDay.clear();
    byDay.set(dayNumber, start);
  }
  return start;
}

/** The local day containing an instant: its number and [startMs, endMs). */
export function localDayAt(tMs: number, timeZone: string): { dayNumber: number; startMs: number; endMs: number } {
  let dayNumber = Math.floor((tMs + cachedOffsetMs(tMs, timeZone)) / DAY_MS);
  let startMs = dayStartMs(dayNumber, timeZone);
  if (tMs < startMs) {
    dayNumber -= 1;
    startMs = dayStartMs(dayNumber, timeZone);
  }
  let endMs = dayStartMs(dayNumber + 1, timeZone);
  if (tMs >= endMs) {
    dayNumber += 1;
    startMs = endMs;
    endMs = dayStartMs(dayNumber + 1, timeZone);
  }
  return { dayNumber, startMs, endMs };
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/**
 * ISO 8601 local time with offset, e.g. `2026-11-01T08:00:00+08:00`. Same output as
 * `formatLocalIso` in core/domain/time, but cached per hour so that millions of readings stay cheap.
 */
export function formatIsoWithOffset(tMs: number, timeZone: string): string {
  const off = cachedOffsetMs(tMs, timeZone);
  const d = new Date(Math.floor(tMs / 1000) * 1000 + off);
  const offMin = Math.abs(off / 60_000);
  const sign = off < 0 ? '-' : '+';
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())}${sign}${pad(Math.trunc(offMin / 60))}:${pad(offMin % 60)}`;
}
