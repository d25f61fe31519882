/**
 * The out-of-sample test of issue 18: fit a baseline on 2017, predict 2018 under 2018's weather,
 * and compare the monthly totals with what was used, beside a naive predictor (the same month of
 * 2017, no weather); and the planted-saving test (a known cut in 2018 use, recovered as savings).
 * Days and months are UTC; the hourly model's hour of the week is on the building's clock.
 */
import { type DailyModel, fitDailyModel, predictDaily } from '../../core/mv/daily-model.js';
import { fitHourlyModel, type HourlyModel, predictHourly } from '../../core/mv/hourly-model.js';
import { type Savings, savings } from '../../core/mv/savings.js';
import { dailyFromHourly, type HourRecord } from '../../core/mv/series.js';
import { type FitStatistics, fitStatistics } from '../../core/mv/statistics.js';
import type { MeterYears } from './data.js';

/** The buildings' clock (Cambridge). */
export const TIME_ZONE = 'Europe/London';

export type ModelKind = 'daily' | 'hourly';

/** One step (day or hour) of a model's view of a year: start, use, temperature. */
interface Step {
  readonly startMs: number;
  readonly kwh: number;
  readonly temperatureC: number;
}

/** One month of the out-of-sample comparison, kWh over the steps compared. */
export interface MonthRow {
  readonly month: number;
  readonly steps: number;
  readonly actualKwh: number;
  readonly predictedKwh: number;
  readonly naiveKwh: number;
}

/** A fitted model and how it did in and out of sample. */
export interface Evaluation {
  readonly model: ModelKind;
  /** The model's shape in words, e.g. `hdd-only, bH 15.6 °C`. */
  readonly form: string;
  readonly fitted: DailyModel | HourlyModel;
  readonly inSample: FitStatistics;
  readonly acceptable: boolean;
  readonly lag1Autocorrelation: number;
  readonly months: readonly MonthRow[];
  /** Monthly totals of 2018, model vs actual (p = 0: nothing was fitted to them). */
  readonly outOfSample: FitStatistics;
  readonly naive: FitStatistics;
  readonly fitMs: number;
}

function stepsOf(kind: ModelKind, hours: readonly HourRecord[]): Step[] {
  if (kind === 'hourly') return hours.map((h) => ({ startMs: h.hourMs, kwh: h.kwh, temperatureC: h.temperatureC }));
  return dailyFromHourly(hours).map((d) => ({ startMs: d.dayMs, kwh: d.kwh, temperatureC: d.temperatureC }));
}

const usable = (s: Step) => Number.isFinite(s.kwh) && Number.isFinite(s.temperatureC);
const monthOf = (ms: number) => new Date(ms).getUTCMonth() + 1;

/** Fits one kind of model on a baseline year's hours. */
export function fitModel(kind: ModelKind, energy: string, hours: readonly HourRecord[]): DailyModel | HourlyModel {
  const steps = stepsOf(kind, hours).filter(usable);
  if (kind === 'daily') {
    return fitDailyModel(
      steps.map((s) => ({ dayMs: s.startMs, temperatureC: s.temperatureC, kwh: s.kwh })),
      { fitCooling: energy !== 'gas' },
    );
  }
  return fitHourlyModel(
    steps.map((s) => ({ hourMs: s.startMs, temperatureC: s.temperatureC, kwh: s.kwh })),
    { timeZone: TIME_ZONE },
  );
}

/** The model's prediction for each step (NaN where it cannot predict). */
function predictSteps(kind: ModelKind, model: DailyModel | HourlyModel, steps: readonly Step[]): number[] {
  return kind === 'daily'
    ? predictDaily(
        model as DailyModel,
        steps.map((s) => ({ dayMs: s.startMs, temperatureC: s.temperatureC })),
      )
    : predictHourly(
        model as HourlyModel,
        steps.map((s) => ({ hourMs: s.startMs, temperatureC: s.temperatureC })),
      );
}

function describe(kind: ModelKind, model: DailyModel | HourlyModel): string {
  if (kind === 'hourly') {
    const m = model as HourlyModel;
    const occupied = m.segments.map((s) => s.occupied.filter(Boolean).length);
    return `TOWT, ${m.segments.length} segments, occupied ${Math.min(...occupied)}–${Math.max(...occupied)} h/wk`;
  }
  const m = model as DailyModel;
  const bp = [
    m.heatingBalanceC === undefined ? '' : `bH ${m.heatingBalanceC.toFixed(1)} °C`,
    m.coolingBalanceC === undefined ? '' : `bC ${m.coolingBalanceC.toFixed(1)} °C`,
  ].filter(Boolean);
  return [m.type, ...bp].join(', ');
}

/** Fits on 2017, predicts 2018, compares monthly totals with the actual and the naive predictor. */
export function evaluate(kind: ModelKind, meter: MeterYears): Evaluation {
  const base = meter.years.get(2017) ?? [];
  const started = performance.now();
  const fitted = fitModel(kind, meter.energy, base);
  const fitMs = performance.now() - started;
  // The naive predictor: 2017's mean use per known step of the same month, times the steps compared.
  const baseSteps = stepsOf(kind, base).filter((s) => Number.isFinite(s.kwh));
  const naivePerStep = Array.from({ length: 12 }, (_, i) => {
    const inMonth = baseSteps.filter((s) => monthOf(s.startMs) === i + 1);
    return inMonth.reduce((a, s) => a + s.kwh, 0) / inMonth.length;
  });
  const report = stepsOf(kind, meter.years.get(2018) ?? []).filter(usable);
  const predicted = predictSteps(kind, fitted, report);
  const months = Array.from(
    { length: 12 },
    (_, i): MonthRow => ({
      month: i + 1,
      steps: 0,
      actualKwh: 0,
      predictedKwh: 0,
      naiveKwh: 0,
    }),
  );
  report.forEach((s, i) => {
    const p = predicted[i] ?? Number.NaN;
    if (!Number.isFinite(p)) return;
    const m = monthOf(s.startMs);
    const row = months[m - 1] as MonthRow;
    months[m - 1] = {
      ...row,
      steps: row.steps + 1,
      actualKwh: row.actualKwh + s.kwh,
      predictedKwh: row.predictedKwh + p,
      naiveKwh: row.naiveKwh + (naivePerStep[m - 1] ?? Number.NaN),
    };
  });
  const compared = months.filter((m) => m.steps > 0);
  const baseline = fitted.baseline;
  return {
    model: kind,
    form: describe(kind, fitted),
    fitted,
    inSample: baseline.statistics,
    acceptable: baseline.verdict.acceptable,
    lag1Autocorrelation: baseline.lag1Autocorrelation,
    months,
    outOfSample: fitStatistics(
      compared.map((m) => m.actualKwh),
      compared.map((m) => m.predictedKwh),
    ),
    naive: fitStatistics(
      compared.map((m) => m.actualKwh),
      compared.map((m) => m.naiveKwh),
    ),
    fitMs,
  };
}

/** The hours with use cut by `share` from `fromMs` on: a saving planted into the data. */
export function plantSaving(hours: readonly HourRecord[], fromMs: number, share: number): HourRecord[] {
  return hours.map((h) => (h.hourMs >= fromMs ? { ...h, kwh: h.kwh * (1 - share) } : h));
}

/** Savings over a reporting year's hours against a fitted model, with their 90 % uncertainty. */
export function reportingSavings(
  kind: ModelKind,
  model: DailyModel | HourlyModel,
  hours: readonly HourRecord[],
): Savings {
  const steps = stepsOf(kind, hours).filter(usable);
  return savings({
    baselineKwh: predictSteps(kind, model, steps),
    actualKwh: steps.map((s) => s.kwh),
    fit: model.baseline,
  });
}

/** A planted saving and what the model made of it. */
export interface PlantedResult {
  /** Planted kWh / the reporting period's use without the plant (over the steps compared). */
  readonly trueShare: number;
  readonly planted: Savings;
  /** The same model on the untouched reporting year. */
  readonly unplanted: Savings;
}

/** Plants `share` of use from `fromMs` into 2018 and measures the savings against a model fitted on 2017. */
export function plantedRecovery(
  kind: ModelKind,
  meter: MeterYears,
  model: DailyModel | HourlyModel,
  fromMs: number,
  share: number,
): PlantedResult {
  const report = meter.years.get(2018) ?? [];
  const unplanted = reportingSavings(kind, model, report);
  const planted = reportingSavings(kind, model, plantSaving(report, fromMs, share));
  return { trueShare: (unplanted.actualKwh - planted.actualKwh) / unplanted.actualKwh, planted, unplanted };
}
