/**
 * From hourly readings to what the baseline models take: gaps recognised (a meter that reads 0
 * for a day or more while it normally never does is missing, not idle) and hours summed to days
 * with CalTRACK's coverage rules. Missing values are NaN throughout.
 */
import type { DailyObservation } from './daily-model.js';

/** One hour: its start (UTC ms), energy used (NaN if missing) and outdoor temperature (NaN if missing). */
export interface HourRecord {
  readonly hourMs: number;
  readonly kwh: number;
  readonly temperatureC: number;
}

/**
 * Whether a series is "normally non-zero": at most `maximumZeroShare` of its known hours read 0
 * (default 1 %). Only in such a series is a long run of zeros a gap; a heating meter that is off
 * all summer is not missing data.
 */
export function isNormallyNonZero(kwh: readonly number[], maximumZeroShare = 0.01): boolean {
  let known = 0;
  let zeros = 0;
  for (const v of kwh) {
    if (!Number.isFinite(v)) continue;
    known++;
    if (v === 0) zeros++;
  }
  return known > 0 && zeros / known <= maximumZeroShare;
}

/**
 * The series with every run of at least `minimumRunHours` consecutive zeros replaced by NaN
 * (default 23 h, a whole day give or take the hour a logger needs to restart): in archives where
 * a missing reading was written as 0, such runs are gaps.
 */
export function zeroRunsAsMissing(kwh: readonly number[], minimumRunHours = 23): number[] {
  const out = [...kwh];
  let start = -1;
  for (let i = 0; i <= kwh.length; i++) {
    const zero = i < kwh.length && kwh[i] === 0;
    if (zero && start < 0) start = i;
    if (!zero && start >= 0) {
      if (i - start >= minimumRunHours) out.fill(Number.NaN, start, i);
      start = -1;
    }
  }
  return out;
}

const DAY_MS = 86_400_000;

/** Coverage a day needs. */
export interface DailyCoverage {
  /** Share of the day's hours that need a temperature for its mean to count (default 0.9, CalTRACK). */
  readonly minimumTemperatureShare?: number;
}

/**
 * Hours summed to UTC days: kWh is the day's sum when all 24 hours are known (NaN otherwise),
 * temperature the mean of its known hours when they cover enough of the day (NaN otherwise).
 * Days come out in time order, one per day that has any hour.
 */
export function dailyFromHourly(hours: readonly HourRecord[], coverage: DailyCoverage = {}): DailyObservation[] {
  const share = coverage.minimumTemperatureShare ?? 0.9;
  const days = new Map<number, { kwh: number; kwhHours: number; tSum: number; tHours: number }>();
  for (const h of hours) {
    const dayMs = Math.floor(h.hourMs / DAY_MS) * DAY_MS;
    let d = days.get(dayMs);
    if (d === undefined) {
      d = { kwh: 0, kwhHours: 0, tSum: 0, tHours: 0 };
      days.set(dayMs, d);
    }
    if (Number.isFinite(h.kwh)) {
      d.kwh += h.kwh;
      d.kwhHours++;
    }
    if (Number.isFinite(h.temperatureC)) {
      d.tSum += h.temperatureC;
      d.tHours++;
    }
  }
  return [...days.entries()]
    .sort(([a], [b]) => a - b)
    .map(([dayMs, d]) => ({
      dayMs,
      kwh: d.kwhHours === 24 ? d.kwh : Number.NaN,
      temperatureC: d.tHours >= share * 24 ? d.tSum / d.tHours : Number.NaN,
    }));
}
