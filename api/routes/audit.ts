import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireAction } from '../access.js';
import { parseRange } from './readings.js';

const Query = z.object({ from: z.string(), to: z.string() });

/** `GET /api/v1/audit?from&to`: every recorded change; admins and auditors only. */
export async function auditRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/audit',
    { schema: { summary: 'Audit log: who changed what, when, before and after', querystring: Query } },
    async (request) => {
      requireAction(request, 'audit');
      const { fromMs, toMs } = parseRange(request.query as z.infer<typeof Query>, app.deps.timeZone);
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
