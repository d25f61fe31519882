import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { accessFor } from '../access.js';
import { parseRange } from './readings.js';

const Query = z.object({
  from: z.string(),
  to: z.string(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

/** `GET /api/v1/dead-letters`: rejected readings and messages with their reasons. */
export async function deadLetterRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/dead-letters',
    { schema: { summary: 'Rejected readings with reasons', querystring: Query } },
    async (request) => {
      const q = request.query as z.infer<typeof Query>;
      const { fromMs, toMs } = parseRange(q, app.deps.timeZone);
      const access = accessFor(request);
      // Scoped tokens see the rejected readings of their meters only (not whole refused messages).
      const rows = (await app.deps.store.deadLetters(fromMs, toMs, access.all ? q.limit : 100_000))
        .filter((d) => access.all || (d.meterId !== undefined && access.meters.has(d.meterId)))
        .slice(0, q.limit);
      return {
        deadLetters: rows.map((d) => ({
          receivedAt: new Date(d.receivedAtMs).toISOString(),
          reason: d.reason,
          raw: d.raw,
          gatewayId: d.gatewayId ?? null,
          topic: d.topic ?? null,
          meterId: d.meterId ?? null,
          ts: d.tsMs === undefined ? null : new Date(d.tsMs).toISOString(),
        })),
      };
    },
  );
}
