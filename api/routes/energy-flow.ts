import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  type EnergyFlow,
  EnergyFlowSchema,
  energyFlow,
  type FlowCell,
  subItemClass,
} from '../../core/domain/energy-flow.js';
import { formatScope, parseScope, scopeExists } from '../../core/domain/scope.js';
import { scopeFilter } from '../../core/domain/series.js';
import { UNMETERED } from '../../core/domain/sub-items.js';
import { formatLocalIso, HOUR_MS } from '../../core/domain/time.js';
import { AppError, badRequest } from '../../core/errors.js';
import type { AggregateQuery } from '../../core/storage/store.js';
import { requireScope } from '../access.js';
import { parseRange } from './readings.js';

const Query = z.object({
  scope: z.string().describe('city | district:ID | institution:ID | building:ID'),
  from: z.string().describe('YYYY-MM-DD or YYYY-MM-DDTHH:mm, local time, inclusive'),
  to: z.string().describe('YYYY-MM-DD or YYYY-MM-DDTHH:mm, local time, exclusive'),
});

/**
 * `GET /api/v1/energy-flow` (issue 17, item 3): the flow energy type → sub-item → building of a
 * scope over [from, to) in kgce, for a Sankey diagram (core/domain/energy-flow.ts). Sub-items are
 * the meter trees' remainders by class (`01A`, `01B`, … and `unmetered`), so they add up to
 * electricity's total exactly, as `subItem=` does in `/consumption`.
 */
export async function energyFlowRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { store, registry, timeZone, coefficients } = app.deps;

  app.get(
    '/energy-flow',
    {
      schema: {
        summary: 'Energy flow (Sankey): energy type → sub-item → building, in kgce',
        querystring: Query,
        response: { 200: EnergyFlowSchema },
      },
    },
    async (request): Promise<EnergyFlow> => {
      const q = request.query;
      const scope = parseScope(q.scope);
      if (scope === undefined || scope.level === 'meter')
        throw badRequest('scope', 'expected city, district:ID, institution:ID or building:ID');
      requireScope(request, scope);
      const reg = registry.get();
      if (!scopeExists(scope, reg)) {
        throw new AppError('JN_SCOPE_UNKNOWN', 400, `scope: unknown ${formatScope(scope)}`, {
          details: [{ path: 'scope', message: `unknown ${formatScope(scope)}` }],
        });
      }
      const { fromMs, toMs } = parseRange(q, timeZone);
      if (fromMs % HOUR_MS !== 0) throw badRequest('from', 'must be on a whole hour');
      if (toMs % HOUR_MS !== 0) throw badRequest('to', 'must be on a whole hour');
      const query = (filter: AggregateQuery['filter']): AggregateQuery => ({
        filter: { ...scopeFilter(scope), ...filter },
        fromMs,
        toMs,
        interval: 'total',
        timeZone,
        groupBy: 'building',
        sums: [],
      });
      // Every sub-item class of the registry's electricity meters, and the remainders without a code.
      const classes = [
        ...new Set(
          reg.meters.flatMap((m) => (m.energy === 'electricity' && m.subItem ? [subItemClass(m.subItem)] : [])),
        ),
        UNMETERED,
      ];
      const [totals, ...bySubItem] = await Promise.all([
        store.aggregate(query({})),
        ...classes.map((subItemPrefix) => store.aggregate(query({ energy: 'electricity', subItemPrefix }))),
      ]);
      const cells: FlowCell[] = [
        ...(totals ?? [])
          .filter((r) => r.energy !== 'electricity')
          .map((r) => ({ energy: r.energy, buildingId: r.groupId, amount: r.amount })),
        ...bySubItem.flatMap((rows, i) =>
          rows.map((r) => ({ energy: r.energy, subItem: classes[i], buildingId: r.groupId, amount: r.amount })),
        ),
      ];
      const names = new Map(reg.buildings.map((b) => [b.id, b.name]));
      return {
        scope: formatScope(scope),
        from: formatLocalIso(fromMs, timeZone),
        to: formatLocalIso(toMs, timeZone),
        timezone: timeZone,
        unit: 'kgce',
        coefficients: coefficients.version,
        ...energyFlow(cells, coefficients, names),
        note: 'water is a resource, not energy: it is not part of the flow (waterM3 gives its volume)',
      };
    },
  );
}
