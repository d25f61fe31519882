import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { groupBy } from '../../core/collections.js';
import {
  COMPLETENESS_THRESHOLD,
  completeness,
  expectedHours,
  expectedReadings,
  metersInScope,
} from '../../core/domain/quality.js';
import { formatScope } from '../../core/domain/scope.js';
import { round6, scopeFilter } from '../../core/domain/series.js';
import { formatLocalIso, localToEpochMs } from '../../core/domain/time.js';
import { badRequest } from '../../core/errors.js';
import { resolveScope, scopeText } from '../params.js';
import { ERRORS } from '../schemas/common.js';
import { QualityAnswerSchema } from '../schemas/quality.js';

const Query = z.object({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected YYYY-MM'),
  scope: scopeText().default('city'),
});

/**
 * `GET /api/v1/quality?month=YYYY-MM&scope=...`: completeness (received / expected readings) per
 * meter and institution for a month, the hours by quality, and the meters below 90 %.
 */
export async function qualityRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/quality',
    {
      schema: {
        summary: 'Data quality of a month per meter and institution',
        querystring: Query,
        response: { 200: QualityAnswerSchema, ...ERRORS },
      },
    },
    async (request) => {
      const q = request.query;
      const { registry, store, timeZone, lifecycle } = app.deps;
      const nowMs = (app.deps.now ?? Date.now)();
      const scope = resolveScope(request, q.scope);
      const [year, month] = q.month.split('-').map(Number) as [number, number];
      const fromMs = localToEpochMs(timeZone, year, month);
      const toMs = localToEpochMs(timeZone, year, month + 1);
      if (fromMs > nowMs) throw badRequest('month', 'is in the future');
      const rows = await store.aggregate({
        filter: scopeFilter(scope),
        fromMs,
        toMs,
        interval: 'total',
        timeZone,
        groupBy: 'meter',
      });
      const byMeter = new Map(rows.map((r) => [r.groupId, r]));
      const buildings = new Map(registry.get().buildings.map((b) => [b.id, b]));
      const meters = metersInScope(registry.get(), scope).map((m) => {
        const r = byMeter.get(m.id);
        const events = lifecycle.eventsOf(m.id);
        const expected = expectedReadings(m, events, fromMs, toMs, nowMs);
        const received = r?.readings ?? 0;
        const hours = expectedHours(m, events, fromMs, toMs, nowMs);
        const withData = (r?.goodHours ?? 0) + (r?.estimatedHours ?? 0) + (r?.suspectHours ?? 0);
        return {
          meterId: m.id,
          institutionId: buildings.get(m.buildingId)?.institutionId ?? '',
          energy: m.energy,
          expected: round6(expected),
          received,
          completeness: round6(completeness(received, expected)),
          estimatedShare: r && r.amount !== 0 ? round6(r.estimated / r.amount) : 0,
          hours: {
            good: r?.goodHours ?? 0,
            estimated: r?.estimatedHours ?? 0,
            suspect: r?.suspectHours ?? 0,
            missing: Math.max(0, hours - withData),
          },
        };
      });
      const institutions = [...groupBy(meters, (m) => m.institutionId)].map(([institutionId, list]) => {
        const expected = list.reduce((s, m) => s + m.expected, 0);
        const received = list.reduce((s, m) => s + m.received, 0);
        return {
          institutionId,
          meters: list.length,
          expected: round6(expected),
          received,
          completeness: round6(completeness(received, expected)),
        };
      });
      return {
        month: q.month,
        scope: formatScope(scope),
        from: formatLocalIso(fromMs, timeZone),
        to: formatLocalIso(toMs, timeZone),
        threshold: COMPLETENESS_THRESHOLD,
        meters,
        institutions,
        below: meters.filter((m) => m.completeness < COMPLETENESS_THRESHOLD).map((m) => m.meterId),
      };
    },
  );
}
