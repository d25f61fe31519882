/**
 * A normal year's weather (issue 18, item 4), pure: for each calendar day, the daily mean
 * temperatures of that day in every full year a station holds. A model predicts a day of a
 * normal year as the mean of its predictions under each year's temperature of the day — the mean
 * of the degree days, not the degree days of the mean temperature, which would understate them
 * (a degree-day model is not linear in temperature). Nothing is filled in: a calendar day no full
 * year has a temperature for is unpredictable, and counted so.
 */
import { localParts, localToEpochMs } from '../domain/time.js';
import type { WeatherObservation } from '../domain/weather.js';
import { type DailyModel, predictDaily } from './daily-model.js';
import { hourlyTemperatures, projectSteps } from './project-steps.js';

/** Fewest full years a normal year is made of (the shared Bedford data holds two). */
export const NORMAL_YEAR_MINIMUM_YEARS = 2;
/** Share of a year's days that need a daily mean temperature for the year to count as full (CalTRACK 2.2.1.2: ≤ 10 % missing). */
export const NORMAL_YEAR_DAY_COVERAGE = 0.9;

/** A normal year: the full years it is made of and, by calendar day `MM-DD`, their daily mean temperatures. */
export interface NormalYear {
  /** The local calendar years used, ascending. */
  readonly years: readonly number[];
  /** Local years held but not full (fewer than 90 % of days with a temperature), ascending. */
  readonly partialYears: readonly number[];
  /** Daily mean temperatures °C of each calendar day `MM-DD`, one per full year that has one. */
  readonly temperaturesByDay: ReadonlyMap<string, readonly number[]>;
}

/** A normal year, or why none can be made (a value, not a throw). */
export type NormalYearResult =
  | { readonly ok: true; readonly normal: NormalYear }
  | {
      readonly ok: false;
      readonly reason: string;
      readonly years: readonly number[];
      readonly partialYears: readonly number[];
    };

const pad = (n: number) => String(n).padStart(2, '0');

/** The calendar day `MM-DD` of a local day `YYYY-MM-DD`. */
export const calendarDay = (day: string): string => day.slice(5);

/**
 * Makes a station's normal year from its observations: every local calendar year they touch is
 * split into days (a day's mean counts when 90 % of its hours are observed); a year is full when
 * 90 % of its days have a mean; at least `minimumYears` full years are required.
 */
export function normalYear(
  observations: readonly WeatherObservation[],
  timeZone: string,
  minimumYears: number = NORMAL_YEAR_MINIMUM_YEARS,
): NormalYearResult {
  const first = observations[0];
  const last = observations.at(-1);
  if (first === undefined || last === undefined)
    return { ok: false, reason: 'the station holds no observation', years: [], partialYears: [] };
  const temperatures = hourlyTemperatures(observations);
  const years: number[] = [];
  const partialYears: number[] = [];
  const byDay = new Map<string, number[]>();
  const empty = new Map<number, number>();
  for (let y = localParts(first.tsMs, timeZone).year; y <= localParts(last.tsMs, timeZone).year; y++) {
    const steps = projectSteps(
      'daily',
      localToEpochMs(timeZone, y, 1),
      localToEpochMs(timeZone, y + 1, 1),
      timeZone,
      empty,
      temperatures,
    );
    const known = steps.filter((s) => Number.isFinite(s.temperatureC));
    if (known.length < NORMAL_YEAR_DAY_COVERAGE * steps.length) {
      if (known.length > 0) partialYears.push(y);
      continue;
    }
    years.push(y);
    for (const s of known) {
      const key = calendarDay(s.day);
      byDay.set(key, [...(byDay.get(key) ?? []), s.temperatureC]);
    }
  }
  if (years.length < minimumYears)
    return {
      ok: false,
      reason: `a normal year needs at least ${minimumYears} full local years (90 % of days with a daily mean temperature); the station holds ${years.length}${years.length > 0 ? ` (${years.join(', ')})` : ''}`,
      years,
      partialYears,
    };
  return { ok: true, normal: { years, partialYears, temperaturesByDay: byDay } };
}

/**
 * The temperatures of a calendar day in a normal year: its own, else for 29 February (held by
 * leap years only) those of 28 February and 1 March; empty when no full year has any.
 */
export function normalTemperatures(normal: NormalYear, day: string): readonly number[] {
  const key = calendarDay(day);
  const own = normal.temperaturesByDay.get(key) ?? [];
  if (own.length > 0 || key !== '02-29') return own;
  return [...(normal.temperaturesByDay.get('02-28') ?? []), ...(normal.temperaturesByDay.get('03-01') ?? [])];
}

/** The mean daily temperature of each calendar day of a normal year (`MM-DD` → °C), for display. */
export function normalMeans(normal: NormalYear): Map<string, number> {
  return new Map(
    [...normal.temperaturesByDay].map(([day, ts]) => [day, ts.reduce((a, t) => a + t, 0) / ts.length] as const),
  );
}

/**
 * What a daily model predicts for one day under reference weather given as that day's
 * temperatures in one or several years: the mean of the predictions; NaN without a temperature.
 */
export function predictUnder(model: DailyModel, dayMs: number, temperaturesC: readonly number[]): number {
  if (temperaturesC.length === 0) return Number.NaN;
  const predicted = predictDaily(
    model,
    temperaturesC.map((temperatureC) => ({ dayMs, temperatureC })),
  );
  return predicted.reduce((a, p) => a + p, 0) / predicted.length;
}

/** `MM-DD` of every day of a year, for tests and display. */
export const calendarDays = (year: number): string[] => {
  const out: string[] = [];
  for (let d = new Date(Date.UTC(year, 0, 1)); d.getUTCFullYear() === year; d.setUTCDate(d.getUTCDate() + 1))
    out.push(`${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`);
  return out;
};
