import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { invalidRequest, zodProblems } from '../../core/cost/bills-service.js';
import { canRead } from '../../core/domain/access.js';
import { identifyTariffs, TariffSchema, TariffsInputSchema } from '../../core/domain/tariffs.js';
import { accessFor, adminOnly } from '../access.js';
import { audit } from '../audit.js';
import { checkedInHandler, ERRORS } from '../schemas/common.js';

const TariffOut = TariffSchema.safeExtend({ id: z.string() });

const ListOut = z.object({
  timezone: z.string().describe('the zone of the `from` days and the time-of-use hours'),
  tariffs: z.array(TariffOut).describe('by energy, institution (general ones first), first day'),
});

/**
 * `PUT/GET /api/v1/tariffs` (issue "The statutory year", item 1: cost): the whole set of tariffs,
 * flat or time-of-use, with effective dates. Replacing them is an admin's and is audited; a reader
 * sees the general tariffs and those of the institutions in its scope.
 */
export async function tariffRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.put(
    '/tariffs',
    {
      preHandler: adminOnly,
      schema: {
        summary: 'Replace every tariff (admin)',
        description:
          'Body: {"tariffs":[{"energy","institutionId"?,"from":"YYYY-MM-DD","priceYuanPerUnit"} or ' +
          '{…,"bands":[{"name":"sharp|peak|flat|valley","hours":[[startHour,endHour]…],"priceYuanPerUnit"}]}]}; ' +
          'bands (electricity only) cover the 24 local hours exactly once.',
        body: checkedInHandler(TariffsInputSchema),
        response: { 200: ListOut, ...ERRORS },
      },
    },
    async (request) => {
      const { store, registry, timeZone } = app.deps;
      const parsed = TariffsInputSchema.safeParse(request.body);
      if (!parsed.success) throw invalidRequest(zodProblems(parsed.error));
      const { tariffs, problems } = identifyTariffs(parsed.data.tariffs);
      const institutions = new Set(registry.get().institutions.map((i) => i.id));
      tariffs.forEach((t, i) => {
        if (t.institutionId !== undefined && !institutions.has(t.institutionId))
          problems.push({ path: `tariffs[${i}].institutionId`, message: `unknown institution "${t.institutionId}"` });
      });
      if (problems.length > 0) throw invalidRequest(problems);
      const before = await store.tariffs();
      await store.replaceTariffs(tariffs);
      await audit(request, 'tariffs', before, tariffs);
      request.log.info({ tariffs: tariffs.length }, 'tariffs replaced');
      return { timezone: timeZone, tariffs: await store.tariffs() };
    },
  );

  app.get(
    '/tariffs',
    {
      schema: {
        summary: 'Tariffs: general ones and those of the institutions in the token scope',
        response: { 200: ListOut, ...ERRORS },
      },
    },
    async (request) => {
      const access = accessFor(request);
      const tariffs = (await app.deps.store.tariffs()).filter(
        (t) => t.institutionId === undefined || canRead(access, `institution:${t.institutionId}`),
      );
      return { timezone: app.deps.timeZone, tariffs };
    },
  );
}
