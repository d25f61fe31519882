/**
 * A savings project computed (issue 18, item 3; IPMVP Option C with ASHRAE Guideline 14's
 * uncertainty): the chosen baseline model (CalTRACK daily or hourly TOWT) fitted on the baseline
 * period's usable steps, its prediction for the reporting period under the actual weather plus
 * the non-routine adjustments (the adjusted baseline), the actual use, the savings with their
 * fractional uncertainty at 90 %, a monthly series, and the savings in kgce, kgCO₂ and yuan where
 * a conversion exists. Pure: the caller reads the consumption and the weather.
 */
import { nativeUnitOf } from '../domain/energy.js';
import type { SavingsAdjustment, SavingsAnswer, SavingsMonth, SavingsProject } from '../domain/savings-projects.js';
import { localParts, localToEpochMs } from '../domain/time.js';
import type { WeatherObservation } from '../domain/weather.js';
import { AppError } from '../errors.js';
import { type DailyModel, fitDailyModel, predictDaily } from './daily-model.js';
import { fitHourlyModel, type HourlyModel, predictHourly } from './hourly-model.js';
import { applyAdjustments } from './project-adjustments.js';
import {
  type ConsumptionHour,
  hourlyTemperatures,
  type ProjectStep,
  projectSteps,
  stepCounts,
  usable,
} from './project-steps.js';
import { savings } from './savings.js';

export type { ConsumptionHour } from './project-steps.js';

/** How savings in native units become kgce, kgCO₂ and yuan; a missing conversion gives null. */
export interface SavingsConversions {
  readonly kgcePerUnit: number;
  /** The coefficient table and factor, as the answer names them. */
  readonly kgceBasis: string;
  /** kgCO₂ per native unit in a local month `YYYY-MM`; undefined where there is none (water). */
  readonly kgco2PerUnit?: (month: string) => number | undefined;
  readonly kgco2Basis?: string;
  /** Yuan per native unit in a local month `YYYY-MM`; undefined where nothing prices it. */
  readonly yuanPerUnit?: (month: string) => number | undefined;
  readonly yuanBasis?: string;
}

/** Everything a project's answer is computed from. */
export interface SavingsProjectData {
  readonly project: SavingsProject;
  readonly adjustments: readonly SavingsAdjustment[];
  /** The scope's hourly use over both periods; an hour absent or NaN is not complete. */
  readonly consumption: readonly ConsumptionHour[];
  /** The station's observations over both periods. */
  readonly temperatures: readonly WeatherObservation[];
  readonly timeZone: string;
  /** Now, for a reporting period without an end (it runs to the start of today). */
  readonly nowMs: number;
  readonly conversions: SavingsConversions;
}

/** A project's periods as instants (local midnights), [from, to). */
export interface ProjectPeriods {
  readonly baselineFromMs: number;
  readonly baselineToMs: number;
  readonly reportingFromMs: number;
  readonly reportingToMs: number;
  /** The reporting period's end as a local date: `reportingTo`, or today when that is earlier or unset. */
  readonly reportingTo: string;
}

/** Fewest usable baseline steps a model is fitted on: 30 days, or 30 days of hours. */
export const MINIMUM_BASELINE_DAYS = 30;

const pad = (n: number) => String(n).padStart(2, '0');
const midnight = (date: string, timeZone: string) => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return localToEpochMs(timeZone, y, m, d);
};

/** The periods of a project on a zone's clock; the reporting period ends at `reportingTo` or today (local), the earlier. */
export function projectPeriods(project: SavingsProject, timeZone: string, nowMs: number): ProjectPeriods {
  const today = localParts(nowMs, timeZone);
  const todayDate = `${today.year}-${pad(today.month)}-${pad(today.day)}`;
  // Days not yet over are not measured: a reporting period ending later runs to today for now.
  const reportingTo =
    project.reportingTo === undefined || project.reportingTo > todayDate ? todayDate : project.reportingTo;
  const reportingFromMs = midnight(project.reportingFrom, timeZone);
  return {
    baselineFromMs: midnight(project.baselineFrom, timeZone),
    baselineToMs: midnight(project.baselineTo, timeZone),
    reportingFromMs,
    reportingToMs: Math.max(reportingFromMs, midnight(reportingTo, timeZone)),
    reportingTo,
  };
}

/** Heating fuels get no cooling term (CalTRACK fits none for gas). */
const HEATING_ONLY = new Set(['gas', 'heat', 'steam', 'coal', 'diesel', 'lpg', 'kerosene']);

/** Whether a daily model of an energy tries cooling terms: not for heating fuels (CalTRACK fits none for gas). */
export const fitsCooling = (energy: string): boolean => !HEATING_ONLY.has(energy);

/** The fitted shape in words, e.g. `hdd-only, bH 15.6 °C` or `TOWT, 12 monthly segments`. */
export function describeModel(model: DailyModel | HourlyModel): string {
  if ('segments' in model) return `TOWT, ${model.segments.length} monthly segment(s)`;
  const bp = [
    model.heatingBalanceC === undefined ? '' : `bH ${model.heatingBalanceC.toFixed(1)} °C`,
    model.coolingBalanceC === undefined ? '' : `bC ${model.coolingBalanceC.toFixed(1)} °C`,
  ].filter(Boolean);
  return [model.type, ...bp].join(', ');
}

function fitModel(project: SavingsProject, steps: readonly ProjectStep[], timeZone: string): DailyModel | HourlyModel {
  if (project.model === 'daily')
    return fitDailyModel(
      steps.map((s) => ({ dayMs: s.startMs, temperatureC: s.temperatureC, kwh: s.amount })),
      { fitCooling: fitsCooling(project.energy) },
    );
  return fitHourlyModel(
    steps.map((s) => ({ hourMs: s.startMs, temperatureC: s.temperatureC, kwh: s.amount })),
    { timeZone },
  );
}

function predict(model: DailyModel | HourlyModel, steps: readonly ProjectStep[]): number[] {
  return 'segments' in model
    ? predictHourly(
        model,
        steps.map((s) => ({ hourMs: s.startMs, temperatureC: s.temperatureC })),
      )
    : predictDaily(
        model,
        steps.map((s) => ({ dayMs: s.startMs, temperatureC: s.temperatureC })),
      );
}

/** A figure on the wire: null for NaN and infinities. */
const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Σ over months of savings × a monthly factor; null when any month with savings has no factor. */
function convertByMonth(months: readonly SavingsMonth[], factor: ((m: string) => number | undefined) | undefined) {
  if (factor === undefined) return null;
  let sum = 0;
  for (const m of months) {
    if (m.steps === 0 || m.savings === null) continue;
    const f = factor(m.month);
    if (f === undefined || !Number.isFinite(f)) return null;
    sum += m.savings * f;
  }
  return sum;
}

/**
 * Computes a project's answer. Throws `JN_SAVINGS_BASELINE_INSUFFICIENT` (422) when the baseline
 * has fewer than 30 usable days (or 720 usable hours).
 */
export function computeSavingsProject(data: SavingsProjectData): SavingsAnswer {
  const { project, timeZone } = data;
  const periods = projectPeriods(project, timeZone, data.nowMs);
  const use = new Map(data.consumption.map((c) => [c.hourMs, c.amount]));
  const temps = hourlyTemperatures(data.temperatures);
  const steps = (from: number, to: number) => projectSteps(project.model, from, to, timeZone, use, temps);

  const baseSteps = steps(periods.baselineFromMs, periods.baselineToMs);
  const baseUsed = baseSteps.filter(usable);
  const minimum = MINIMUM_BASELINE_DAYS * (project.model === 'daily' ? 1 : 24);
  if (baseUsed.length < minimum)
    throw new AppError(
      'JN_SAVINGS_BASELINE_INSUFFICIENT',
      422,
      `the baseline has ${baseUsed.length} usable ${project.model === 'daily' ? 'days' : 'hours'} (with consumption and temperature), fewer than ${minimum}`,
    );
  const model = fitModel(project, baseUsed, timeZone);

  const reportSteps = steps(periods.reportingFromMs, periods.reportingToMs);
  const candidates = reportSteps.filter(usable);
  const predictedAll = predict(model, candidates);
  const keep = candidates.map((_, i) => Number.isFinite(predictedAll[i] ?? Number.NaN));
  const used = candidates.filter((_, i) => keep[i]);
  const predicted = predictedAll.filter((_, i) => keep[i]);
  const { perStep, applied } = applyAdjustments(data.adjustments, project.model, used, predicted);
  const adjusted = predicted.map((p, i) => p + (perStep[i] ?? 0));
  const actual = used.map((s) => s.amount);
  const result = savings({ baselineKwh: adjusted, actualKwh: actual, fit: model.baseline });

  const byMonth = new Map<string, { baseline: number; actual: number; steps: number }>();
  used.forEach((s, i) => {
    const m = byMonth.get(s.month) ?? { baseline: 0, actual: 0, steps: 0 };
    m.baseline += adjusted[i] ?? 0;
    m.actual += s.amount;
    m.steps++;
    byMonth.set(s.month, m);
  });
  const months: SavingsMonth[] = [...new Set(reportSteps.map((s) => s.month))].map((month) => {
    const m = byMonth.get(month);
    return m === undefined
      ? { month, baseline: null, actual: null, savings: null, steps: 0 }
      : { month, baseline: m.baseline, actual: m.actual, savings: m.baseline - m.actual, steps: m.steps };
  });

  const { statistics, verdict } = model.baseline;
  const c = data.conversions;
  return {
    project,
    unit: nativeUnitOf(project.energy),
    timeZone,
    model: {
      type: project.model,
      form: describeModel(model),
      fit: {
        r2: finite(statistics.r2),
        cvrmse: finite(statistics.cvRmse),
        nmbe: finite(statistics.nmbe),
        meetsAshrae14: verdict.acceptable,
        n: statistics.n,
      },
      acceptance: { basis: verdict.basis, reasons: [...verdict.reasons] },
      baselineSteps: stepCounts(baseSteps, baseUsed.length),
    },
    reporting: {
      from: project.reportingFrom,
      to: periods.reportingTo,
      baseline: used.length === 0 ? null : finite(result.adjustedBaselineKwh),
      actual: used.length === 0 ? null : finite(result.actualKwh),
      savings: used.length === 0 ? null : finite(result.savingsKwh),
      savingsPct: finite(100 * result.savingsShare),
      fsu90: finite(result.fsu),
      uncertainty90: finite(result.uncertaintyKwh),
      significant: used.length > 0 && result.significant,
      steps: stepCounts(reportSteps, used.length, candidates.length - used.length),
      savingsConverted: {
        kgce: used.length === 0 ? null : finite(result.savingsKwh * c.kgcePerUnit),
        kgco2: used.length === 0 ? null : convertByMonth(months, c.kgco2PerUnit),
        yuan: used.length === 0 ? null : convertByMonth(months, c.yuanPerUnit),
      },
    },
    months,
    adjustments: applied,
    conversions: { kgce: c.kgceBasis, kgco2: c.kgco2Basis ?? null, yuan: c.yuanBasis ?? null },
  };
}
