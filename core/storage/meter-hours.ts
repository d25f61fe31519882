import { bucketQuality } from '../domain/quality.js';
import { HOUR_MS } from '../domain/time.js';
import type { AggregateQuery, AggregateRow, MeterFilter } from './store.js';

/** Each meter's hours of a window (`SeriesStore.meterHours`): what the series detectors examine. */
export interface MeterHoursQuery {
  /**
   * Which meters, as `AggregateQuery.filter` (sub-items excluded): each meter counts its own amount,
   * in the hours it was in the filter's scope (as `aggregate` grouped by meter).
   */
  readonly filter: Omit<MeterFilter, 'subItemPrefix'>;
  /** Inclusive start, hour-aligned. */
  readonly fromMs: number;
  /** Exclusive end, hour-aligned. */
  readonly toMs: number;
}

/**
 * Quality codes of `MeterHourColumns.quality`. A larger code wins when several rows meet in one hour,
 * which is `bucketQuality`'s precedence (any suspect hour is suspect, then estimated, then good).
 */
export const HOUR_QUALITY = ['missing', 'good', 'estimated', 'suspect'] as const;

/** A quality of `HOUR_QUALITY`. */
export type HourQuality = (typeof HOUR_QUALITY)[number];

/**
 * One meter's hours in columns, index `h` being the hour starting `fromMs + h` hours: three typed
 * arrays rather than an object per hour (a district's 1,000 meters × 28 days are 672,000 hours,
 * issue 19).
 */
export interface MeterHourColumns {
  /** Consumption in the meter's native unit; 0 in an hour without a row. */
  readonly amount: Float64Array;
  /** Raw readings received in the hour. */
  readonly readings: Float64Array;
  /** Index into `HOUR_QUALITY`; 0 (`missing`) in an hour without a row. */
  readonly quality: Uint8Array;
}

/** Meters with at least one hourly row in the window, by id (in no particular order). */
export type MeterHours = Map<string, MeterHourColumns>;

/** Refuses a window whose ends are not integer ms (NaN, ±Infinity, 1e308): every backend alike. */
export function assertWholeMs(q: Pick<MeterHoursQuery, 'fromMs' | 'toMs'>): void {
  if (!Number.isSafeInteger(q.fromMs) || !Number.isSafeInteger(q.toMs))
    throw new RangeError('meterHours: fromMs and toMs must be integer ms');
}

/** Hours in `[fromMs, toMs)`: the length of each meter's columns. */
export const hoursIn = (q: Pick<MeterHoursQuery, 'fromMs' | 'toMs'>): number =>
  q.toMs > q.fromMs ? Math.ceil((q.toMs - q.fromMs) / HOUR_MS) : 0;

/**
 * Adds one hourly row of `meterId` at hour index `hour` to `out` (sums the amount and readings, keeps
 * the larger quality code); a row outside the window is ignored.
 */
export function addMeterHour(
  out: MeterHours,
  hours: number,
  meterId: string,
  hour: number,
  row: { readonly amount: number; readonly readings: number; readonly quality: number },
): void {
  if (!(hour >= 0 && hour < hours)) return;
  let columns = out.get(meterId);
  if (columns === undefined) {
    columns = { amount: new Float64Array(hours), readings: new Float64Array(hours), quality: new Uint8Array(hours) };
    out.set(meterId, columns);
  }
  columns.amount[hour] = (columns.amount[hour] ?? 0) + row.amount;
  columns.readings[hour] = (columns.readings[hour] ?? 0) + row.readings;
  if (row.quality > (columns.quality[hour] ?? 0)) columns.quality[hour] = row.quality;
}

/** The quality code of an aggregate cell (`bucketQuality` as an index into `HOUR_QUALITY`). */
export const qualityCode = (row: AggregateRow): number => HOUR_QUALITY.indexOf(bucketQuality(row));

/** Hourly rows per InfluxDB answer when reading meter hours (as `HOUR_OF_DAY_SLICE_ROWS`). */
export const METER_HOURS_SLICE_ROWS = 500_000;

/**
 * `SeriesStore.meterHours` from hourly aggregates grouped by meter: the reference the contract suite
 * checks every backend against, and the InfluxDB store's implementation, read in time slices of
 * about `sliceRows` rows for `meters` meters and folded as each arrives, so memory holds one slice
 * as rows and the rest in columns.
 */
export async function meterHoursFromHourly(
  aggregate: (q: AggregateQuery) => Promise<AggregateRow[]>,
  q: MeterHoursQuery,
  meters = 1,
  sliceRows = Number.POSITIVE_INFINITY,
): Promise<MeterHours> {
  assertWholeMs(q);
  const hours = hoursIn(q);
  const out: MeterHours = new Map();
  const sliceHours = Math.max(1, Math.min(hours, Math.floor(sliceRows / Math.max(1, meters))));
  for (let first = 0; first < hours; first += sliceHours) {
    const rows = await aggregate({
      filter: q.filter,
      fromMs: q.fromMs + first * HOUR_MS,
      toMs: Math.min(q.toMs, q.fromMs + (first + sliceHours) * HOUR_MS),
      interval: 'hour',
      timeZone: 'UTC',
      groupBy: 'meter',
      sums: ['readings', 'qualityHours'],
    });
    for (const r of rows)
      addMeterHour(out, hours, r.groupId, Math.floor((r.bucketStartMs - q.fromMs) / HOUR_MS), {
        amount: r.amount,
        readings: r.readings,
        quality: qualityCode(r),
      });
  }
  return out;
}
