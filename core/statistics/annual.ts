import { scopeCost } from '../cost/scope-cost.js';
import { type CarbonTables, DEFAULT_CARBON_TABLES, type GridRegion, regionOf } from '../domain/carbon.js';
import type { Energy } from '../domain/energy.js';
import type { Registry } from '../domain/registry.js';
import type { Scope } from '../domain/scope.js';
import { generateReport, type ReportSource } from '../reports/generate.js';
import { reportLabels } from '../reports/labels.js';
import { parseReportPeriod, parseReportScope, type ReportPeriod } from '../reports/params.js';
import { buildStatistics } from './build.js';
import { DEFAULT_STATISTICS_LAYOUT, type StatisticsLayout } from './forms.js';
import type { StatisticsModel } from './model.js';

/** What the statistics need beyond a report's source. */
export interface StatisticsSource extends ReportSource {
  /** The region of institutions without `gridRegion` (`DEFAULT_GRID_REGION`). */
  readonly defaultGridRegion: GridRegion;
  readonly carbonTables?: CarbonTables;
  readonly layout?: StatisticsLayout;
}

/** The cost of a year by institution and energy (micro-yuan), from one `scopeCost` of the scope. */
async function costByInstitution(
  source: StatisticsSource,
  registry: Registry,
  scope: Scope,
  period: ReportPeriod,
): Promise<Map<string, Map<Energy, number>>> {
  const cost = await scopeCost(source.store, registry, {
    scope,
    fromMs: period.fromMs,
    toMs: period.toMs,
    bucketStartsMs: [period.fromMs],
    timeZone: source.timeZone,
  });
  const institutionOf = new Map(registry.buildings.map((b) => [b.id, b.institutionId]));
  const meters = new Map(registry.meters.map((m) => [m.id, m]));
  const out = new Map<string, Map<Energy, number>>();
  for (const [meterId, micro] of cost.byMeterMicro) {
    const meter = meters.get(meterId);
    const id = meter === undefined ? undefined : institutionOf.get(meter.buildingId);
    if (meter === undefined || id === undefined) continue;
    const byEnergy = out.get(id) ?? new Map<Energy, number>();
    byEnergy.set(meter.energy, (byEnergy.get(meter.energy) ?? 0) + micro);
    out.set(id, byEnergy);
  }
  return out;
}

/**
 * Validates a statistics request (`year`, `scope` city, district:ID or institution:ID; 400s naming
 * the field) and builds the year's statistics: the annual report's figures, the cost by institution
 * and energy (bills, else tariffs), the data-audit sign-offs and the carbon tables.
 */
export async function statisticsFor(
  source: StatisticsSource,
  request: { year: string | undefined; scope: string | undefined },
): Promise<StatisticsModel> {
  const period = parseReportPeriod('annual', request.year, source.timeZone, source.now());
  const registry = source.registry();
  const scope = parseReportScope(request.scope, registry);
  const [report, costMicro, signoffs] = await Promise.all([
    generateReport(source, period, scope, { figuresOnly: true }),
    costByInstitution(source, registry, scope, period),
    source.store.auditSignoffs(Number(period.period)),
  ]);
  const byId = new Map(registry.institutions.map((i) => [i.id, i]));
  return buildStatistics({
    report,
    registry,
    costMicro,
    signoffs,
    regionOf: (id) => regionOf(byId.get(id), source.defaultGridRegion),
    layout: source.layout ?? DEFAULT_STATISTICS_LAYOUT,
    tables: source.carbonTables ?? DEFAULT_CARBON_TABLES,
    coefficients: source.coefficients,
    typeNames: reportLabels('zh').types,
  });
}
