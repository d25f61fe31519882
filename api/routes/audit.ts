import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireAction } from '../access.js';
import { LocalRangeQuery, withLocalRange } from '../params.js';
import { AuditEntrySchema } from '../schemas/audit.js';
import { ERRORS } from '../schemas/common.js';

/** `GET /api/v1/audit?from&to`: every recorded change; admins and auditors only. */
export async function auditRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/audit',
    {
      schema: {
        summary: 'Audit log: who changed what, when, before and after',
        querystring: withLocalRange(LocalRangeQuery, app.deps.timeZone),
        response: { 200: z.object({ audit: z.array(AuditEntrySchema) }), ...ERRORS },
      },
    },
    async (request) => {
      requireAction(request, 'audit');
      const { fromMs, toMs } = request.query;
      const entries = await app.deps.store.audit(fromMs, toMs);
      return {
        audit: entries.map((e) => ({
          at: new Date(e.atMs).toISOString(),
          tokenId: e.tokenId,
          tokenName: e.tokenName,
          route: e.route,
          entity: e.entity,
          before: e.before,
          after: e.after,
        })),
      };
    },
  );
}
