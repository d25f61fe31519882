import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { denominatorsAt, type Fact, FactInputSchema, FactSchema, factTimelines } from '../../core/domain/facts.js';
import { AppError } from '../../core/errors.js';
import { recordFact } from '../../core/facts-service.js';
import { adminOnly, requireScope } from '../access.js';
import { audit } from '../audit.js';
import { checkedInHandler, ERRORS } from '../schemas/common.js';

const Params = z.object({ id: z.string().max(100) });

const FactOut = FactSchema.omit({ createdAtMs: true }).extend({
  createdAt: z.string().describe('when it was recorded, ISO 8601 UTC'),
});

const ListOut = z.object({
  scope: z.string(),
  timezone: z.string().describe('the zone the `from` days are local to'),
  inForce: z
    .object({ floorAreaM2: z.number(), occupants: z.number() })
    .describe('the values intensities use now (a building without occupants facts: its share by floor area)'),
  facts: z.array(FactOut).describe('by day, then recording time: of two facts of the same day the later one holds'),
});

const CreatedOut = z.object({
  scope: z.string(),
  facts: z
    .array(FactOut)
    .describe('what was stored: the first fact of a field comes with the registry value since 1970-01-01'),
});

function present(f: Fact): z.infer<typeof FactOut> {
  const { createdAtMs, ...rest } = f;
  return { ...rest, createdAt: new Date(createdAtMs).toISOString() };
}

/**
 * `GET/POST /api/v1/institutions/{id}/facts` and `/api/v1/buildings/{id}/facts`: floor area and
 * occupants as effective-dated facts (issue "The meter model", item 4). Reading needs the scope;
 * recording is an admin's, as registry changes are, and is audited.
 */
export async function factRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  for (const level of ['institution', 'building'] as const) {
    const path = `/${level}s/:id/facts`;
    const known = (id: string) => {
      const registry = app.deps.registry.get();
      const rows: readonly { id: string }[] = level === 'institution' ? registry.institutions : registry.buildings;
      if (!rows.some((r) => r.id === id)) throw new AppError('JN_NOT_FOUND', 404, `${level} "${id}" not found`);
    };

    app.get(
      path,
      {
        schema: {
          summary: `Floor area and occupants of a${level === 'institution' ? 'n' : ''} ${level} as effective-dated facts`,
          params: Params,
          response: { 200: ListOut, ...ERRORS },
        },
      },
      async (request) => {
        const { id } = request.params;
        const scope = `${level}:${id}`;
        requireScope(request, scope, 'id');
        known(id);
        const { store, registry, timeZone, now } = app.deps;
        // Every fact: a building's occupants are its institution's shared by floor area.
        const all = await store.facts();
        const at = (now ?? Date.now)();
        const inForce = denominatorsAt({ level, id }, registry.get(), factTimelines(all, timeZone), at);
        return { scope, timezone: timeZone, inForce, facts: all.filter((f) => f.scope === scope).map(present) };
      },
    );

    app.post(
      path,
      {
        preHandler: adminOnly,
        schema: {
          summary: 'Record floor area and/or occupants from a local day on (admin)',
          description: 'Body: {"from":"YYYY-MM-DD","floorAreaM2"?,"occupants"?}, at least one of the two values.',
          params: Params,
          body: checkedInHandler(FactInputSchema),
          response: { 201: CreatedOut, ...ERRORS },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        const scope = `${level}:${id}`;
        known(id);
        const parsed = FactInputSchema.safeParse(request.body);
        if (!parsed.success) {
          const details = parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'body', message: i.message }));
          throw new AppError('JN_REQUEST_INVALID', 400, details.map((d) => `${d.path}: ${d.message}`).join('; '), {
            details,
          });
        }
        const { store, registry, timeZone, now } = app.deps;
        const ctx = { timeZone, by: request.token?.name ?? 'unknown', nowMs: (now ?? Date.now)() };
        const facts = await recordFact(store, registry, scope, parsed.data, ctx);
        await audit(request, scope, null, { facts: facts.map(present) });
        request.log.info({ scope, from: parsed.data.from, facts: facts.length }, 'facts recorded');
        return reply.status(201).send({ scope, facts: facts.map(present) });
      },
    );
  }
}
