import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { DEFAULT_GRID_REGION } from '../../core/domain/carbon.js';
import { statisticsFor } from '../../core/statistics/annual.js';
import { parseStatisticsFormat, renderStatistics } from '../../core/statistics/export.js';
import { DEFAULT_STATISTICS_LAYOUT } from '../../core/statistics/forms.js';
import { requireScope } from '../access.js';
import type { ZodRequestTypeProvider } from '../file-answers.js';
import { ERRORS, fileAnswer } from '../schemas/common.js';
import { StatisticsSchema } from '../schemas/reports.js';
import { reportSourceOf } from './reports.js';

const field = (description: string) => z.string().optional().describe(description);
const StatisticsQuery = z.object({
  year: field('YYYY; not in the future'),
  scope: field('city (default) | district:ID | institution:ID'),
  format: field('json (default) | xlsx | pdf (Chinese, laid out as the forms)'),
});

/**
 * `GET /api/v1/statistics/annual`: the annual energy and resource statistics of a scope as the
 * statistics system's forms ask them (issue 16, item 3): identity, floor area and persons in force,
 * per energy the quantity in the form's unit, the cost and standard coal both ways, the headline
 * indicators, roll-ups by district, type and nature, and the data-audit sign-offs. Read like
 * reports: the token must read the whole scope.
 */
export async function statisticsRoutes(fastify: FastifyInstance): Promise<void> {
  // JSON or a file by format: typed requests, the JSON validated by the serializer.
  const app = fastify.withTypeProvider<ZodRequestTypeProvider>();
  const source = {
    ...reportSourceOf(app),
    defaultGridRegion: app.deps.defaultGridRegion ?? DEFAULT_GRID_REGION,
    layout: DEFAULT_STATISTICS_LAYOUT,
  };
  app.get(
    '/statistics/annual',
    {
      schema: {
        summary: 'Annual statistics forms of a scope (json, xlsx, pdf)',
        querystring: StatisticsQuery,
        response: {
          200: fileAnswer('The statistics: JSON, or a file with format=xlsx|pdf', ['xlsx', 'pdf'], StatisticsSchema),
          ...ERRORS,
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      requireScope(request, q.scope ?? 'city');
      const format = parseStatisticsFormat(q.format);
      const model = await statisticsFor(source, { year: q.year, scope: q.scope });
      if (format === 'json') return model;
      const out = await renderStatistics(model, format, source.layout);
      return reply
        .header('content-type', out.contentType)
        .header('content-disposition', `attachment; filename="${out.fileName}"`)
        .send(out.body);
    },
  );
}
