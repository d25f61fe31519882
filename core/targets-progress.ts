import { DEFAULT_GRID_REGION, type GridRegion } from './domain/carbon.js';
import { carbonPlan, convertCells, isCarbonUnit } from './domain/carbon-series.js';
import type { CoefficientTable } from './domain/energy.js';
import { denominatorOf, denominatorsOver, type FactTimelines, factTimelines } from './domain/facts.js';
import { monthEndForecast, yearEndForecast } from './domain/forecast.js';
import type { MeterEventInput } from './domain/meter-events.js';
import type { Registry } from './domain/registry.js';
import { parseScope } from './domain/scope.js';
import { cellValue, energyIncluded, round6, scopeFilter } from './domain/series.js';
import { parseTargetUnit, type QuotaTarget, type Target, type TargetStatus, targetStatus } from './domain/targets.js';
import { HOUR_MS, localParts, localToEpochMs } from './domain/time.js';
import { StationCache } from './mv/normalize-institutions.js';
import type { AggregateQuery, AggregateRow, Store } from './storage/store.js';
import { type TargetNormalize, type TargetNormalized, targetNormalized } from './targets-normalize.js';

/** How a target stands: consumption to date, share, seasonal forecasts and status. */
export interface TargetProgress {
  readonly target: QuotaTarget;
  readonly fromMs: number;
  readonly toMs: number;
  /** Consumption from the period's start to now (or its end), in the target's unit. */
  readonly toDate: number;
  /** toDate / value. */
  readonly share: number;
  /** Forecast for the period's end (year-end or month-end), in the target's unit. */
  readonly forecast: number;
  /** Forecast for the end of the current month, in the target's unit (when the period contains now). */
  readonly forecastMonthEnd?: number;
  readonly method: 'actual' | 'last-year' | 'seasonal-shape' | 'recent-rate' | 'none';
  readonly status: TargetStatus;
  /** With `normalize`: the year to date under reference weather (issue 18, item 4); figures rounded once. */
  readonly normalized?: TargetProgressNormalized;
}

/** A target's year to date under reference weather, in the target's unit, or why it is not given. */
export type TargetProgressNormalized =
  | {
      readonly status: 'normalized';
      readonly reference: string;
      readonly throughMs: number;
      readonly toDate: number;
      readonly share: number;
      readonly adjustment: number;
      readonly forecast: number;
      readonly targetStatus: TargetStatus;
      /** Institution-energies of the scope: how many, how many normalised, and the others with why. */
      readonly institutions: {
        readonly count: number;
        readonly normalized: number;
        readonly notNormalized: Extract<TargetNormalized, { status: 'normalized' }>['notNormalized'];
      };
    }
  | Extract<TargetNormalized, { status: 'refused' }>;

/** The local [from, to) of a period `YYYY` or `YYYY-MM`. */
export function periodRange(period: string, timeZone: string): { fromMs: number; toMs: number } {
  const [y, m] = period.split('-').map(Number) as [number, number | undefined];
  if (m === undefined) return { fromMs: localToEpochMs(timeZone, y, 1), toMs: localToEpochMs(timeZone, y + 1, 1) };
  return { fromMs: localToEpochMs(timeZone, y, m), toMs: localToEpochMs(timeZone, y, m + 1) };
}

/** What reading a target's figures needs besides the store. */
export interface TargetMeasureOptions {
  readonly timeZone: string;
  readonly coefficients: CoefficientTable;
  readonly defaultGridRegion?: GridRegion;
}

/** How the figures of a target's scope, energy and unit are read: the query, the rows' value, the divisor. */
export interface TargetMeasure {
  /** The filter and grouping of `store.aggregate` (add the range and interval). */
  readonly query: Pick<AggregateQuery, 'filter' | 'timeZone' | 'groupBy'>;
  /** The interval of a whole range: a carbon figure is summed from yearly buckets (one factor per year). */
  readonly whole: 'total' | 'year';
  /** The amount of rows in the target's unit, before any division. */
  value(rows: readonly AggregateRow[]): number;
  /** The floor area or occupants in force over [from, to), time-weighted; 1 for an absolute unit, 0 when unknown. */
  divisor(fromMs: number, toMs: number): number;
}

/**
 * How to read a target's figures, the same way `/consumption` and the reports do: kgCO₂ and 等价值
 * kgce per institution (its grid region) and per year (issue 16, item 2); an intensity divides by
 * the floor area or occupants in force over its own range, time-weighted (issue 15, item 4).
 * Undefined when the scope or unit cannot be read.
 */
export function targetMeasure(
  target: Pick<Target, 'scope' | 'energy' | 'unit'>,
  registry: Registry,
  timelines: FactTimelines,
  opts: TargetMeasureOptions,
): TargetMeasure | undefined {
  const scope = parseScope(target.scope);
  const unit = parseTargetUnit(target.energy, target.unit);
  if (scope === undefined || unit === undefined) return undefined;
  const energy = target.energy === 'all' ? undefined : target.energy;
  const mode = unit.mode;
  const carbon = isCarbonUnit(mode)
    ? {
        plan: carbonPlan(scope, registry, opts.defaultGridRegion ?? DEFAULT_GRID_REGION),
        conversion: { unit: mode, timeZone: opts.timeZone, coefficients: opts.coefficients },
      }
    : undefined;
  return {
    query: {
      filter: { ...scopeFilter(scope), ...(energy === undefined ? {} : { energy }) },
      timeZone: opts.timeZone,
      groupBy: carbon?.plan.groupBy ?? 'none',
    },
    whole: carbon === undefined ? 'total' : 'year',
    value: (rows) =>
      (carbon === undefined ? rows : convertCells(rows, carbon.plan, carbon.conversion))
        .filter((r) => energyIncluded(r.energy, energy))
        .reduce((s, r) => s + (isCarbonUnit(mode) ? r.amount : cellValue(r, mode, opts.coefficients)), 0),
    divisor: (fromMs, toMs) => {
      if (unit.per === undefined) return 1;
      const [d] = denominatorsOver(scope, registry, timelines, [{ fromMs, toMs }]);
      return d === undefined ? 0 : denominatorOf(d, unit.per);
    },
  };
}

/** Asks for the year to date under reference weather; `eventsOf` tells when meters were expected to report. */
export interface TargetNormalizeOption {
  readonly reference: TargetNormalize;
  readonly eventsOf: (meterId: string) => readonly MeterEventInput[];
}

/** Computes the progress of quota targets against the stored consumption. */
export async function targetProgress(
  store: Store,
  registry: Registry,
  targets: readonly QuotaTarget[],
  opts: { nowMs: number; normalize?: TargetNormalizeOption } & TargetMeasureOptions,
): Promise<TargetProgress[]> {
  const out: TargetProgress[] = [];
  const normalizing =
    opts.normalize === undefined
      ? undefined
      : {
          reference: opts.normalize.reference,
          source: { ...opts, store, registry, eventsOf: opts.normalize.eventsOf },
          cache: new StationCache({ store, timeZone: opts.timeZone, nowMs: opts.nowMs }),
        };
  const timelines = targets.length === 0 ? undefined : factTimelines(await store.facts(), opts.timeZone);
  for (const target of targets) {
    const measure = timelines === undefined ? undefined : targetMeasure(target, registry, timelines, opts);
    if (measure === undefined) continue;
    const { value, whole } = measure;
    const per = (amount: number, fromMs: number, toMs: number) => {
      const divisor = measure.divisor(fromMs, toMs);
      return amount / (divisor > 0 ? divisor : 1);
    };
    const { fromMs, toMs } = periodRange(target.period, opts.timeZone);
    const base = measure.query;
    const nowHour = Math.floor(opts.nowMs / HOUR_MS) * HOUR_MS;
    const until = Math.min(toMs, nowHour);
    const toDate = until > fromMs ? value(await store.aggregate({ ...base, fromMs, toMs: until, interval: whole })) : 0;
    let forecast = toDate;
    let forecastMonthEnd: number | undefined;
    let month = { fromMs, toMs };
    let method: TargetProgress['method'] = 'actual';
    if (nowHour > fromMs && nowHour < toMs) {
      // Month-end: what the current month used so far plus the rest at the last 7 days' rate.
      const p = localParts(nowHour, opts.timeZone);
      const monthFrom = Math.max(fromMs, localToEpochMs(opts.timeZone, p.year, p.month));
      const monthTo = Math.min(toMs, localToEpochMs(opts.timeZone, p.year, p.month + 1));
      month = { fromMs: monthFrom, toMs: monthTo };
      const weekFrom = nowHour - 7 * 24 * HOUR_MS;
      const [inMonth, week] = await Promise.all([
        store.aggregate({ ...base, fromMs: monthFrom, toMs: nowHour, interval: whole }),
        store.aggregate({ ...base, fromMs: weekFrom, toMs: nowHour, interval: whole }),
      ]);
      forecastMonthEnd = monthEndForecast(value(inMonth), (monthTo - nowHour) / HOUR_MS, value(week) / (7 * 24));
      forecast = forecastMonthEnd + (toDate - value(inMonth));
      method = 'recent-rate';
      if (target.period.length === 4) {
        const year = Number(target.period);
        const months = await store.aggregate({
          ...base,
          fromMs: localToEpochMs(opts.timeZone, year - 1, 1),
          toMs: nowHour,
          interval: 'month',
        });
        const monthValue = (y: number, m: number) =>
          value(months.filter((r) => r.bucketStartMs === localToEpochMs(opts.timeZone, y, m)));
        const lastYear = Array.from({ length: 12 }, (_, i) => monthValue(year - 1, i + 1));
        const actual = Array.from({ length: p.month }, (_, i) =>
          i + 1 === p.month ? (forecastMonthEnd ?? 0) : monthValue(year, i + 1),
        );
        const hasHistory = lastYear.filter((v) => v > 0).length >= 11;
        const y = yearEndForecast(actual, hasHistory ? lastYear : undefined, target.energy);
        forecast = y.forecast;
        method = y.method;
      }
    }
    const shown = { toDate: until > fromMs ? per(toDate, fromMs, until) : 0, forecast: per(forecast, fromMs, toMs) };
    const monthEnd = forecastMonthEnd === undefined ? undefined : per(forecastMonthEnd, month.fromMs, month.toMs);
    let normalized: TargetProgressNormalized | undefined;
    if (normalizing !== undefined) {
      const n = await targetNormalized(
        normalizing.source,
        target,
        { fromMs, untilMs: until },
        normalizing.reference,
        normalizing.cache,
      );
      if (n.status === 'refused') normalized = n;
      else {
        const adjustment = per(n.adjustmentExact, fromMs, until);
        const toDateN = shown.toDate + adjustment;
        const forecastN = shown.forecast + per(n.adjustmentExact, fromMs, toMs);
        normalized = {
          status: 'normalized',
          reference: n.reference,
          throughMs: n.throughMs,
          toDate: round6(toDateN),
          share: target.value > 0 ? round6(toDateN / target.value) : 0,
          adjustment: round6(adjustment),
          forecast: round6(forecastN),
          targetStatus: targetStatus(toDateN, forecastN, target.value),
          institutions: { count: n.institutions, normalized: n.normalizedInstitutions, notNormalized: n.notNormalized },
        };
      }
    }
    out.push({
      target,
      fromMs,
      toMs,
      toDate: round6(shown.toDate),
      share: target.value > 0 ? round6(shown.toDate / target.value) : 0,
      forecast: round6(shown.forecast),
      ...(monthEnd === undefined ? {} : { forecastMonthEnd: round6(monthEnd) }),
      method,
      status: targetStatus(shown.toDate, shown.forecast, target.value),
      ...(normalized === undefined ? {} : { normalized }),
    });
  }
  return out;
}
