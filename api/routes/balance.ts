import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { scopeBalance } from '../../core/balance.js';
import { DEFAULT_BALANCE_TOLERANCE } from '../../core/domain/balance.js';
import { ENERGY_INFO } from '../../core/domain/energy.js';
import { formatScope, parseScope, scopeExists } from '../../core/domain/scope.js';
import { formatLocalIso, HOUR_MS } from '../../core/domain/time.js';
import { AppError, badRequest } from '../../core/errors.js';
import { requireScope } from '../access.js';
import { parseRange } from './readings.js';

const Query = z.object({
  scope: z.string().describe('building:ID or institution:ID'),
  from: z.string().describe('YYYY-MM-DD or YYYY-MM-DDTHH:mm, local time, inclusive'),
  to: z.string().describe('YYYY-MM-DD or YYYY-MM-DDTHH:mm, local time, exclusive'),
});

/**
 * `GET /api/v1/balance`: the balance of main and sub-meters (总分表平衡) of a building or an
 * institution over a period: per parent meter its own consumption, its sub-meters' sum, the
 * difference, its share of the parent and whether it exceeds `BALANCE_TOLERANCE`.
 */
export async function balanceRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/balance',
    { schema: { summary: 'Balance of parent meters against their sub-meters', querystring: Query } },
    async (request) => {
      const q = request.query as z.infer<typeof Query>;
      const { registry, store, timeZone } = app.deps;
      const scope = parseScope(q.scope);
      if (scope === undefined || (scope.level !== 'building' && scope.level !== 'institution'))
        throw badRequest('scope', 'expected building:ID or institution:ID');
      requireScope(request, scope);
      if (!scopeExists(scope, registry.get()))
        throw new AppError('JN_SCOPE_UNKNOWN', 400, `scope: unknown ${formatScope(scope)}`, {
          details: [{ path: 'scope', message: `unknown ${formatScope(scope)}` }],
        });
      const { fromMs, toMs } = parseRange(q, timeZone);
      if (fromMs % HOUR_MS !== 0) throw badRequest('from', 'must be on a whole hour');
      if (toMs % HOUR_MS !== 0) throw badRequest('to', 'must be on a whole hour');
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
