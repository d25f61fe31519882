import type { FastifyRequest } from 'fastify';

/**
 * Records a change in the audit log: who (token id and name), when, the route and entity, and the
 * entity before and after as JSON. Never pass secrets: callers redact them.
 */
export async function audit(request: FastifyRequest, entity: string, before: unknown, after: unknown): Promise<void> {
  const { store, now } = request.server.deps;
  await store.addAudit({
    atMs: (now ?? Date.now)(),
    tokenId: request.token?.id ?? 'unknown',
    tokenName: request.token?.name ?? 'unknown',
    route: `${request.method} ${request.routeOptions.url ?? request.url}`,
    entity,
    before: before ?? null,
    after: after ?? null,
  });
}
