import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { canRead } from '../../core/domain/access.js';
import { EnergySchema } from '../../core/domain/energy.js';
import { AppError, badRequest } from '../../core/errors.js';
import { ReportArchive } from '../../core/reports/archive.js';
import { type ReportSource, rankingReport, reportFor } from '../../core/reports/generate.js';
import type { ReportKind } from '../../core/reports/model.js';
import { scopeFromSlug } from '../../core/reports/model.js';
import { parseReportFormat, parseReportLang, parseReportPeriod, parseReportScope } from '../../core/reports/params.js';
import { parseRankingMetric, rankInstitutions } from '../../core/reports/ranking.js';
import { CONTENT_TYPES, renderReport } from '../../core/reports/render.js';
import { accessFor, requireScope } from '../access.js';
import type { ZodRequestTypeProvider } from '../file-answers.js';
import { ERRORS, fileAnswer } from '../schemas/common.js';
import { ArchiveListSchema, RankingSchema, ReportModelSchema } from '../schemas/reports.js';

const field = (description: string) => z.string().optional().describe(description);
const common = {
  scope: field('city (default) | district:ID | institution:ID'),
  format: field('json (default) | csv | xlsx | pdf'),
  lang: field('zh (default) | en: labels of csv, xlsx and pdf'),
};
const MonthlyQuery = z.object({ month: field('YYYY-MM, local calendar month; not in the future'), ...common });
const AnnualQuery = z.object({ year: field('YYYY; not in the future'), ...common });
const RankingQuery = z.object({
  month: field('YYYY-MM'),
  metric: field('kgce (default) | kgce_per_m2 | kgce_per_capita'),
  energy: field('one energy type; default every energy but water, in kgce'),
  scope: field('city (default) | district:ID'),
});
const ArchiveParams = z.object({
  period: z.string().max(20),
  scope: z.string().max(200).describe('scope slug, e.g. city or district-gulou'),
  file: z.string().max(40).describe('v{version}.{json|csv|xlsx|pdf}'),
});
const ReportFile = fileAnswer(
  'The report: JSON, or a file with format=csv|xlsx|pdf',
  ['csv', 'xlsx', 'pdf'],
  ReportModelSchema,
);

/** What reports are generated from: the app's store, registry, zone, coefficients and clock. */
export function reportSourceOf(app: FastifyInstance): ReportSource {
  const { store, registry, timeZone, coefficients, defaultGridRegion } = app.deps;
  return {
    store,
    registry: () => registry.get(),
    timeZone,
    coefficients,
    now: app.deps.now ?? Date.now,
    ...(defaultGridRegion === undefined ? {} : { defaultGridRegion }),
  };
}

/**
 * Reports: `GET /api/v1/reports/monthly` and `/annual` (json, csv, xlsx, pdf; zh or en),
 * `GET /api/v1/reports/ranking`, the archive list `GET /api/v1/reports` and downloads of archived
 * versions `GET /api/v1/reports/archive/{period}/{scope}/{version}.{ext}`.
 */
export async function reportRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  // Routes that answer JSON or a file: typed requests, replies validated by the serializer only.
  const files = fastify.withTypeProvider<ZodRequestTypeProvider>();
  const { registry, timeZone } = app.deps;
  const source = reportSourceOf(app);
  const archive = app.deps.reportsDir === undefined ? undefined : new ReportArchive(app.deps.reportsDir);

  const exportReport = async (
    kind: ReportKind,
    q: {
      period?: string | undefined;
      scope?: string | undefined;
      format?: string | undefined;
      lang?: string | undefined;
    },
    reply: FastifyReply,
  ) => {
    const format = parseReportFormat(q.format);
    const lang = parseReportLang(q.lang);
    const model = await reportFor(source, { kind, period: q.period, scope: q.scope });
    if (format === 'json') return model;
    const out = await renderReport(model, format, lang);
    return reply
      .header('content-type', out.contentType)
      .header('content-disposition', `attachment; filename="${out.fileName}"`)
      .send(out.body);
  };

  files.get(
    '/reports/monthly',
    {
      schema: {
        summary: 'Monthly report of a scope (json, csv, xlsx or pdf)',
        querystring: MonthlyQuery,
        response: { 200: ReportFile, ...ERRORS },
      },
    },
    async (request, reply) => {
      const q = request.query;
      requireScope(request, q.scope ?? 'city');
      return exportReport('monthly', { ...q, period: q.month }, reply);
    },
  );

  files.get(
    '/reports/annual',
    {
      schema: {
        summary: 'Annual report of a scope (json, csv, xlsx or pdf)',
        querystring: AnnualQuery,
        response: { 200: ReportFile, ...ERRORS },
      },
    },
    async (request, reply) => {
      const q = request.query;
      requireScope(request, q.scope ?? 'city');
      return exportReport('annual', { ...q, period: q.year }, reply);
    },
  );

  app.get(
    '/reports/ranking',
    {
      schema: {
        summary: 'Institutions ranked by a metric, with peer groups by type',
        querystring: RankingQuery,
        response: { 200: RankingSchema, ...ERRORS },
      },
    },
    async (request) => {
      const q = request.query;
      requireScope(request, q.scope ?? 'city');
      const period = parseReportPeriod('monthly', q.month, timeZone, source.now());
      const metric = parseRankingMetric(q.metric);
      const energy = q.energy === undefined ? undefined : EnergySchema.safeParse(q.energy);
      if (energy !== undefined && !energy.success)
        throw badRequest('energy', `expected one of ${EnergySchema.options.join(', ')}, got "${q.energy}"`);
      const scope = parseReportScope(q.scope, registry.get());
      const figures = await rankingReport(source, period, scope);
      return {
        ...rankInstitutions(figures, metric, energy?.data),
        coefficients: figures.coefficients,
        ...(energy === undefined
          ? { note: 'water is a resource, not energy: it is excluded from the kgce total' }
          : {}),
      };
    },
  );

  app.get(
    '/reports',
    {
      schema: {
        summary: 'Archived reports in the token scope, with versions and downloads',
        response: { 200: ArchiveListSchema, ...ERRORS },
      },
    },
    async (request) => {
      const access = accessFor(request);
      const all = archive === undefined ? [] : await archive.list();
      return { reports: all.filter((r) => canRead(access, r.scope)) };
    },
  );

  files.get(
    '/reports/archive/:period/:scope/:file',
    {
      schema: {
        summary: 'Download an archived report version, e.g. 2026-10/city/v1.xlsx',
        params: ArchiveParams,
        response: { 200: fileAnswer('The archived report', ['csv', 'xlsx', 'pdf'], ReportModelSchema), ...ERRORS },
      },
    },
    async (request, reply) => {
      const p = request.params;
      requireScope(request, scopeFromSlug(p.scope));
      const found = archive?.file(p.period, p.scope, p.file);
      const size =
        found === undefined
          ? undefined
          : await stat(found.path).then(
              (s) => s.size,
              () => undefined,
            );
      if (found === undefined || size === undefined)
        throw new AppError('JN_NOT_FOUND', 404, `no archived report ${p.period}/${p.scope}/${p.file}`);
      return reply
        .header('content-type', CONTENT_TYPES[found.format])
        .header('content-length', size)
        .header('content-disposition', `attachment; filename="${found.fileName}"`)
        .send(createReadStream(found.path));
    },
  );
}
