/**
 * One scope's baseline as the `fit-baselines` batch job stores it (issue 18, "Speed": every meter
 * of a city fitted as a batch job): the model fitted on the period's usable steps (days or hours
 * with complete consumption and a temperature), its coefficients, fit statistics and ASHRAE
 * Guideline 14 verdict, or the reason no model was fitted. Pure: the caller reads the data.
 */
import type {
  BaselineFailureCode,
  BaselineModelKind,
  BaselineSteps,
  DailyCoefficients,
  HourlyCoefficients,
  StoredBaseline,
  StoredFit,
} from '../domain/baselines.js';
import type { Energy } from '../domain/energy.js';
import type { BaselineFit } from './baseline.js';
import { type DailyModel, fitDailyModel } from './daily-model.js';
import { fitHourlyModel, type HourlyModel } from './hourly-model.js';
import { describeModel, fitsCooling, MINIMUM_BASELINE_DAYS } from './project.js';

/** What a baseline is of: the scope, its energy and station, the period (local dates, `to` exclusive) and the model kind. */
export interface BaselineSubject {
  readonly scope: string;
  readonly energy: Energy;
  readonly weatherStationId: string | null;
  readonly from: string;
  readonly to: string;
  readonly model: BaselineModelKind;
}

/** One step (a local day or an hour) of the period: its start, use (NaN if incomplete) and temperature (NaN if unknown). */
export interface BaselineStep {
  readonly startMs: number;
  readonly amount: number;
  readonly temperatureC: number;
}

/** CalTRACK data sufficiency (2.0 §2.2.1.2): at most 10 % of the period's steps missing. */
export const MAXIMUM_MISSING_SHARE = 0.1;

/** A figure for the record: null for NaN and infinities. */
const finite = (x: number | undefined): number | null => (x !== undefined && Number.isFinite(x) ? x : null);

const usable = (s: BaselineStep) => Number.isFinite(s.amount) && Number.isFinite(s.temperatureC);

/** Counts of a period's steps, used and left out by reason. */
export function baselineSteps(steps: readonly BaselineStep[]): BaselineSteps {
  let used = 0;
  let missingTemperature = 0;
  let incompleteConsumption = 0;
  for (const s of steps) {
    if (usable(s)) used++;
    if (!Number.isFinite(s.temperatureC)) missingTemperature++;
    if (!Number.isFinite(s.amount)) incompleteConsumption++;
  }
  return { period: steps.length, used, missingTemperature, incompleteConsumption };
}

/** The record of a scope the job could not fit, with the reason. */
export function failedBaseline(
  subject: BaselineSubject,
  code: BaselineFailureCode,
  message: string,
  fittedAtMs: number,
  steps: BaselineSteps = { period: 0, used: 0, missingTemperature: 0, incompleteConsumption: 0 },
): StoredBaseline {
  return {
    ...subject,
    fittedAt: new Date(fittedAtMs).toISOString(),
    status: 'failed',
    failure: { code, message },
    steps,
    sufficient: false,
  };
}

function storedFit(fit: BaselineFit): StoredFit {
  const s = fit.statistics;
  return {
    r2: finite(s.r2),
    cvrmse: finite(s.cvRmse),
    nmbe: finite(s.nmbe),
    rmse: finite(s.rmseKwh),
    n: s.n,
    parameterCount: s.parameterCount,
    lag1Autocorrelation: finite(fit.lag1Autocorrelation),
    meetsAshrae14: fit.verdict.acceptable,
    acceptance: { basis: fit.verdict.basis, reasons: [...fit.verdict.reasons] },
  };
}

function dailyCoefficients(m: DailyModel): DailyCoefficients {
  return {
    kind: 'daily',
    type: m.type,
    interceptKwh: m.interceptKwh,
    ...(m.heatingBalanceC === undefined
      ? {}
      : { heatingBalanceC: m.heatingBalanceC, heatingKwhPerDegreeDay: m.heatingKwhPerDegreeDay ?? 0 }),
    ...(m.coolingBalanceC === undefined
      ? {}
      : { coolingBalanceC: m.coolingBalanceC, coolingKwhPerDegreeDay: m.coolingKwhPerDegreeDay ?? 0 }),
    adjustedR2: finite(m.adjustedR2),
  };
}

function hourlyCoefficients(m: HourlyModel): HourlyCoefficients {
  return {
    kind: 'hourly',
    timeZone: m.timeZone,
    segmentation: m.segmentation,
    effectiveParameters: m.effectiveParameters,
    segments: m.segments.map((s) => ({
      month: s.month ?? null,
      occupied: [...s.occupied],
      occupiedEndpointsC: [...s.occupiedEndpointsC],
      unoccupiedEndpointsC: [...s.unoccupiedEndpointsC],
      timeOfWeekKwh: s.timeOfWeekKwh.map(finite),
      occupiedSlopes: [...s.occupiedSlopes],
      unoccupiedSlopes: [...s.unoccupiedSlopes],
    })),
  };
}

/**
 * Fits a scope's baseline on its period's steps (days for `daily`, hours for `hourly`) and answers
 * the record to store: `ok` with the model, or `failed` with the reason when the station gave no
 * temperature (`no_weather`), fewer than 30 days (720 hours) are usable (`insufficient_data`) or the
 * fit throws (`fit_failed`). Heating fuels get no cooling term (CalTRACK).
 */
export function fitBaseline(
  subject: BaselineSubject,
  steps: readonly BaselineStep[],
  options: { readonly fittedAtMs: number; readonly timeZone: string },
): StoredBaseline {
  const counts = baselineSteps(steps);
  const unit = subject.model === 'daily' ? 'days' : 'hours';
  if (counts.period > 0 && counts.missingTemperature === counts.period)
    return failedBaseline(
      subject,
      'no_weather',
      `station ${subject.weatherStationId} has no usable temperature in the period`,
      options.fittedAtMs,
      counts,
    );
  const minimum = MINIMUM_BASELINE_DAYS * (subject.model === 'daily' ? 1 : 24);
  if (counts.used < minimum)
    return failedBaseline(
      subject,
      'insufficient_data',
      `${counts.used} usable ${unit} (complete consumption and a temperature), fewer than ${minimum}`,
      options.fittedAtMs,
      counts,
    );
  const used = steps.filter(usable);
  let model: DailyModel | HourlyModel;
  try {
    model =
      subject.model === 'daily'
        ? fitDailyModel(
            used.map((s) => ({ dayMs: s.startMs, temperatureC: s.temperatureC, kwh: s.amount })),
            { fitCooling: fitsCooling(subject.energy) },
          )
        : fitHourlyModel(
            used.map((s) => ({ hourMs: s.startMs, temperatureC: s.temperatureC, kwh: s.amount })),
            { timeZone: options.timeZone },
          );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return failedBaseline(subject, 'fit_failed', message, options.fittedAtMs, counts);
  }
  return {
    ...subject,
    fittedAt: new Date(options.fittedAtMs).toISOString(),
    status: 'ok',
    steps: counts,
    sufficient: 1 - counts.used / Math.max(1, counts.period) <= MAXIMUM_MISSING_SHARE,
    form: describeModel(model),
    fit: storedFit(model.baseline),
    coefficients: 'segments' in model ? hourlyCoefficients(model) : dailyCoefficients(model),
  };
}
