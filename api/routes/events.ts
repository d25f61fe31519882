import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { applyAttributionEvent, isAttributionEvent } from '../../core/domain/attribution.js';
import { eventConflicts, type MeterEvent, MeterEventInputSchema } from '../../core/domain/meter-events.js';
import { AppError } from '../../core/errors.js';
import { updateRegistry } from '../../core/registry-service.js';
import { newId } from '../../core/security.js';
import { requireAction, requireScope } from '../access.js';
import { audit } from '../audit.js';
import { checkedInHandler, ERRORS } from '../schemas/common.js';
import { MeterEventsAnswerSchema, MeterEventViewSchema } from '../schemas/meters.js';

const Params = z.object({ id: z.string().max(100) });

function present(e: MeterEvent) {
  return {
    ...e,
    ts: new Date(e.ts).toISOString(),
    createdAt: new Date(e.createdAtMs).toISOString(),
    createdAtMs: undefined,
  };
}

/** `POST/GET /api/v1/meters/{id}/events`: lifecycle events (replace, multiplier, decommission, move, parent). */
export async function eventRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/meters/:id/events',
    {
      schema: {
        summary: 'Lifecycle events of a meter',
        params: Params,
        response: { 200: MeterEventsAnswerSchema, ...ERRORS },
      },
    },
    async (request) => {
      const { id } = request.params;
      requireScope(request, `meter:${id}`, 'id');
      if (app.deps.registry.meter(id) === undefined) throw new AppError('JN_NOT_FOUND', 404, `meter "${id}" not found`);
      return { meter: id, events: app.deps.lifecycle.eventsOf(id).map(present) };
    },
  );

  app.post(
    '/meters/:id/events',
    {
      schema: {
        summary:
          'Record a replacement, multiplier change, decommission, move or parent change; the affected periods are recomputed',
        params: Params,
        body: checkedInHandler(MeterEventInputSchema),
        response: { 201: MeterEventViewSchema, ...ERRORS },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      requireAction(request, 'admin');
      const meter = app.deps.registry.meter(id);
      if (meter === undefined) throw new AppError('JN_NOT_FOUND', 404, `meter "${id}" not found`);
      const parsed = MeterEventInputSchema.safeParse(request.body);
      if (!parsed.success) {
        const details = parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'type', message: i.message }));
        throw new AppError('JN_REQUEST_INVALID', 400, details.map((d) => `${d.path}: ${d.message}`).join('; '), {
          details,
        });
      }
      const problems = eventConflicts(app.deps.lifecycle.eventsOf(id), parsed.data);
      if (meter.installedAt !== undefined && parsed.data.ts < Date.parse(meter.installedAt)) {
        problems.push(`ts: before the meter's installation (${meter.installedAt})`);
      }
      if (problems.length > 0) {
        throw new AppError('JN_EVENT_CONFLICT', 400, problems.join('; '), {
          details: problems.map((p) => ({ path: p.split(':')[0] ?? 'ts', message: p })),
        });
      }
      const event: MeterEvent = {
        ...parsed.data,
        id: newId('evt'),
        meterId: id,
        createdAtMs: Date.now(),
        createdBy: request.token?.name ?? 'unknown',
      };
      const input = parsed.data;
      if (isAttributionEvent(input)) {
        // The registry keeps where the meter was before (meter-spans.ts): every aggregate follows it.
        const { store, registry, now } = app.deps;
        await updateRegistry(store, registry, (current) => {
          const history = app.deps.lifecycle.eventsOf(id);
          const applied = applyAttributionEvent(current, id, input, history, (now ?? Date.now)());
          if (applied.problems.length > 0)
            throw new AppError(
              'JN_EVENT_CONFLICT',
              400,
              applied.problems.map((p) => `${p.path}: ${p.message}`).join('; '),
              {
                details: applied.problems,
              },
            );
          return applied.registry;
        });
      }
      await app.deps.lifecycle.addEvent(event);
      await audit(request, `meter:${id}`, null, present(event));
      request.log.info({ meterId: id, type: event.type, ts: event.ts }, 'meter event recorded');
      return reply.status(201).send(present(event));
    },
  );
}
