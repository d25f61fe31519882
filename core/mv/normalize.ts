/**
 * A weather-normalised comparison (issue 18, item 4), pure: the CalTRACK daily model of the
 * compared period's days, predicted on this period's days — "what the compared period's scope
 * would have used under this period's weather" — beside this period's use on the very same days.
 * Days are local days on the scope's clock; a day without complete consumption or without a
 * temperature is counted and left out on either side, never filled in. Figures are summed exact
 * and rounded once (6 decimals; changes 4, as every comparison).
 */
import type { Energy } from '../domain/energy.js';
import { round6 } from '../domain/series.js';
import { formatLocalIso } from '../domain/time.js';
import type { WeatherObservation } from '../domain/weather.js';
import type {
  NormalizedComparison,
  NormalizedDays,
  NormalizedModel,
  NormalizeRefusal,
} from '../domain/weather-normalized.js';
import { change } from '../reports/model.js';
import { type DailyModel, predictDaily } from './daily-model.js';
import { type BalancePointSearch, fitNormalizeModel } from './normalize-fit.js';
import { describeModel, MINIMUM_BASELINE_DAYS } from './project.js';
import { type ConsumptionHour, hourlyTemperatures, type ProjectStep, projectSteps, usable } from './project-steps.js';

/** One period's data: its bounds (local midnights), the scope's hourly use (NaN or absent: not complete), the station's observations. */
export interface NormalizePeriod {
  readonly fromMs: number;
  readonly toMs: number;
  readonly consumption: readonly ConsumptionHour[];
  readonly temperatures: readonly WeatherObservation[];
}

/** Everything a normalised comparison is computed from. */
export interface NormalizeInput {
  readonly energy: Energy;
  readonly timeZone: string;
  readonly weatherStationId: string;
  /** The period the model is fitted on (the answer's `compare`). */
  readonly compared: NormalizePeriod;
  /** The answer's own period, whose weather the model is predicted on. */
  readonly current: NormalizePeriod;
  /** This period's bucket starts for a series (day or coarser); absent for no series. */
  readonly bucketStartsMs?: readonly number[];
}

/** How the figure is obtained, as the answer says it. */
export const NORMALIZE_METHOD =
  "CalTRACK daily model (HDD/CDD, balance points searched) fitted on the compared period's complete days, predicted under this period's daily mean temperatures; both sides over this period's days with complete consumption and a temperature";

/** A figure on the wire: rounded once, null for NaN and infinities. */
export const shown = (x: number): number | null => (Number.isFinite(x) ? round6(x) : null);

/** A period's local days (use and temperature) from its hourly data. */
export function stepsOf(p: NormalizePeriod, timeZone: string): ProjectStep[] {
  const use = new Map(p.consumption.map((c) => [c.hourMs, c.amount]));
  return projectSteps('daily', p.fromMs, p.toMs, timeZone, use, hourlyTemperatures(p.temperatures));
}

/** How many of a period's days there are, were used, and why the others were not. */
export function daysOf(steps: readonly ProjectStep[], used: number): NormalizedDays {
  return {
    days: steps.length,
    used,
    missingTemperature: steps.filter((s) => !Number.isFinite(s.temperatureC)).length,
    incompleteConsumption: steps.filter((s) => !Number.isFinite(s.amount)).length,
  };
}

/** A fitted model as an answer shows it, rounded once. */
export function modelOf(model: DailyModel): NormalizedModel {
  const { statistics, verdict } = model.baseline;
  return {
    type: model.type,
    form: describeModel(model),
    fit: {
      r2: shown(statistics.r2),
      cvrmse: shown(statistics.cvRmse),
      nmbe: shown(statistics.nmbe),
      n: statistics.n,
      acceptable: verdict.acceptable,
      basis: verdict.basis,
      reasons: [...verdict.reasons],
    },
  };
}

/** Sums of the used days by bucket: bucket i holds the days starting in [start i, start i + 1). */
function byBucket(
  bucketStartsMs: readonly number[],
  used: readonly ProjectStep[],
  predicted: readonly number[],
  timeZone: string,
) {
  const sums = bucketStartsMs.map(() => ({ value: 0, current: 0, days: 0 }));
  let b = 0;
  used.forEach((s, i) => {
    while (b + 1 < bucketStartsMs.length && (bucketStartsMs[b + 1] ?? 0) <= s.startMs) b++;
    const sum = sums[b];
    if (sum === undefined) return;
    sum.value += predicted[i] ?? Number.NaN;
    sum.current += s.amount;
    sum.days++;
  });
  return sums.map((s, i) => ({
    start: formatLocalIso(bucketStartsMs[i] ?? 0, timeZone),
    value: s.days === 0 ? null : shown(s.value),
    current: s.days === 0 ? null : shown(s.current),
    change: s.days === 0 ? null : change(s.current, s.value),
    days: s.days,
  }));
}

/** The exact outcome of a normalised comparison from its days, before presentation. */
export type NormalizedExact =
  | {
      readonly status: 'normalized';
      readonly model: DailyModel;
      readonly comparedDays: NormalizedDays;
      readonly currentDays: NormalizedDays;
      /** This period's used days and the model's prediction for each. */
      readonly used: readonly ProjectStep[];
      readonly predicted: readonly number[];
      readonly totalExact: number;
      readonly currentExact: number;
    }
  | {
      readonly status: 'refused';
      readonly code: NormalizeRefusal;
      readonly reason: string;
      readonly model: DailyModel | null;
      readonly comparedDays: NormalizedDays;
      readonly currentDays: NormalizedDays;
    };

/**
 * The compared period's model predicted on this period's used days, exact: refused (a value, not a
 * throw: the raw comparison stands) when the compared period has fewer than 30 usable days, when
 * the model misses the daily acceptance limits, or when this period has no usable day. `search`
 * is the balance-point search (`normalize-fit.ts`): staged for a district's or the city's institutions.
 */
export function normalizedFromSteps(
  energy: Energy,
  comparedSteps: readonly ProjectStep[],
  currentSteps: readonly ProjectStep[],
  search: BalancePointSearch = 'full',
): NormalizedExact {
  const comparedUsed = comparedSteps.filter(usable);
  const currentUsed = currentSteps.filter(usable);
  const days = {
    comparedDays: daysOf(comparedSteps, comparedUsed.length),
    currentDays: daysOf(currentSteps, currentUsed.length),
  };
  if (comparedUsed.length < MINIMUM_BASELINE_DAYS)
    return {
      status: 'refused',
      ...days,
      code: 'JN_NORMALIZE_TOO_FEW_DAYS',
      reason: `the compared period has ${comparedUsed.length} usable days (complete consumption and a temperature), fewer than ${MINIMUM_BASELINE_DAYS}`,
      model: null,
    };
  const model = fitNormalizeModel(
    comparedUsed.map((s) => ({ dayMs: s.startMs, temperatureC: s.temperatureC, kwh: s.amount })),
    energy,
    search,
  );
  if (!model.baseline.verdict.acceptable)
    return {
      status: 'refused',
      ...days,
      code: 'JN_NORMALIZE_FIT_UNACCEPTABLE',
      reason: `the model of the compared period misses the limits: ${model.baseline.verdict.reasons.join('; ')}`,
      model,
    };
  if (currentUsed.length === 0)
    return {
      status: 'refused',
      ...days,
      code: 'JN_NORMALIZE_NO_CURRENT_DAYS',
      reason: 'no day of this period has both complete consumption and a temperature',
      model,
    };
  const predicted = predictDaily(
    model,
    currentUsed.map((s) => ({ dayMs: s.startMs, temperatureC: s.temperatureC })),
  );
  return {
    status: 'normalized',
    ...days,
    model,
    used: currentUsed,
    predicted,
    totalExact: predicted.reduce((a, p) => a + p, 0),
    currentExact: currentUsed.reduce((a, s) => a + s.amount, 0),
  };
}

/** Computes `comparison.normalized` of a meter, building or institution from its hourly data. */
export function normalizedComparison(input: NormalizeInput): NormalizedComparison {
  const { timeZone } = input;
  const exact = normalizedFromSteps(input.energy, stepsOf(input.compared, timeZone), stepsOf(input.current, timeZone));
  const shared = {
    method: NORMALIZE_METHOD,
    weatherStationId: input.weatherStationId,
    comparedDays: exact.comparedDays,
    currentDays: exact.currentDays,
  };
  if (exact.status === 'refused')
    return {
      status: 'refused',
      ...shared,
      code: exact.code,
      reason: exact.reason,
      model: exact.model === null ? null : modelOf(exact.model),
    };
  return {
    status: 'normalized',
    ...shared,
    model: modelOf(exact.model),
    total: round6(exact.totalExact),
    current: round6(exact.currentExact),
    change: change(exact.currentExact, exact.totalExact),
    ...(input.bucketStartsMs === undefined
      ? {}
      : { series: byBucket(input.bucketStartsMs, exact.used, exact.predicted, timeZone) }),
  };
}
