import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Registry } from '../../core/domain/registry.js';
import { upsertRegistry } from '../../core/registry-service.js';

/** The registry as served: gateways without their secret hashes. */
function publicRegistry(registry: Registry) {
  return { ...registry, gateways: registry.gateways.map(({ secretHash: _hidden, ...g }) => g) };
}

/** `PUT /api/v1/registry` (validated upsert, all or nothing) and `GET /api/v1/registry`. */
export async function registryRoutes(app: FastifyInstance): Promise<void> {
  const { store, registry } = app.deps;

  app.get('/registry', { schema: { summary: 'The registry (gateway secrets are never returned)' } }, async () =>
    publicRegistry(registry.get()),
  );

  app.put(
    '/registry',
    {
      schema: {
        summary:
          'Upsert districts, institutions, buildings, gateways and meters (all or nothing; a 400 lists every bad row)',
        body: z.unknown(),
      },
    },
    async (request) => {
      const result = await upsertRegistry(store, registry, request.body);
      request.log.info(result, 'registry updated');
      return result;
    },
  );
}
