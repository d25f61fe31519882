import { costByInstitution } from '../cost/institution-cost.js';
import {
  type CarbonTables,
  DEFAULT_CARBON_TABLES,
  DEFAULT_GRID_REGION,
  type GridRegion,
  regionOf,
} from '../domain/carbon.js';
import type { CoefficientTable } from '../domain/energy.js';
import { metersInScope } from '../domain/quality.js';
import type { Registry } from '../domain/registry.js';
import type { Scope } from '../domain/scope.js';
import { scopeFilter } from '../domain/series.js';
import type { Store } from '../storage/store.js';
import { assembleReport, institutionsInScope } from './assemble.js';
import type { ReportKind, ReportModel } from './model.js';
import { parseReportPeriod, parseReportScope, type ReportPeriod, trendRange } from './params.js';
import { type RankableReport, rankingRows } from './ranking-rows.js';

/** What generating a report needs: the store, the current registry, the tenant's zone and table, a clock. */
export interface ReportSource {
  readonly store: Store;
  readonly registry: () => Registry;
  readonly timeZone: string;
  readonly coefficients: CoefficientTable;
  /** The clock (epoch ms); fixed in tests. */
  readonly now: () => number;
  /** `DEFAULT_GRID_REGION`: the grid region of institutions without one (kgCO₂ reduction targets in the notice). */
  readonly defaultGridRegion?: GridRegion;
  /** The carbon tables kgCO₂ is converted with (`DEFAULT_CARBON_TABLES` when absent). */
  readonly carbonTables?: CarbonTables;
}

/** A report request as the API and the CLI take it (validated here). */
export interface ReportRequest {
  readonly kind: ReportKind;
  /** `YYYY-MM` (monthly) or `YYYY` (annual). */
  readonly period: string | undefined;
  /** `city` (default), `district:ID` or `institution:ID`. */
  readonly scope: string | undefined;
}

/**
 * Reads the aggregates, targets, anomalies and events of a period and assembles the report.
 * `figuresOnly` skips what a notice or the statistics do not show (previous period, last year, the
 * 12-month trend, anomaly counts, estimated shares), which keeps them to two store queries (a
 * ranking reads less still: `rankingReport`), and
 * asks only for the amounts and readings (on InfluxDB a third of the fields read). The period is read
 * by institution, not by meter: on InfluxDB a result series costs as much as a field read, and a
 * city has ~8 meters per institution (issue "Production parity"). Cost and kgCO₂ (issue 16, items 1
 * and 2) are computed as the statistics forms compute them, and only in a full report: `figuresOnly`
 * skips the hourly cost query.
 */
export async function generateReport(
  source: ReportSource,
  period: ReportPeriod,
  scope: Scope,
  options: { figuresOnly?: boolean } = {},
): Promise<ReportModel> {
  const { store, timeZone } = source;
  const registry = source.registry();
  const nowMs = source.now();
  const base = { filter: scopeFilter(scope), timeZone };
  const total = { ...base, interval: 'total' as const, groupBy: 'institution' as const };
  const trend = trendRange(period, timeZone);
  const full = options.figuresOnly !== true;
  // The anomalies' scopes: only a full report counts anomalies (a province has ~100,000 meters, issue 19).
  const scopes = full
    ? [
        ...institutionsInScope(registry, scope).map((i) => `institution:${i.id}`),
        ...metersInScope(registry, scope).map((m) => `meter:${m.id}`),
      ]
    : [];
  const none = Promise.resolve([]);
  const [periodRows, previousRows, lastYearRows, trendRows, targets, anomalies, events, facts, costMicro] =
    await Promise.all([
      store.aggregate({
        ...total,
        fromMs: period.fromMs,
        toMs: period.toMs,
        ...(full ? {} : { sums: ['readings'] as const }),
      }),
      period.previous === undefined || !full
        ? Promise.resolve(undefined)
        : store.aggregate({ ...total, fromMs: period.previous.fromMs, toMs: period.previous.toMs }),
      full ? store.aggregate({ ...total, fromMs: period.lastYear.fromMs, toMs: period.lastYear.toMs }) : none,
      full
        ? store.aggregate({ ...base, fromMs: trend.fromMs, toMs: trend.toMs, interval: 'month', groupBy: 'none' })
        : none,
      store.targets(),
      scopes.length === 0 || !full ? none : store.anomalies({ fromMs: period.fromMs, toMs: period.toMs, scopes }),
      store.meterEvents(),
      store.facts(),
      full
        ? costByInstitution(store, registry, { scope, fromMs: period.fromMs, toMs: period.toMs, timeZone })
        : Promise.resolve(undefined),
    ]);
  const institutions = new Map(registry.institutions.map((i) => [i.id, i]));
  const defaultRegion = source.defaultGridRegion ?? DEFAULT_GRID_REGION;
  return assembleReport(
    {
      period,
      scope,
      registry,
      timeZone,
      coefficients: source.coefficients,
      nowMs,
      periodRows,
      ...(previousRows === undefined ? {} : { previousRows }),
      lastYearRows,
      trend,
      trendRows,
      targets,
      anomalies,
      events,
      facts,
      ...(costMicro === undefined
        ? {}
        : {
            costCarbon: {
              costMicro,
              regionOf: (id: string) => regionOf(institutions.get(id), defaultRegion),
              tables: source.carbonTables ?? DEFAULT_CARBON_TABLES,
            },
          }),
    },
    nowMs,
  );
}

/**
 * The figures a ranking of a month reads (`rankInstitutions`), as `generateReport` with
 * `figuresOnly` computes them, from three store reads: the period by institution (amounts and
 * readings only), the meter events and the facts. Targets, the report's other figures and its
 * subtotals are not computed: a city's ranking is one pass over its institutions (issue 19).
 */
export async function rankingReport(
  source: ReportSource,
  period: ReportPeriod,
  scope: Scope,
): Promise<RankableReport & { readonly coefficients: string }> {
  const { store, timeZone } = source;
  const registry = source.registry();
  const nowMs = source.now();
  const [periodRows, events, facts] = await Promise.all([
    store.aggregate({
      filter: scopeFilter(scope),
      timeZone,
      interval: 'total',
      groupBy: 'institution',
      fromMs: period.fromMs,
      toMs: period.toMs,
      sums: ['readings'],
    }),
    store.meterEvents(),
    store.facts(),
  ]);
  const rows = rankingRows({
    registry,
    scope,
    period,
    nowMs,
    timeZone,
    coefficients: source.coefficients,
    periodRows,
    events,
    facts,
  });
  return { ...rows, coefficients: source.coefficients.version };
}

/** Validates a request (400s naming `month`/`year` or `scope`) and generates its report. */
export async function reportFor(source: ReportSource, request: ReportRequest): Promise<ReportModel> {
  const period = parseReportPeriod(request.kind, request.period, source.timeZone, source.now());
  const scope = parseReportScope(request.scope, source.registry());
  return generateReport(source, period, scope);
}
