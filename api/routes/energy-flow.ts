import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  type EnergyFlow,
  EnergyFlowSchema,
  energyFlow,
  type FlowCell,
  subItemClass,
} from '../../core/domain/energy-flow.js';
import { formatScope } from '../../core/domain/scope.js';
import { scopeFilter } from '../../core/domain/series.js';
import { UNMETERED } from '../../core/domain/sub-items.js';
import { formatLocalIso } from '../../core/domain/time.js';
import type { AggregateQuery } from '../../core/storage/store.js';
import { LocalRangeQuery, resolveScope, scopeText, withLocalRange } from '../params.js';
import { ERRORS } from '../schemas/common.js';

const LEVELS = ['city', 'district', 'institution', 'building'] as const;
const Query = LocalRangeQuery.extend({ scope: scopeText(LEVELS) });

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
        querystring: withLocalRange(Query, timeZone, { wholeHours: true }),
        response: { 200: EnergyFlowSchema, ...ERRORS },
      },
    },
    async (request): Promise<EnergyFlow> => {
      const { fromMs, toMs, ...q } = request.query;
      const scope = resolveScope(request, q.scope, { levels: LEVELS });
      const reg = registry.get();
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
