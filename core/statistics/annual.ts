import { costByInstitution } from '../cost/institution-cost.js';
import { DEFAULT_CARBON_TABLES, type GridRegion, regionOf } from '../domain/carbon.js';
import { generateReport, type ReportSource } from '../reports/generate.js';
import { reportLabels } from '../reports/labels.js';
import { parseReportPeriod, parseReportScope } from '../reports/params.js';
import { buildStatistics } from './build.js';
import { DEFAULT_STATISTICS_LAYOUT, type StatisticsLayout } from './forms.js';
import type { StatisticsModel } from './model.js';

/** What the statistics need beyond a report's source. */
export interface StatisticsSource extends ReportSource {
  /** The region of institutions without `gridRegion` (`DEFAULT_GRID_REGION`). */
  readonly defaultGridRegion: GridRegion;
  readonly layout?: StatisticsLayout;
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
    costByInstitution(source.store, registry, {
      scope,
      fromMs: period.fromMs,
      toMs: period.toMs,
      timeZone: source.timeZone,
    }),
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
