import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TimestampSchema } from '../../core/domain/reading.js';
import { AppError } from '../../core/errors.js';
import type { Correction } from '../../core/storage/store.js';
import { requireAction, requireScope } from '../access.js';
import { audit } from '../audit.js';
import { checkedInHandler, ERRORS } from '../schemas/common.js';
import { CorrectionAnswerSchema } from '../schemas/meters.js';

const Params = z.object({ id: z.string().max(100) });
const Body = z.object({
  ts: TimestampSchema.describe('timestamp of the reading, ISO 8601 with offset or epoch ms'),
  action: z.literal('invalidate').default('invalidate'),
  reason: z.string().trim().min(3, 'say why, in a few words').max(500),
});

/**
 * `POST /api/v1/meters/{id}/corrections`: an officer marks a raw reading invalid. It is excluded
 * from consumption and the hours around it are recomputed; the raw value, who, when and why stay
 * visible in the readings.
 */
export async function correctionRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.post(
    '/meters/:id/corrections',
    {
      schema: {
        summary: 'Mark a raw reading invalid (with a reason)',
        description: 'Body: {"ts" (ISO 8601 with offset or epoch ms),"reason","action":"invalidate"}.',
        params: Params,
        body: checkedInHandler(Body),
        response: { 201: CorrectionAnswerSchema, ...ERRORS },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      requireAction(request, 'act');
      requireScope(request, `meter:${id}`, 'id');
      if (app.deps.registry.meter(id) === undefined) throw new AppError('JN_NOT_FOUND', 404, `meter "${id}" not found`);
      const parsed = Body.safeParse(request.body);
      if (!parsed.success) {
        const details = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
        throw new AppError('JN_REQUEST_INVALID', 400, details.map((d) => `${d.path}: ${d.message}`).join('; '), {
          details,
        });
      }
      const { ts, reason, action } = parsed.data;
      const [reading] = await app.deps.store.readings(id, ts, ts + 1);
      if (reading === undefined)
        throw new AppError('JN_NOT_FOUND', 404, `ts: no reading of meter "${id}" at ${new Date(ts).toISOString()}`);
      if (reading.correction !== undefined) {
        throw new AppError('JN_REQUEST_INVALID', 400, 'ts: this reading is already marked invalid', {
          details: [{ path: 'ts', message: 'already marked invalid' }],
        });
      }
      const correction: Correction = {
        meterId: id,
        tsMs: ts,
        action,
        reason,
        createdBy: request.token?.name ?? 'unknown',
        createdAtMs: Date.now(),
      };
      await app.deps.lifecycle.addCorrection(correction);
      await audit(
        request,
        `meter:${id}`,
        { ts: new Date(ts).toISOString(), value: reading.value, invalid: false },
        {
          ts: new Date(ts).toISOString(),
          value: reading.value,
          invalid: true,
          reason,
        },
      );
      request.log.info({ meterId: id, ts, by: correction.createdBy }, 'reading marked invalid');
      return reply.status(201).send({
        meter: id,
        ts: new Date(ts).toISOString(),
        value: reading.value,
        action,
        reason,
        by: correction.createdBy,
        at: new Date(correction.createdAtMs).toISOString(),
      });
    },
  );
}
