import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { registryInScope } from '../../core/domain/access.js';
import { type Registry, RegistryInputSchema } from '../../core/domain/registry.js';
import { type RegistryCounts, type UpsertOptions, upsertRegistry } from '../../core/registry-service.js';
import { accessFor, adminOnly } from '../access.js';
import { audit } from '../audit.js';
import { checkedInHandler, ERRORS } from '../schemas/common.js';
import { PublicRegistrySchema, RegistryCountsSchema } from '../schemas/registry.js';

/** The registry as served: gateways without their secret hashes. */
export function publicRegistry(registry: Registry): z.output<typeof PublicRegistrySchema> {
  return { ...registry, gateways: registry.gateways.map(({ secretHash: _hidden, ...g }) => g) };
}

type Rows = Record<string, { id: string }[]>;
const KINDS = ['districts', 'institutions', 'buildings', 'gateways', 'meters', 'weatherStations'] as const;

/** The submission for the audit log, gateway secrets redacted. */
function redacted(body: unknown): unknown {
  const b = (body ?? {}) as Rows;
  return { ...b, gateways: (b.gateways ?? []).map((g) => ({ ...g, secret: 'redacted' })) };
}

/** The rows of the previous registry that the submission touched (its "before"). */
function sameRows(before: ReturnType<typeof publicRegistry>, body: unknown): unknown {
  const b = (body ?? {}) as Partial<Rows>;
  const old = before as unknown as Rows;
  return Object.fromEntries(
    KINDS.map((k) => {
      const ids = new Set((b[k] ?? []).map((r) => r?.id));
      return [k, (old[k] ?? []).filter((r) => ids.has(r.id))];
    }),
  );
}

/**
 * `PUT /api/v1/registry` (validated upsert, all or nothing; a gateway whose secret changes has its
 * MQTT connections closed) and `GET /api/v1/registry`.
 */
export async function registryRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { registry } = app.deps;

  app.get(
    '/registry',
    {
      schema: {
        summary: 'The registry in the token scope (gateway secrets are never returned)',
        response: { 200: PublicRegistrySchema, ...ERRORS },
      },
    },
    async (request) => publicRegistry(registryInScope(registry.get(), accessFor(request))),
  );

  app.put(
    '/registry',
    {
      preHandler: adminOnly,
      schema: {
        summary:
          'Upsert districts, institutions, buildings, gateways and meters (all or nothing; a 400 lists every bad row)',
        description:
          'Body: {"districts"?,"institutions"?,"buildings"?,"gateways"? (with their secret in clear),"meters"?}: rows of the kinds to add or change.',
        body: checkedInHandler(RegistryInputSchema),
        response: { 200: RegistryCountsSchema, ...ERRORS },
      },
    },
    async (request) => applyRegistry(request, request.body),
  );
}

/**
 * Upserts a registry submission as `PUT /api/v1/registry` does, for it and the spreadsheet import
 * (issue 15, item 6): facts of changed areas, sessions of changed secrets closed, the audit entry.
 */
export async function applyRegistry(
  request: FastifyRequest,
  body: unknown,
  options: UpsertOptions = {},
): Promise<RegistryCounts> {
  const app = request.server;
  const { store, registry } = app.deps;
  const previous = registry.get();
  const before = publicRegistry(previous);
  // A changed floor area or occupants becomes a fact from today (issue 15, item 4).
  const by = request.token?.name ?? 'unknown';
  const facts = { timeZone: app.deps.timeZone, by, nowMs: (app.deps.now ?? Date.now)() };
  const result = await upsertRegistry(store, registry, body, facts, options);
  // A changed secret closes the gateway's open sessions, as a rotation does: the old secret must
  // not keep a connection alive. upsertRegistry keeps a hash whose secret did not change.
  const oldHashes = new Map(previous.gateways.map((g) => [g.id, g.secretHash]));
  const changed = registry
    .get()
    .gateways.filter((g) => oldHashes.has(g.id) && oldHashes.get(g.id) !== g.secretHash)
    .map((g) => g.id);
  const disconnected = changed.reduce((n, id) => n + (app.deps.gateways?.disconnect(id) ?? 0), 0);
  await audit(request, 'registry', sameRows(before, body), redacted(body));
  request.log.info({ ...result, secretsChanged: changed, disconnected }, 'registry updated');
  return result;
}
