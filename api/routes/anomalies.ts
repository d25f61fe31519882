import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { canRead } from '../../core/domain/access.js';
import { AnomalyActionSchema, type AnomalyEvent, AnomalyStatusSchema } from '../../core/domain/anomalies.js';
import { metersInScope } from '../../core/domain/quality.js';
import { formatScope, parseScope, scopeExists } from '../../core/domain/scope.js';
import { AppError, badRequest } from '../../core/errors.js';
import { accessFor, requireAction, requireScope } from '../access.js';
import { audit } from '../audit.js';
import { parseRange } from './readings.js';

const Query = z.object({
  from: z.string(),
  to: z.string(),
  scope: z.string().optional(),
  type: z.string().optional(),
  status: AnomalyStatusSchema.optional(),
});
const Params = z.object({ id: z.string() });

function present(a: AnomalyEvent) {
  const step = (s: AnomalyEvent['acknowledged']) =>
    s === undefined ? null : { by: s.by, comment: s.comment, at: new Date(s.atMs).toISOString() };
  return {
    id: a.id,
    type: a.type,
    scope: a.scope,
    energy: a.energy,
    start: new Date(a.startMs).toISOString(),
    end: new Date(a.endMs).toISOString(),
    severity: a.severity,
    evidence: a.evidence,
    wastedNative: a.wastedNative,
    wastedKgce: a.wastedKgce,
    status: a.status,
    detectedAt: new Date(a.detectedAtMs).toISOString(),
    acknowledged: step(a.acknowledged),
    resolved: step(a.resolved),
  };
}

/** `GET /api/v1/anomalies` and the life cycle: `POST /api/v1/anomalies/{id}/ack` and `/resolve`. */
export async function anomalyRoutes(app: FastifyInstance): Promise<void> {
  const { store, registry, timeZone } = app.deps;

  app.get(
    '/anomalies',
    { schema: { summary: 'Anomaly events overlapping [from, to)', querystring: Query } },
    async (request) => {
      const q = request.query as z.infer<typeof Query>;
      const { fromMs, toMs } = parseRange(q, timeZone);
      let scopes: string[] | undefined;
      if (q.scope !== undefined) {
        const scope = parseScope(q.scope);
        if (scope !== undefined) requireScope(request, scope);
        if (scope === undefined || !scopeExists(scope, registry.get()))
          throw badRequest('scope', `unknown scope "${q.scope}"`);
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
      });
      const access = accessFor(request);
      return { anomalies: events.filter((a) => canRead(access, a.scope)).map(present) };
    },
  );

  for (const action of ['ack', 'resolve'] as const) {
    app.post(
      `/anomalies/:id/${action}`,
      {
        schema: {
          summary: action === 'ack' ? 'Acknowledge an anomaly' : 'Resolve an anomaly, with a comment',
          params: Params,
          body: z.unknown(),
        },
      },
      async (request) => {
        const { id } = request.params as z.infer<typeof Params>;
        requireAction(request, 'act');
        const body = AnomalyActionSchema.safeParse(request.body ?? {});
        if (!body.success) throw badRequest('comment', body.error.issues[0]?.message ?? 'invalid');
        const [found] = await store.anomalies({ fromMs: 0, toMs: 8.64e15, id });
        if (found === undefined) throw new AppError('JN_NOT_FOUND', 404, `anomaly "${id}" not found`);
        requireScope(request, found.scope, 'id');
        if (found.status === 'resolved') throw badRequest('id', 'the anomaly is already resolved');
        if (action === 'ack' && found.status === 'acknowledged')
          throw badRequest('id', 'the anomaly is already acknowledged');
        const status = action === 'ack' ? 'acknowledged' : 'resolved';
        await store.setAnomalyStatus(id, status, {
          by: request.token?.name ?? 'unknown',
          comment: body.data.comment,
          atMs: Date.now(),
        });
        const [updated] = await store.anomalies({ fromMs: 0, toMs: 8.64e15, id });
        await audit(request, `anomaly:${id}`, present(found), present(updated as AnomalyEvent));
        return present(updated as AnomalyEvent);
      },
    );
  }
}
