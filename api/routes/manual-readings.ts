import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { fieldPath, ManualEntrySchema, type ManualProblem, manualSource } from '../../core/domain/manual-readings.js';
import { meterKind } from '../../core/domain/registry.js';
import { AppError } from '../../core/errors.js';
import { requireAction, requireScope } from '../access.js';
import { audit } from '../audit.js';
import { checkedInHandler, ERRORS } from '../schemas/common.js';
import { ManualEntryAnswerSchema as Entered } from '../schemas/meters.js';

const Params = z.object({ id: z.string().max(64) });

function invalid(problems: readonly ManualProblem[]): AppError {
  return new AppError('JN_REQUEST_INVALID', 400, problems.map((p) => `${p.path}: ${p.message}`).join('; '), {
    details: [...problems],
  });
}

/**
 * `POST /api/v1/meters/{id}/manual-readings` (issue 15, item 5): an officer (or admin) whose scope
 * covers a manual meter enters its register readings `{"readings":[{"ts","value"}]}` or deliveries
 * `{"amounts":[{"from","to","amount"}]}`, all or nothing (a 400 names every bad item's field). They
 * take the ingest path, are answered once stored, and are recorded in the audit log with who and when.
 */
export async function manualReadingRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.post(
    '/meters/:id/manual-readings',
    {
      schema: {
        summary: 'Enter register readings or deliveries of a manual meter (all or nothing)',
        description:
          'Body: {"readings":[{"ts","value"}]} (registers, in the meter unit) or {"amounts":[{"from","to","amount"}]} ' +
          '(deliveries, spread pro rata over [from, to)). Instants: ISO 8601 with offset or epoch ms.',
        params: Params,
        body: checkedInHandler(ManualEntrySchema),
        response: { 200: Entered, 201: Entered, ...ERRORS },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      requireAction(request, 'act');
      requireScope(request, `meter:${id}`, 'id');
      const meter = app.deps.registry.meter(id);
      if (meter === undefined) throw new AppError('JN_NOT_FOUND', 404, `meter "${id}" not found`);
      if (meterKind(meter) !== 'manual') {
        throw new AppError(
          'JN_METER_NOT_MANUAL',
          409,
          `id: meter "${id}" is a ${meterKind(meter)} meter; manual readings are for meters with "reading": "manual"`,
          { details: [{ path: 'id', message: `a ${meterKind(meter)} meter` }] },
        );
      }
      const parsed = ManualEntrySchema.safeParse(request.body);
      if (!parsed.success)
        throw invalid(parsed.error.issues.map((i) => ({ path: fieldPath(i.path) || 'body', message: i.message })));
      const token = request.token;
      const source = manualSource(token?.id ?? 'unknown');
      const result = await app.deps.lifecycle.enterManual({ meterId: id, entry: parsed.data, source });
      if (result.outcome === 'invalid') throw invalid(result.problems);
      if (result.outcome === 'not_stored') {
        throw new AppError(
          'JN_STORE_UNAVAILABLE',
          503,
          result.problems.map((p) => `${p.path}: ${p.message}`).join('; '),
          {
            details: [...result.problems],
            retryable: true,
          },
        );
      }
      const kind = parsed.data.readings === undefined ? 'amounts' : 'readings';
      const answer = {
        meter: id,
        kind,
        unit: meter.unit,
        enteredBy: token?.name ?? 'unknown',
        receivedAt: new Date(result.receivedAtMs).toISOString(),
        stored: result.stored,
        duplicates: result.duplicates,
        readings: result.readings.map((r) => ({ ts: new Date(r.tsMs).toISOString(), value: r.value })),
      } as const;
      const first = answer.readings[0];
      const last = answer.readings.at(-1);
      await audit(request, `meter:${id}`, null, {
        manual: kind,
        items: (parsed.data.readings ?? parsed.data.amounts ?? []).length,
        stored: answer.stored,
        duplicates: answer.duplicates,
        from: first?.ts,
        to: last?.ts,
        source,
        receivedAt: answer.receivedAt,
      });
      return reply.status(answer.stored > 0 ? 201 : 200).send(answer);
    },
  );
}
