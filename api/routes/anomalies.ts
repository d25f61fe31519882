import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { canRead } from '../../core/domain/access.js';
import {
  AnomalyActionSchema,
  AnomalyAssignSchema,
  AnomalyCommentSchema,
  type AnomalyEvent,
  AnomalyStatusSchema,
  AnomalyViewSchema,
  anomalyView,
} from '../../core/domain/anomalies.js';
import { localDateOf } from '../../core/domain/facts.js';
import { metersInScope } from '../../core/domain/quality.js';
import { formatScope } from '../../core/domain/scope.js';
import { AppError, badRequest } from '../../core/errors.js';
import { accessFor, requireAction, requireScope } from '../access.js';
import { audit } from '../audit.js';
import { LocalRangeQuery, resolveScope, scopeText, withLocalRange } from '../params.js';
import { checkedInHandler, ERRORS } from '../schemas/common.js';

const Query = LocalRangeQuery.extend({
  scope: scopeText()
    .optional()
    .describe('city | district:ID | institution:ID | building:ID | meter:ID: its events and those of everything in it'),
  type: z.string().optional(),
  status: AnomalyStatusSchema.optional(),
  assignee: z.string().min(1).optional().describe('only those assigned to exactly this assignee'),
  overdue: z.enum(['true', 'false']).optional().describe('true: only those due before today (local) and not resolved'),
});
const Params = z.object({ id: z.string() });
const ListAnswer = z.object({ anomalies: z.array(AnomalyViewSchema) });

/**
 * `GET /api/v1/anomalies` and `…/{id}`, the life cycle (`POST …/{id}/ack` and `/resolve`) and the
 * case (issue 17, item 3: `POST …/{id}/assign` and `/comments`). Changes need the `act` action and
 * the anomaly's scope, and are audited.
 */
export async function anomalyRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { store, registry, timeZone } = app.deps;
  const nowMs = () => (app.deps.now ?? Date.now)();
  const view = (a: AnomalyEvent) => anomalyView(a, localDateOf(nowMs(), timeZone));
  const byId = async (id: string) => (await store.anomalies({ fromMs: 0, toMs: 8.64e15, id }))[0];
  /** The anomaly of `id` if the request may see it: 404 when there is none, 403 outside its scopes. */
  const found = async (request: FastifyRequest, id: string) => {
    const a = await byId(id);
    if (a === undefined) throw new AppError('JN_NOT_FOUND', 404, `anomaly "${id}" not found`);
    requireScope(request, a.scope, 'id');
    return a;
  };
  const by = (request: FastifyRequest) => request.token?.name ?? 'unknown';
  /** Audits the change of `before` and answers the anomaly as it is now. */
  const changed = async (request: FastifyRequest, before: AnomalyEvent) => {
    const after = (await byId(before.id)) ?? before;
    await audit(request, `anomaly:${before.id}`, view(before), view(after));
    return view(after);
  };

  app.get(
    '/anomalies',
    {
      schema: {
        summary: 'Anomaly events overlapping [from, to)',
        querystring: withLocalRange(Query, timeZone),
        response: { 200: ListAnswer, ...ERRORS },
      },
    },
    async (request) => {
      const q = request.query;
      const { fromMs, toMs } = q;
      let scopes: string[] | undefined;
      if (q.scope !== undefined) {
        const scope = resolveScope(request, q.scope);
        // A scope covers its institutions' and meters' events.
        const meters = metersInScope(registry.get(), scope);
        const buildings = new Map(registry.get().buildings.map((b) => [b.id, b.institutionId]));
        scopes = [
          formatScope(scope),
          ...new Set(meters.map((m) => `institution:${buildings.get(m.buildingId)}`)),
          ...meters.map((m) => `meter:${m.id}`),
        ];
      }
      const events = await store.anomalies({
        fromMs,
        toMs,
        ...(scopes ? { scopes } : {}),
        ...(q.type ? { type: q.type } : {}),
        ...(q.status ? { status: q.status } : {}),
        ...(q.assignee ? { assignee: q.assignee } : {}),
        ...(q.overdue === 'true' ? { overdueOn: localDateOf(nowMs(), timeZone) } : {}),
      });
      const access = accessFor(request);
      return { anomalies: events.filter((a) => canRead(access, a.scope)).map(view) };
    },
  );

  app.get(
    '/anomalies/:id',
    {
      schema: {
        summary: 'One anomaly, with its case',
        params: Params,
        response: { 200: AnomalyViewSchema, ...ERRORS },
      },
    },
    async (request) => view(await found(request, request.params.id)),
  );

  for (const action of ['ack', 'resolve'] as const) {
    app.post(
      `/anomalies/:id/${action}`,
      {
        schema: {
          summary: action === 'ack' ? 'Acknowledge an anomaly' : 'Resolve an anomaly, with a comment',
          params: Params,
          body: checkedInHandler(AnomalyActionSchema),
          response: { 200: AnomalyViewSchema, ...ERRORS },
        },
      },
      async (request) => {
        const { id } = request.params;
        requireAction(request, 'act');
        const body = AnomalyActionSchema.safeParse(request.body ?? {});
        if (!body.success) throw badRequest('comment', body.error.issues[0]?.message ?? 'invalid');
        const before = await found(request, id);
        if (before.status === 'resolved') throw badRequest('id', 'the anomaly is already resolved');
        if (action === 'ack' && before.status === 'acknowledged')
          throw badRequest('id', 'the anomaly is already acknowledged');
        const status = action === 'ack' ? 'acknowledged' : 'resolved';
        await store.setAnomalyStatus(id, status, { by: by(request), comment: body.data.comment, atMs: nowMs() });
        return changed(request, before);
      },
    );
  }

  app.post(
    '/anomalies/:id/assign',
    {
      schema: {
        summary: 'Assign an anomaly to someone, with an optional due date (replaces the assignment)',
        params: Params,
        body: AnomalyAssignSchema,
        response: { 200: AnomalyViewSchema, ...ERRORS },
      },
    },
    async (request) => {
      const { id } = request.params;
      requireAction(request, 'act');
      const before = await found(request, id);
      if (before.status === 'resolved') throw badRequest('id', 'the anomaly is already resolved');
      const assigned = await store.anomalyCases.assign(id, { ...request.body, by: by(request), atMs: nowMs() });
      if (!assigned) throw new AppError('JN_NOT_FOUND', 404, `anomaly "${id}" not found`);
      return changed(request, before);
    },
  );

  app.post(
    '/anomalies/:id/comments',
    {
      schema: {
        summary: 'Comment on an anomaly (comments are kept, never changed)',
        params: Params,
        body: AnomalyCommentSchema,
        response: { 201: AnomalyViewSchema, ...ERRORS },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      requireAction(request, 'act');
      const before = await found(request, id);
      const added = await store.anomalyCases.addComment(id, {
        text: request.body.text,
        by: by(request),
        atMs: nowMs(),
      });
      if (!added) throw new AppError('JN_NOT_FOUND', 404, `anomaly "${id}" not found`);
      return reply.status(201).send(await changed(request, before));
    },
  );
}
