import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BaselineModelKindSchema, BaselineSummarySchema, baselineSummary } from '../../core/domain/baselines.js';
import { batchMeters } from '../../core/savings/baseline-batch.js';
import { resolveScope, scopeText } from '../params.js';
import { ERRORS } from '../schemas/common.js';

const Query = z.object({
  scope: scopeText(),
  model: BaselineModelKindSchema.optional().describe('daily | hourly; both when unset'),
});

const Answer = z.object({
  scope: z.string(),
  baselines: z.array(BaselineSummarySchema).describe('by meter, then model kind; failed fits with their reason'),
  notFitted: z
    .array(z.string())
    .describe(
      'metered meters of the scope without a stored baseline (of the kind asked): the job has not reached them',
    ),
});

/**
 * `GET /api/v1/baselines?scope=…&model=daily|hourly` (issue 18): the baselines the `fit-baselines`
 * job stored for the metered meters of a scope, with their fit, ASHRAE Guideline 14 verdict and
 * coefficients (an hourly model's segments only counted), or why a meter could not be fitted.
 * Needs the scope, like any reading of it.
 */
export async function baselineRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { store, registry } = app.deps;

  app.get(
    '/baselines',
    {
      schema: {
        summary: "The stored baseline models of a scope's meters (the fit-baselines job), with fit and verdict",
        querystring: Query,
        response: { 200: Answer, ...ERRORS },
      },
    },
    async (request) => {
      const { model } = request.query;
      const scope = resolveScope(request, request.query.scope);
      const meters = batchMeters(registry.get(), scope.level === 'city' ? undefined : scope);
      const scopes = meters.map((m) => `meter:${m.id}`);
      const stored = await store.baselines.list({
        ...(scope.level === 'city' ? {} : { scopes }),
        ...(model === undefined ? {} : { model }),
      });
      const wanted = new Set(scopes);
      const baselines = stored.filter((b) => wanted.has(b.scope));
      const fitted = new Set(baselines.map((b) => `${b.scope}|${b.model}`));
      const kinds = model === undefined ? (['daily', 'hourly'] as const) : [model];
      const notFitted = scopes.filter((s) => !kinds.some((k) => fitted.has(`${s}|${k}`)));
      return { scope: request.query.scope, baselines: baselines.map(baselineSummary), notFitted };
    },
  );
}
