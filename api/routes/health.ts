import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

/** `/healthz`: `ok`, or `degraded` (503) with each part's state. */
const HealthSchema = z.looseObject({ status: z.enum(['ok', 'degraded']) });

/** `GET /healthz` (no auth) and `GET /metrics` (Prometheus text). */
export async function healthRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/healthz',
    { schema: { hide: true, response: { 200: HealthSchema, 503: HealthSchema } } },
    async (_request, reply) => {
      const report = app.deps.health();
      return reply.status(report.status === 'ok' ? 200 : 503).send(report);
    },
  );
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const registry = app.deps.metrics.registry;
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
