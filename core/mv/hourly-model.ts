/**
 * The CalTRACK hourly baseline, a time-of-week-and-temperature (TOWT) model (CalTRACK 2.0
 * hourly methods; Mathieu et al. 2011): kWh in an hour = a term for its hour of the week (168 of them)
 * + a piecewise-linear function of the outdoor temperature, with separate temperature slopes for
 * occupied and unoccupied hours of the week. Because every hour of the week is either occupied or
 * not, this one regression is the two separate fits the method describes. By default a model is
 * fitted per month on that month and its two neighbours at half weight ("three-month weighted").
 */
import { type BaselineFit, baselineFit } from './baseline.js';
import { leastSquares, type SparseRow } from './least-squares.js';
import {
  binFeatures,
  CALTRACK_BIN_ENDPOINTS_C,
  estimateOccupancy,
  fitBinEndpoints,
  HOURS_PER_WEEK,
  type TimeKeys,
  timeKeysOf,
} from './towt-features.js';

/** One hour of outdoor temperature: its start (UTC ms) and temperature. */
export interface TemperatureHour {
  readonly hourMs: number;
  readonly temperatureC: number;
}

/** One hour of a baseline: its temperature and the energy used in it. */
export interface HourlyObservation extends TemperatureHour {
  readonly kwh: number;
}

/** Options of `fitHourlyModel`; every field has the CalTRACK default. */
export interface HourlyModelOptions {
  /** Clock for the hour of the week and the month (default 'UTC'; use the building's zone). */
  readonly timeZone?: string;
  /** One model for the year, or one per month weighted with its neighbours (default). */
  readonly segmentation?: 'single' | 'three-month-weighted';
  /** Candidate temperature-segment endpoints, °C (default 30, 45, 55, 65, 75, 90 °F). */
  readonly binEndpointsC?: readonly number[];
  /** Fewest hours in a temperature segment (default 20). */
  readonly minimumBinHours?: number;
  /** Share of positive residuals above which an hour of the week is occupied (default 0.65). */
  readonly occupancyThreshold?: number;
}

/** The model of one segment (a month, or the whole year). Slopes are kWh per °C. */
export interface HourlySegment {
  /** The month it predicts (1–12), or undefined for a single model. */
  readonly month: number | undefined;
  readonly occupied: readonly boolean[];
  readonly occupiedEndpointsC: readonly number[];
  readonly unoccupiedEndpointsC: readonly number[];
  /** kWh of each hour of the week at the temperature-feature origin; NaN for an hour never seen. */
  readonly timeOfWeekKwh: readonly number[];
  readonly occupiedSlopes: readonly number[];
  readonly unoccupiedSlopes: readonly number[];
}

/** A fitted TOWT model. */
export interface HourlyModel {
  readonly timeZone: string;
  readonly segmentation: 'single' | 'three-month-weighted';
  readonly segments: readonly HourlySegment[];
  /**
   * Effective parameters behind the in-sample predictions: the sum of the leverages of the hours
   * each segment predicts (with one segment, its coefficient count).
   */
  readonly effectiveParameters: number;
  readonly baseline: BaselineFit;
}

const HOUR_MS = 3_600_000;

interface Keyed {
  readonly index: number;
  readonly month: number;
  readonly hourOfWeek: number;
  readonly temperatureC: number;
}

/** The design row of one hour: its hour-of-week indicator and its temperature features. */
function designRow(
  hour: Keyed,
  occupied: readonly boolean[],
  occupiedEndpointsC: readonly number[],
  unoccupiedEndpointsC: readonly number[],
): SparseRow {
  const columns = [hour.hourOfWeek];
  const values = [1];
  const occ = occupied[hour.hourOfWeek] === true;
  const features = binFeatures(hour.temperatureC, occ ? occupiedEndpointsC : unoccupiedEndpointsC);
  const offset = HOURS_PER_WEEK + (occ ? 0 : occupiedEndpointsC.length + 1);
  features.forEach((v, i) => {
    columns.push(offset + i);
    values.push(v);
  });
  return { columns, values };
}

/** Weight of an hour of month `month` in the segment of month `segment`: 1 own, 0.5 neighbours, else 0. */
function segmentWeight(segment: number | undefined, month: number): number {
  if (segment === undefined) return 1;
  const d = (month - segment + 12) % 12;
  return d === 0 ? 1 : d === 1 || d === 11 ? 0.5 : 0;
}

function fitSegment(
  month: number | undefined,
  hours: readonly Keyed[],
  kwh: readonly number[],
  options: HourlyModelOptions,
): { segment: HourlySegment; leverage: readonly number[]; rows: readonly Keyed[] } {
  const rows = hours.filter((h) => segmentWeight(month, h.month) > 0);
  const weights = rows.map((h) => segmentWeight(month, h.month));
  const y = rows.map((h) => kwh[h.index] ?? Number.NaN);
  const occupied = estimateOccupancy(
    rows.map((h, i) => ({
      hourOfWeek: h.hourOfWeek,
      temperatureC: h.temperatureC,
      kwh: y[i] ?? 0,
      weight: weights[i] ?? 0,
    })),
    options.occupancyThreshold,
  );
  const candidates = options.binEndpointsC ?? CALTRACK_BIN_ENDPOINTS_C;
  const minimum = options.minimumBinHours ?? 20;
  const occupiedEndpointsC = fitBinEndpoints(
    rows.filter((h) => occupied[h.hourOfWeek]).map((h) => h.temperatureC),
    candidates,
    minimum,
  );
  const unoccupiedEndpointsC = fitBinEndpoints(
    rows.filter((h) => !occupied[h.hourOfWeek]).map((h) => h.temperatureC),
    candidates,
    minimum,
  );
  const occupiedCount = occupiedEndpointsC.length + 1;
  const columnCount = HOURS_PER_WEEK + occupiedCount + unoccupiedEndpointsC.length + 1;
  const fit = leastSquares(
    {
      columnCount,
      rows: rows.map((h) => designRow(h, occupied, occupiedEndpointsC, unoccupiedEndpointsC)),
      y,
      weights,
    },
    { inference: false, leverage: true },
  );
  const b = fit.coefficients;
  const segment: HourlySegment = {
    month,
    occupied,
    occupiedEndpointsC,
    unoccupiedEndpointsC,
    timeOfWeekKwh: b.slice(0, HOURS_PER_WEEK).map((v, i) => (fit.aliased[i] ? Number.NaN : v)),
    occupiedSlopes: b.slice(HOURS_PER_WEEK, HOURS_PER_WEEK + occupiedCount),
    unoccupiedSlopes: b.slice(HOURS_PER_WEEK + occupiedCount),
  };
  return { segment, leverage: fit.leverage ?? [], rows };
}

function keyed(hours: readonly TemperatureHour[], timeZone: string): Keyed[] {
  const keys = timeKeysOf(
    hours.map((h) => h.hourMs),
    timeZone,
  );
  return hours.map((h, index) => ({ index, temperatureC: h.temperatureC, ...(keys[index] as TimeKeys) }));
}

function predictKeyed(segments: readonly HourlySegment[], hour: Keyed): number {
  const segment = segments.length === 1 ? segments[0] : segments[hour.month - 1];
  if (segment === undefined || !Number.isFinite(hour.temperatureC)) return Number.NaN;
  const occ = segment.occupied[hour.hourOfWeek] === true;
  const slopes = occ ? segment.occupiedSlopes : segment.unoccupiedSlopes;
  const features = binFeatures(hour.temperatureC, occ ? segment.occupiedEndpointsC : segment.unoccupiedEndpointsC);
  return features.reduce((s, v, i) => s + v * (slopes[i] ?? 0), segment.timeOfWeekKwh[hour.hourOfWeek] ?? Number.NaN);
}

/** Fits the CalTRACK TOWT model to a baseline's hours (hours with a temperature and a meter reading only). */
export function fitHourlyModel(hours: readonly HourlyObservation[], options: HourlyModelOptions = {}): HourlyModel {
  const timeZone = options.timeZone ?? 'UTC';
  const segmentation = options.segmentation ?? 'three-month-weighted';
  const all = keyed(hours, timeZone);
  const kwh = hours.map((h) => h.kwh);
  const months = segmentation === 'single' ? [undefined] : Array.from({ length: 12 }, (_, i) => i + 1);
  const segments: HourlySegment[] = [];
  let effectiveParameters = 0;
  for (const month of months) {
    const { segment, leverage, rows } = fitSegment(month, all, kwh, options);
    segments.push(segment);
    rows.forEach((h, i) => {
      if (month === undefined || h.month === month) effectiveParameters += leverage[i] ?? 0;
    });
  }
  const fitted = all.map((h) => predictKeyed(segments, h));
  const steps = hours.map((h) => Math.round(h.hourMs / HOUR_MS));
  const baseline = baselineFit('hourly', kwh, fitted, effectiveParameters, steps);
  return { timeZone, segmentation, segments, effectiveParameters, baseline };
}

/** kWh the model expects in each hour from its temperature; NaN for an hour of the week never seen in the baseline. */
export function predictHourly(model: HourlyModel, hours: readonly TemperatureHour[]): number[] {
  return keyed(hours, model.timeZone).map((h) => predictKeyed(model.segments, h));
}
