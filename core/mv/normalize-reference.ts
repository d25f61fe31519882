/**
 * A period's use under reference weather (issue 18, item 4), pure: the CalTRACK daily model of
 * the period's own days, predicted on the same days under a normal year's weather or under
 * another year's weather of the same calendar days — "what this scope would have used in a normal
 * year" — beside what it used. The targets and the notice add `total − current` to their raw
 * figures. Nothing is filled in: days without complete use or a temperature, or whose calendar day
 * the reference lacks, are counted and left out of both sides.
 */
import type { Energy } from '../domain/energy.js';
import { round6 } from '../domain/series.js';
import type { NormalizeRefusal, ReferenceFigure } from '../domain/weather-normalized.js';
import { change } from '../reports/model.js';
import type { DailyModel } from './daily-model.js';
import { calendarDay, type NormalYear, normalTemperatures, predictUnder } from './normal-year.js';
import { daysOf, modelOf } from './normalize.js';
import { type BalancePointSearch, fitNormalizeModel } from './normalize-fit.js';
import { MINIMUM_BASELINE_DAYS } from './project.js';
import { type ProjectStep, usable } from './project-steps.js';

/** Reference weather: the temperatures of a local day's calendar day, one per year it is made of. */
export interface ReferenceWeather {
  /** `normal`, or the year `YYYY`. */
  readonly label: string;
  readonly years: readonly number[];
  temperaturesOf(day: string): readonly number[];
}

/** A normal year as reference weather. */
export function normalReference(normal: NormalYear): ReferenceWeather {
  return { label: 'normal', years: normal.years, temperaturesOf: (day) => normalTemperatures(normal, day) };
}

/**
 * One year's weather as reference: the daily mean temperature of each of its days (the steps of
 * that year, `projectSteps`), taken on the same calendar day; 29 February falls back on 28 February.
 */
export function yearReference(year: number, steps: readonly ProjectStep[]): ReferenceWeather {
  const byDay = new Map(
    steps.filter((s) => Number.isFinite(s.temperatureC)).map((s) => [calendarDay(s.day), s.temperatureC] as const),
  );
  return {
    label: String(year),
    years: [year],
    temperaturesOf: (day) => {
      const key = calendarDay(day);
      const t = byDay.get(key) ?? (key === '02-29' ? byDay.get('02-28') : undefined);
      return t === undefined ? [] : [t];
    },
  };
}

/** How the figure is obtained, as the answer says it. */
export const REFERENCE_METHOD =
  "CalTRACK daily model (HDD/CDD, balance points searched) fitted on this period's complete days, predicted on the same days under the reference weather (a normal year: the mean of the predictions under each full year's temperature of the calendar day)";

/** The days of a period put under reference weather. */
export interface ReferenceDays {
  readonly days: number;
  readonly used: number;
  readonly missingTemperature: number;
  readonly incompleteConsumption: number;
  readonly unpredictable: number;
}

/** The exact outcome, before presentation. */
export type ReferenceExact =
  | {
      readonly status: 'normalized';
      readonly model: DailyModel;
      readonly days: ReferenceDays;
      /** Σ the model under the reference weather over the used, predictable days. */
      readonly totalExact: number;
      /** Σ the use over the same days. */
      readonly currentExact: number;
    }
  | {
      readonly status: 'refused';
      readonly code: NormalizeRefusal;
      readonly reason: string;
      readonly model: DailyModel | null;
      readonly days: ReferenceDays;
    };

/**
 * Puts a period's use under reference weather: refused (a value) with fewer than 30 usable days,
 * a model missing the daily acceptance limits, or no used day the reference has a temperature for.
 */
export function underReference(
  energy: Energy,
  steps: readonly ProjectStep[],
  reference: ReferenceWeather,
  search: BalancePointSearch = 'full',
): ReferenceExact {
  const used = steps.filter(usable);
  const base = daysOf(steps, used.length);
  const refused = (code: NormalizeRefusal, reason: string, model: DailyModel | null, unpredictable = 0) => ({
    status: 'refused' as const,
    code,
    reason,
    model,
    days: { ...base, unpredictable },
  });
  if (used.length < MINIMUM_BASELINE_DAYS)
    return refused(
      'JN_NORMALIZE_TOO_FEW_DAYS',
      `the period has ${used.length} usable days (complete consumption and a temperature), fewer than ${MINIMUM_BASELINE_DAYS}`,
      null,
    );
  const model = fitNormalizeModel(
    used.map((s) => ({ dayMs: s.startMs, temperatureC: s.temperatureC, kwh: s.amount })),
    energy,
    search,
  );
  if (!model.baseline.verdict.acceptable)
    return refused(
      'JN_NORMALIZE_FIT_UNACCEPTABLE',
      `the model of the period misses the limits: ${model.baseline.verdict.reasons.join('; ')}`,
      model,
    );
  let totalExact = 0;
  let currentExact = 0;
  let predictable = 0;
  for (const s of used) {
    const p = predictUnder(model, s.startMs, reference.temperaturesOf(s.day));
    if (!Number.isFinite(p)) continue;
    totalExact += p;
    currentExact += s.amount;
    predictable++;
  }
  const unpredictable = used.length - predictable;
  if (predictable === 0)
    return refused(
      'JN_NORMALIZE_NO_CURRENT_DAYS',
      `no used day has a temperature in the reference weather (${reference.label})`,
      model,
      unpredictable,
    );
  return { status: 'normalized', model, days: { ...base, unpredictable }, totalExact, currentExact };
}

/** The wire form of a figure under reference weather, rounded once. */
export function presentReference(
  exact: ReferenceExact,
  meta: { readonly weatherStationId: string; readonly reference: ReferenceWeather },
): ReferenceFigure {
  const shared = {
    method: REFERENCE_METHOD,
    weatherStationId: meta.weatherStationId,
    reference: meta.reference.label,
    referenceYears: [...meta.reference.years],
    days: exact.days,
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
    adjustment: round6(exact.totalExact - exact.currentExact),
    change: change(exact.currentExact, exact.totalExact),
  };
}

/** A refusal before any model: the scope has no station or the station no normal year. */
export function refusedReference(
  code: NormalizeRefusal,
  reason: string,
  meta: { readonly weatherStationId: string; readonly label: string; readonly years?: readonly number[] },
): ReferenceFigure {
  return {
    status: 'refused',
    method: REFERENCE_METHOD,
    weatherStationId: meta.weatherStationId,
    reference: meta.label,
    referenceYears: [...(meta.years ?? [])],
    days: { days: 0, used: 0, missingTemperature: 0, incompleteConsumption: 0, unpredictable: 0 },
    code,
    reason,
    model: null,
  };
}
