import type { Logger } from 'pino';
import type { CoefficientTable } from '../../core/domain/energy.js';
import { localParts } from '../../core/domain/time.js';
import type { RegistryHolder } from '../../core/registry-holder.js';
import { type ArchiveOutcome, ReportArchive } from '../../core/reports/archive.js';
import { generateReport } from '../../core/reports/generate.js';
import type { ReportKind } from '../../core/reports/model.js';
import { parseReportPeriod, previousMonth } from '../../core/reports/params.js';
import type { Store } from '../../core/storage/store.js';
import type { JobSpec } from './runner.js';

/** What the report job needs. */
export interface ReportJobDeps {
  readonly store: Store;
  readonly registry: RegistryHolder;
  readonly timeZone: string;
  readonly coefficients: CoefficientTable;
  /** `DATA_DIR/reports`. */
  readonly reportsDir: string;
  readonly logger: Logger;
  /** The clock (epoch ms); fixed in tests. */
  readonly now?: () => number;
}

/**
 * Generates last month's city report and each district's report and archives them (xlsx, pdf, csv,
 * json). Run again after late data or corrections, it adds a version where the figures changed and
 * keeps the earlier ones.
 */
export function runMonthlyReports(deps: ReportJobDeps): Promise<{ period: string; reports: ArchiveOutcome[] }> {
  const now = deps.now ?? Date.now;
  return archiveCityAndDistricts(deps, 'monthly', previousMonth(now(), deps.timeZone));
}

/** Last year's annual reports of the city and each district, archived like the monthly ones. */
export function runAnnualReports(deps: ReportJobDeps): Promise<{ period: string; reports: ArchiveOutcome[] }> {
  const now = deps.now ?? Date.now;
  return archiveCityAndDistricts(deps, 'annual', String(localParts(now(), deps.timeZone).year - 1));
}

async function archiveCityAndDistricts(
  deps: ReportJobDeps,
  kind: ReportKind,
  periodText: string,
): Promise<{ period: string; reports: ArchiveOutcome[] }> {
  const now = deps.now ?? Date.now;
  const period = parseReportPeriod(kind, periodText, deps.timeZone, now());
  const archive = new ReportArchive(deps.reportsDir);
  const source = {
    store: deps.store,
    registry: () => deps.registry.get(),
    timeZone: deps.timeZone,
    coefficients: deps.coefficients,
    now,
  };
  const scopes = [
    { level: 'city' as const },
    ...deps.registry.get().districts.map((d) => ({ level: 'district' as const, id: d.id })),
  ];
  const reports: ArchiveOutcome[] = [];
  for (const scope of scopes) {
    const outcome = await archive.archive(await generateReport(source, period, scope));
    deps.logger.info({ ...outcome }, outcome.created ? 'report archived' : 'report unchanged');
    reports.push(outcome);
  }
  return { period: periodText, reports };
}

/** The report jobs (each also runs on demand: `POST /api/v1/jobs/{name}/run`). */
export function reportJobs(deps: ReportJobDeps): JobSpec[] {
  return [
    {
      name: 'monthly-reports',
      // 02:00 on the 1st, in the tenant's zone (the runner's): gateways have had two hours to upload.
      schedule: '0 2 1 * *',
      description: "Last month's city and district reports (xlsx, pdf, csv, json), archived with versions",
      run: () => runMonthlyReports(deps),
    },
    {
      name: 'annual-reports',
      // 03:00 on 1 January, after December's monthly reports.
      schedule: '0 3 1 1 *',
      description: "Last year's city and district annual reports (xlsx, pdf, csv, json), archived with versions",
      run: () => runAnnualReports(deps),
    },
  ];
}
