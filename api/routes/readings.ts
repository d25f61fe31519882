import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseLocalDateTime } from '../../core/domain/time.js';
import { AppError, badRequest } from '../../core/errors.js';
import { requireScope } from '../access.js';

const Params = z.object({ id: z.string() });
const Query = z.object({ from: z.string(), to: z.string() });

/** Parses a from/to pair of local dates, naming the bad field. */
export function parseRange(q: { from: string; to: string }, timeZone: string): { fromMs: number; toMs: number } {
  const fromMs = parseLocalDateTime(q.from, timeZone);
  if (fromMs === undefined) throw badRequest('from', 'expected a date YYYY-MM-DD or YYYY-MM-DDTHH:mm');
  const toMs = parseLocalDateTime(q.to, timeZone);
  if (toMs === undefined) throw badRequest('to', 'expected a date YYYY-MM-DD or YYYY-MM-DDTHH:mm');
  if (toMs <= fromMs) throw badRequest('to', 'must be after from');
  return { fromMs, toMs };
}

/** `GET /api/v1/meters/{id}/readings`: the raw readings as stored. */
export async function readingRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/meters/:id/readings',
    { schema: { summary: 'Raw readings of a meter as stored', params: Params, querystring: Query } },
    async (request) => {
      const { id } = request.params as z.infer<typeof Params>;
      const { timeZone, registry, store } = app.deps;
      requireScope(request, `meter:${id}`, 'id');
      const meter = registry.meter(id);
      if (meter === undefined) throw new AppError('JN_NOT_FOUND', 404, `meter "${id}" not found`);
      const { fromMs, toMs } = parseRange(request.query as z.infer<typeof Query>, timeZone);
      const rows = await store.readings(id, fromMs, toMs);
      return {
        meter: id,
        unit: meter.unit,
        readings: rows.map((r) => ({
          ts: new Date(r.tsMs).toISOString(),
          value: r.value,
          gatewayId: r.gatewayId,
          receivedAt: new Date(r.receivedAtMs).toISOString(),
          ...(r.correction === undefined
            ? {}
            : {
                invalid: {
                  reason: r.correction.reason,
                  by: r.correction.createdBy,
                  at: new Date(r.correction.createdAtMs).toISOString(),
                },
              }),
        })),
      };
    },
  );
}
