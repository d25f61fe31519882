import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import { requireScope } from '../access.js';
import { LocalRangeQuery, withLocalRange } from '../params.js';
import { ERRORS } from '../schemas/common.js';
import { ReadingsAnswerSchema } from '../schemas/meters.js';

const Params = z.object({ id: z.string().max(100) });

/** `GET /api/v1/meters/{id}/readings`: the raw readings as stored. */
export async function readingRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { timeZone, registry, store } = app.deps;
  app.get(
    '/meters/:id/readings',
    {
      schema: {
        summary: 'Raw readings of a meter as stored',
        params: Params,
        querystring: withLocalRange(LocalRangeQuery, timeZone),
        response: { 200: ReadingsAnswerSchema, ...ERRORS },
      },
    },
    async (request) => {
      const { id } = request.params;
      requireScope(request, `meter:${id}`, 'id');
      const meter = registry.meter(id);
      if (meter === undefined) throw new AppError('JN_NOT_FOUND', 404, `meter "${id}" not found`);
      const { fromMs, toMs } = request.query;
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
