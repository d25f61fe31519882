import type { FastifyInstance } from 'fastify';

/** `GET /healthz` (no auth) and `GET /metrics` (Prometheus text). */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', { schema: { hide: true } }, async (_request, reply) => {
    const report = app.deps.health();
    return reply.status(report.status === 'ok' ? 200 : 503).send(report);
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const registry = app.deps.metrics.registry;
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
