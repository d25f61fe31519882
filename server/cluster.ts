import type { Logger } from 'pino';
import type { MetadataChange } from '../core/domain/metadata-change.js';
import { Mutex } from '../core/mutex.js';
import type { RegistryHolder } from '../core/registry-holder.js';
import type { Store } from '../core/storage/store.js';

/** What a process applies of the changes other processes make. */
export interface ClusterFollowers {
  readonly store: Store;
  readonly registry: RegistryHolder;
  /** Ingest: its lifecycle events and derived hours (`IngestPipeline.applyRemoteChange`). */
  readonly pipeline: { applyRemoteChange(change: MetadataChange): Promise<void> };
  readonly logger: Logger;
}

/**
 * Makes the processes sharing one metadata store (METADATA_URL) one system (issue "Production
 * parity", item 2): each change another process makes, as the store reports it (`onChange`,
 * PostgreSQL LISTEN/NOTIFY), is applied here in the order it arrives: the registry is reloaded,
 * ingest takes lifecycle events and corrections. The store refreshes its own copies first (series
 * registry, invalidated readings) and the API its token cache (api/auth.ts). Caught up once at
 * once, for what changed before the subscription. Returns the function that stops following.
 */
export function followCluster(f: ClusterFollowers): () => Promise<void> {
  if (f.store.onChange === undefined) return async () => undefined;
  const line = new Mutex();
  const apply = async (change: MetadataChange) => {
    if (change.what === 'registry' || change.what === 'all') f.registry.set(await f.store.loadRegistry());
    await f.pipeline.applyRemoteChange(change);
  };
  const follow = (change: MetadataChange) => {
    f.logger.debug({ change }, 'metadata changed by another process');
    line
      .run(() => apply(change))
      .catch((error: unknown) => f.logger.error({ err: error, change }, 'applying a change made elsewhere failed'));
  };
  const unsubscribe = f.store.onChange(follow);
  follow({ what: 'all' });
  return async () => {
    unsubscribe();
    await line.run(async () => undefined);
  };
}
