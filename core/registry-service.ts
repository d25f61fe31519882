import { z } from 'zod';
import {
  type Gateway,
  GatewayInputSchema,
  mergeRegistry,
  type Registry,
  RegistryInputSchema,
} from './domain/registry.js';
import { AppError } from './errors.js';
import { type FactsContext, recordRegistryFacts } from './facts-service.js';
import { Mutex } from './mutex.js';
import { refuseHistoryChanges } from './registry-history-guard.js';
import type { RegistryHolder } from './registry-holder.js';
import { hashSecret, newGatewaySecret, verifySecret } from './security.js';
import type { Store } from './storage/store.js';

/** Counts of what the registry holds after an upsert. */
export interface RegistryCounts {
  readonly districts: number;
  readonly institutions: number;
  readonly buildings: number;
  readonly gateways: number;
  readonly meters: number;
}

function invalid(details: { path: string; message: string }[]): AppError {
  const list = details.map((d) => `${d.path}: ${d.message}`);
  return new AppError(
    'JN_REGISTRY_INVALID',
    400,
    `registry: ${details.length} problem(s): ${list.slice(0, 20).join('; ')}`,
    {
      details,
    },
  );
}

const upserts = new Mutex();

/**
 * The registry submission of a spreadsheet import: as `RegistryInputSchema`, but a gateway may come
 * without `secret` (a spreadsheet never carries secrets; issue 15, item 6). The JSON PUT keeps
 * requiring it.
 */
export const RegistryInputKeepingSecretsSchema = RegistryInputSchema.extend({
  gateways: z.array(GatewayInputSchema.extend({ secret: GatewayInputSchema.shape.secret.optional() })).default([]),
});

/** How `upsertRegistry` treats a submission. */
export interface UpsertOptions {
  /** Validate and merge only; nothing is stored (the spreadsheet import's `dryRun`). */
  readonly dryRun?: boolean;
  /**
   * Validate with `RegistryInputKeepingSecretsSchema`: a known gateway sent without a secret keeps
   * its stored hash, a new one without a secret is a problem.
   */
  readonly keepMissingSecrets?: boolean;
}

/**
 * Keeps each known meter's `registeredAt` and `attribution` (whatever was sent) and stamps new
 * meters with `nowIso`; meters registered before the platform recorded it keep none.
 */
export function stampRegistered(current: Registry, merged: Registry, nowIso: string): Registry {
  const known = new Map(current.meters.map((m) => [m.id, m]));
  return {
    ...merged,
    meters: merged.meters.map((m) => {
      const { registeredAt: _sent, attribution: _history, ...rest } = m;
      const before = known.get(m.id);
      if (before === undefined) return { ...rest, registeredAt: nowIso };
      // The attribution history is the events' (meter-spans.ts): kept whatever was sent.
      const kept = before.attribution === undefined ? rest : { ...rest, attribution: before.attribution };
      return before.registeredAt === undefined ? kept : { ...kept, registeredAt: before.registeredAt };
    }),
  };
}

/**
 * Validates a registry submission and upserts it, all or nothing: a 400 AppError lists every bad
 * row at once. Gateway secrets are hashed (scrypt) unless unchanged. Upserts are serialised so
 * two concurrent ones cannot lose each other's rows. With `facts` (who, when, the zone), a changed
 * floor area or occupants is recorded as an effective-dated fact from that local day (facts-service.ts).
 */
export function upsertRegistry(
  store: Store,
  holder: RegistryHolder,
  body: unknown,
  facts?: FactsContext,
  options: UpsertOptions = {},
): Promise<RegistryCounts> {
  const run = async (): Promise<RegistryCounts> => {
    const parsed = (options.keepMissingSecrets ? RegistryInputKeepingSecretsSchema : RegistryInputSchema).safeParse(
      body,
    );
    if (!parsed.success)
      throw invalid(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
    const input = parsed.data;
    const current = await currentRegistry(store, holder);
    const previous = new Map(current.gateways.map((g) => [g.id, g]));
    const missing: { path: string; message: string }[] = [];
    const sent: readonly { id: string; name?: string | undefined; secret?: string | undefined }[] = input.gateways;
    // scrypt is deliberately slow: keep the stored hash when the secret did not change.
    const gateways: Gateway[] = await Promise.all(
      sent.map(async (g, i) => {
        const old = previous.get(g.id);
        if (g.secret === undefined) {
          if (old === undefined)
            missing.push({ path: `gateways[${i}].secret`, message: 'a new gateway needs a secret' });
          return { id: g.id, ...(g.name === undefined ? {} : { name: g.name }), secretHash: old?.secretHash ?? '' };
        }
        const keep = old !== undefined && (await verifySecret(g.secret, old.secretHash));
        const secretHash = keep ? old.secretHash : await hashSecret(g.secret);
        return { id: g.id, ...(g.name === undefined ? {} : { name: g.name }), secretHash };
      }),
    );
    const { registry: merged, problems } = mergeRegistry(current, { ...input, gateways });
    if (missing.length + problems.length > 0) throw invalid([...missing, ...problems]);
    await refuseHistoryChanges(store, current, merged, input.meters);
    const registry = stampRegistered(current, merged, new Date().toISOString());
    if (options.dryRun) return counts(registry);
    await recordRegistryFacts(store, current, registry, facts);
    await store.saveRegistry(registry);
    holder.set(registry);
    return counts(registry);
  };
  return upserts.run(() => withRegistryLock(store, run));
}

/**
 * Changes the registry by `change` (which may throw to refuse), serialised with upserts and under
 * the cluster's registry lock, without the checks of a submission: for changes the platform
 * itself derives, such as a dated move (`attribution`).
 */
export function updateRegistry(
  store: Store,
  holder: RegistryHolder,
  change: (current: Registry) => Registry,
): Promise<Registry> {
  return upserts.run(() =>
    withRegistryLock(store, async () => {
      const registry = change(await currentRegistry(store, holder));
      await store.saveRegistry(registry);
      holder.set(registry);
      return registry;
    }),
  );
}

/**
 * Runs a registry change under the store's cross-process registry lock (PostgreSQL in a cluster,
 * issue "Production parity"): two processes changing the registry at once then merge one after the
 * other instead of each saving its own stale copy. Without such a lock (one process) it just runs.
 */
async function withRegistryLock<T>(store: Store, fn: () => Promise<T>): Promise<T> {
  if (store.lockRegistry === undefined) return fn();
  const release = await store.lockRegistry();
  try {
    return await fn();
  } finally {
    await release();
  }
}

/** The registry a change merges into: the stored one when other processes may change it, else this process's. */
async function currentRegistry(store: Store, holder: RegistryHolder): Promise<Registry> {
  return store.lockRegistry === undefined ? holder.get() : await store.loadRegistry();
}

/**
 * Gives a gateway a new secret (the one given, or a new random one) and returns it, to be shown
 * once; only its scrypt hash is stored. 404 AppError for an unknown gateway, 400 for a short secret.
 */
export function rotateGatewaySecret(
  store: Store,
  holder: RegistryHolder,
  gatewayId: string,
  given?: string,
): Promise<string> {
  return upserts.run(() =>
    withRegistryLock(store, async () => {
      const current = await currentRegistry(store, holder);
      if (!current.gateways.some((g) => g.id === gatewayId))
        throw new AppError('JN_NOT_FOUND', 404, `gateway "${gatewayId}" not found`);
      if (given !== undefined && (given.length < 8 || given.length > 200))
        throw new AppError('JN_REQUEST_INVALID', 400, 'secret: 8 to 200 characters', {
          details: [{ path: 'secret', message: '8 to 200 characters' }],
        });
      const secret = given ?? newGatewaySecret();
      const secretHash = await hashSecret(secret);
      const registry = {
        ...current,
        gateways: current.gateways.map((g) => (g.id === gatewayId ? { ...g, secretHash } : g)),
      };
      await store.saveRegistry(registry);
      holder.set(registry);
      return secret;
    }),
  );
}

/** How many rows of each kind a registry holds. */
export function counts(registry: Registry): RegistryCounts {
  return {
    districts: registry.districts.length,
    institutions: registry.institutions.length,
    buildings: registry.buildings.length,
    gateways: registry.gateways.length,
    meters: registry.meters.length,
  };
}
