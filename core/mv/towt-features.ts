/**
 * The features of CalTRACK's hourly time-of-week-and-temperature (TOWT) model (CalTRACK 2.0
 * hourly methods): the hour of the week on the local clock, occupancy of each hour of the week found
 * from the residuals of a simple degree-hour fit, and piecewise-linear temperature segments whose
 * endpoints are merged until each holds enough hours.
 */
import { offsetMs } from '../domain/time.js';
import { coolingDegrees, fahrenheitToCelsius, heatingDegrees } from './degree-days.js';
import { denseRow, leastSquares } from './least-squares.js';

/** Hours in a week: the time-of-week terms of the model. */
export const HOURS_PER_WEEK = 168;

/** CalTRACK's candidate temperature-segment endpoints, 30, 45, 55, 65, 75, 90 °F, in °C. */
export const CALTRACK_BIN_ENDPOINTS_C: readonly number[] = Object.freeze(
  [30, 45, 55, 65, 75, 90].map(fahrenheitToCelsius),
);

/** The local month (1–12) and hour of the week (0 = Monday 00:00 … 167 = Sunday 23:00) of an hour. */
export interface TimeKeys {
  readonly month: number;
  readonly hourOfWeek: number;
}

const DAY_MS = 86_400_000;

/**
 * Month and hour of week of instants on a time zone's clock. The zone's offset is looked up once
 * per UTC day and per hour only on a day when it changes (a daylight-saving switch).
 */
export function timeKeysOf(epochMs: readonly number[], timeZone: string): TimeKeys[] {
  const dayOffsets = new Map<number, number | undefined>();
  return epochMs.map((ms) => {
    const day = Math.floor(ms / DAY_MS) * DAY_MS;
    let offset = dayOffsets.get(day);
    if (!dayOffsets.has(day)) {
      const early = offsetMs(day, timeZone);
      offset = early === offsetMs(day + DAY_MS - 1000, timeZone) ? early : undefined;
      dayOffsets.set(day, offset);
    }
    const local = new Date(ms + (offset ?? offsetMs(ms, timeZone)));
    const weekday = (local.getUTCDay() + 6) % 7;
    return { month: local.getUTCMonth() + 1, hourOfWeek: weekday * 24 + local.getUTCHours() };
  });
}

/**
 * The segment endpoints kept for a set of hourly temperatures (CalTRACK hourly methods, eemeter
 * `fit_temperature_bins`): while the first or last segment holds fewer than `minimumHours`
 * temperatures its inner endpoint is dropped, merging it with its neighbour; then the same for a
 * thin segment in the middle (its upper endpoint), until every segment is full enough.
 */
export function fitBinEndpoints(
  temperaturesC: readonly number[],
  candidateEndpointsC: readonly number[] = CALTRACK_BIN_ENDPOINTS_C,
  minimumHours = 20,
): number[] {
  let endpoints = [...candidateEndpointsC].sort((a, b) => a - b);
  for (;;) {
    const counts = new Array<number>(endpoints.length + 1).fill(0);
    for (const t of temperaturesC) {
      if (!Number.isFinite(t)) continue;
      let i = 0;
      while (i < endpoints.length && t > (endpoints[i] ?? Number.POSITIVE_INFINITY)) i++;
      counts[i] = (counts[i] ?? 0) + 1;
    }
    if (counts.length === 1) return endpoints;
    const thin = (i: number) => (counts[i] ?? 0) < minimumHours;
    const remove = new Set<number>();
    if (thin(0)) remove.add(endpoints[0] as number);
    if (thin(counts.length - 1)) remove.add(endpoints[endpoints.length - 1] as number);
    if (remove.size === 0) for (let i = 1; i < counts.length - 1; i++) if (thin(i)) remove.add(endpoints[i] as number);
    if (remove.size === 0) return endpoints;
    endpoints = endpoints.filter((e) => !remove.has(e));
  }
}

/**
 * The piecewise-linear temperature features of one temperature (endpoints.length + 1 of them):
 * the first is min(T, e₁), each middle one the part of T within (eᵢ, eᵢ₊₁], the last the part
 * above the last endpoint. Their sum is T, and a slope per feature makes a continuous broken line.
 */
export function binFeatures(temperatureC: number, endpointsC: readonly number[]): number[] {
  const out: number[] = [];
  const first = endpointsC[0];
  if (first === undefined) return [temperatureC];
  out.push(Math.min(temperatureC, first));
  for (let i = 0; i < endpointsC.length; i++) {
    const lo = endpointsC[i] as number;
    const hi = endpointsC[i + 1] ?? Number.POSITIVE_INFINITY;
    out.push(Math.min(Math.max(temperatureC - lo, 0), hi - lo));
  }
  return out;
}

/** One hour as the occupancy estimate sees it. */
export interface OccupancyRow {
  readonly hourOfWeek: number;
  readonly temperatureC: number;
  readonly kwh: number;
  readonly weight: number;
}

/**
 * Which hours of the week are "occupied" (CalTRACK 2.0 hourly methods, eemeter
 * `estimate_hour_of_week_occupancy`): fit kWh ≈ a + b·CDD(65 °F) + c·HDD(50 °F) by weighted
 * least squares; an hour of the week is occupied when more than `threshold` of its residuals are
 * positive, i.e. the building then uses more than weather alone explains. Unseen hours are
 * unoccupied.
 */
export function estimateOccupancy(rows: readonly OccupancyRow[], threshold = 0.65): boolean[] {
  const cddBase = fahrenheitToCelsius(65);
  const hddBase = fahrenheitToCelsius(50);
  const fit = leastSquares(
    {
      columnCount: 3,
      rows: rows.map((r) =>
        denseRow([1, coolingDegrees(r.temperatureC, cddBase), heatingDegrees(r.temperatureC, hddBase)]),
      ),
      y: rows.map((r) => r.kwh),
      weights: rows.map((r) => r.weight),
    },
    { inference: false },
  );
  const positive = new Array<number>(HOURS_PER_WEEK).fill(0);
  const total = new Array<number>(HOURS_PER_WEEK).fill(0);
  rows.forEach((r, i) => {
    if (!(r.weight > 0)) return;
    total[r.hourOfWeek] = (total[r.hourOfWeek] ?? 0) + 1;
    if ((fit.residuals[i] ?? 0) > 0) positive[r.hourOfWeek] = (positive[r.hourOfWeek] ?? 0) + 1;
  });
  return total.map((n, h) => n > 0 && (positive[h] ?? 0) / n > threshold);
}
