import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { badRequest } from '../../core/errors.js';
import { noticeFor } from '../../core/reports/notice.js';
import { parseNoticeFormat, renderNotice } from '../../core/reports/notice-export.js';
import { parseReportLang } from '../../core/reports/params.js';
import { requireScope } from '../access.js';
import type { ZodRequestTypeProvider } from '../file-answers.js';
import { ERRORS, fileAnswer } from '../schemas/common.js';
import { NoticeSchema } from '../schemas/reports.js';
import { reportSourceOf } from './reports.js';

const field = (description: string) => z.string().optional().describe(description);
const NoticeQuery = z.object({
  year: field('YYYY; not in the future'),
  scope: field('city (default) | district:ID'),
  format: field('json (default) | xlsx | pdf'),
  lang: field('zh (default) | en: labels of xlsx and pdf'),
  normalize: field(
    "weather: adds each institution's year-on-year change with its year under last year's weather (yoyChangeNormalized) and weatherNormalization",
  ),
});

/**
 * `GET /api/v1/reports/notice`: the public notice (通报) of a year, per institution type the
 * ranking by kgce/m², kgce/person and water m³/person with the type's average, each institution's
 * deviation from it and its change on last year (issue 16, item 5).
 */
export async function noticeRoutes(fastify: FastifyInstance): Promise<void> {
  // JSON or a file by format: typed requests, the JSON validated by the serializer.
  const app = fastify.withTypeProvider<ZodRequestTypeProvider>();
  const source = reportSourceOf(app);
  app.get(
    '/reports/notice',
    {
      schema: {
        summary: 'Public notice of a year: institutions ranked within their type',
        querystring: NoticeQuery,
        response: {
          200: fileAnswer('The notice: JSON, or a file with format=xlsx|pdf', ['xlsx', 'pdf'], NoticeSchema),
          ...ERRORS,
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      requireScope(request, q.scope ?? 'city');
      const format = parseNoticeFormat(q.format);
      const lang = parseReportLang(q.lang);
      if (q.normalize !== undefined && q.normalize !== 'weather')
        throw badRequest('normalize', `expected weather, got "${q.normalize}"`);
      const normalize = q.normalize === 'weather' ? { normalize: 'weather' as const } : {};
      const notice = await noticeFor(
        source,
        { year: q.year, scope: q.scope, ...normalize },
        {
          eventsOf: (id) => app.deps.lifecycle.eventsOf(id),
        },
      );
      if (format === 'json') return notice;
      const out = await renderNotice(notice, format, lang);
      return reply
        .header('content-type', out.contentType)
        .header('content-disposition', `attachment; filename="${out.fileName}"`)
        .send(out.body);
    },
  );
}
