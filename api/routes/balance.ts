import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { scopeBalance } from '../../core/balance.js';
import { BalanceLineSchema, DEFAULT_BALANCE_TOLERANCE } from '../../core/domain/balance.js';
import { ENERGY_INFO } from '../../core/domain/energy.js';
import { formatScope } from '../../core/domain/scope.js';
import { formatLocalIso } from '../../core/domain/time.js';
import { LocalRangeQuery, resolveScope, scopeText, withLocalRange } from '../params.js';
import { ERRORS } from '../schemas/common.js';

const LEVELS = ['building', 'institution'] as const;
const Query = LocalRangeQuery.extend({ scope: scopeText(LEVELS) });

/** `GET /api/v1/balance`. */
export const BalanceAnswerSchema = z.object({
  scope: z.string(),
  from: z.string(),
  to: z.string(),
  timezone: z.string(),
  tolerance: z.number().describe('BALANCE_TOLERANCE: the largest |share| not flagged'),
  meters: z.array(BalanceLineSchema.extend({ unit: z.string() })),
});

/**
 * `GET /api/v1/balance`: the balance of main and sub-meters (总分表平衡) of a building or an
 * institution over a period: per parent meter its own consumption, its sub-meters' sum, the
 * difference, its share of the parent and whether it exceeds `BALANCE_TOLERANCE`.
 */
export async function balanceRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { registry, store, timeZone } = app.deps;
  app.get(
    '/balance',
    {
      schema: {
        summary: 'Balance of parent meters against their sub-meters',
        querystring: withLocalRange(Query, timeZone, { wholeHours: true }),
        response: { 200: BalanceAnswerSchema, ...ERRORS },
      },
    },
    async (request) => {
      const { fromMs, toMs, ...q } = request.query;
      const scope = resolveScope(request, q.scope, { levels: LEVELS });
      const tolerance = app.deps.balanceTolerance ?? DEFAULT_BALANCE_TOLERANCE;
      const lines = await scopeBalance(store, registry.get(), { scope, fromMs, toMs, timeZone, tolerance });
      return {
        scope: formatScope(scope),
        from: formatLocalIso(fromMs, timeZone),
        to: formatLocalIso(toMs, timeZone),
        timezone: timeZone,
        tolerance,
        meters: lines.map((l) => ({ ...l, unit: ENERGY_INFO[l.energy].nativeUnit })),
      };
    },
  );
}
