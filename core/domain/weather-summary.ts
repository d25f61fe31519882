/**
 * A station's observations summed up by local hour, day or month (issue 18, item 1, `GET
 * /api/v1/weather/{stationId}`): temperatures, hours observed and missing, heating and cooling
 * degree days. Nothing is filled in: a bucket without observations has no temperature, a day
 * without enough of them no degree days.
 */
import { coolingDegrees, degreeDaysFromMean, heatingDegrees } from '../mv/degree-days.js';
import { bucketStarts, HOUR_MS, nextBucketStart } from './time.js';
import type { WeatherObservation } from './weather.js';

/** The buckets the summary takes. */
export type WeatherInterval = 'hour' | 'day' | 'month';

/**
 * Share of a local day's hours that must be observed for its mean temperature, and so its degree
 * days, to count: 0.9, as the baseline models' `dailyFromHourly` (core/mv/series.ts, CalTRACK).
 */
export const DEGREE_DAY_MIN_COVERAGE = 0.9;

/** Base temperatures of the degree days, °C. */
export interface DegreeDayBases {
  readonly heatingBaseC: number;
  readonly coolingBaseC: number;
}

/** One bucket of the summary; temperatures in °C, degree days in °C·d, null where nothing was observed. */
export interface WeatherBucket {
  readonly fromMs: number;
  readonly toMs: number;
  readonly meanC: number | null;
  readonly minC: number | null;
  readonly maxC: number | null;
  readonly hoursObserved: number;
  readonly hoursMissing: number;
  /**
   * Heating and cooling degree days. Of an hour: its degree-hours / 24. Of a day: from the day's
   * mean temperature (CalTRACK daily), when at least `DEGREE_DAY_MIN_COVERAGE` of its hours are
   * observed. Of a month: the sum over its days that have them (`daysWithDegreeDays`).
   */
  readonly hddC: number | null;
  readonly cddC: number | null;
  /** Days whose degree days are in `hddC`/`cddC`; null for hourly buckets. */
  readonly daysWithDegreeDays: number | null;
}

const round = (x: number, digits = 6) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** The whole UTC hours in [fromMs, toMs). */
function hoursIn(fromMs: number, toMs: number): number[] {
  const out: number[] = [];
  for (let h = Math.ceil(fromMs / HOUR_MS) * HOUR_MS; h < toMs; h += HOUR_MS) out.push(h);
  return out;
}

/** Degree days of each local day wholly inside [fromMs, toMs) that has enough observed hours, by its start. */
function dailyDegreeDays(
  byHour: ReadonlyMap<number, number>,
  fromMs: number,
  toMs: number,
  timeZone: string,
  bases: DegreeDayBases,
): Map<number, { hddC: number; cddC: number }> {
  const out = new Map<number, { hddC: number; cddC: number }>();
  for (const start of bucketStarts(fromMs, toMs, 'day', timeZone)) {
    const end = nextBucketStart(start, 'day', timeZone);
    if (start < fromMs || end > toMs) continue;
    const hours = hoursIn(start, end);
    const temps = hours.flatMap((h) => (byHour.has(h) ? [byHour.get(h) as number] : []));
    if (temps.length === 0 || temps.length < DEGREE_DAY_MIN_COVERAGE * hours.length) continue;
    const mean = temps.reduce((a, b) => a + b, 0) / temps.length;
    out.set(start, degreeDaysFromMean(mean, bases.heatingBaseC, bases.coolingBaseC));
  }
  return out;
}

/**
 * The summary of `observations` (of one station, any order) over [fromMs, toMs) by local
 * `interval` in `timeZone`; buckets are clipped to the range. Observations are expected on whole
 * UTC hours; an hour counts as observed when one is there.
 */
export function weatherBuckets(
  observations: readonly WeatherObservation[],
  fromMs: number,
  toMs: number,
  interval: WeatherInterval,
  timeZone: string,
  bases: DegreeDayBases,
): WeatherBucket[] {
  const byHour = new Map(observations.map((o) => [o.tsMs, o.temperatureC]));
  const days = interval === 'hour' ? new Map<number, never>() : dailyDegreeDays(byHour, fromMs, toMs, timeZone, bases);
  return bucketStarts(fromMs, toMs, interval, timeZone).map((start) => {
    const from = Math.max(start, fromMs);
    const to = Math.min(nextBucketStart(start, interval, timeZone), toMs);
    const hours = hoursIn(from, to);
    const temps = hours.flatMap((h) => (byHour.has(h) ? [byHour.get(h) as number] : []));
    const observed = temps.length > 0;
    let hdd: number | null = null;
    let cdd: number | null = null;
    let daysWithDegreeDays: number | null = null;
    if (interval === 'hour') {
      const t = temps[0];
      if (t !== undefined) {
        hdd = heatingDegrees(t, bases.heatingBaseC) / 24;
        cdd = coolingDegrees(t, bases.coolingBaseC) / 24;
      }
    } else {
      daysWithDegreeDays = 0;
      for (const dayStart of interval === 'day' ? [start] : bucketStarts(from, to, 'day', timeZone)) {
        const dd = days.get(dayStart);
        if (dd === undefined) continue;
        daysWithDegreeDays++;
        hdd = (hdd ?? 0) + dd.hddC;
        cdd = (cdd ?? 0) + dd.cddC;
      }
    }
    return {
      fromMs: from,
      toMs: to,
      meanC: observed ? round(temps.reduce((a, b) => a + b, 0) / temps.length) : null,
      minC: observed ? Math.min(...temps) : null,
      maxC: observed ? Math.max(...temps) : null,
      hoursObserved: temps.length,
      hoursMissing: hours.length - temps.length,
      hddC: hdd === null ? null : round(hdd),
      cddC: cdd === null ? null : round(cdd),
      daysWithDegreeDays,
    };
  });
}
