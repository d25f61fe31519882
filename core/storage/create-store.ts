import type { Logger } from 'pino';
import { type Config, influxApiOf } from '../config.js';
import type { Metrics } from '../metrics.js';
import { alignSeries, composeStore } from './compose-store.js';
import { EmbeddedStore } from './duckdb/embedded-store.js';
import type { InfluxConnection } from './influx/http.js';
import { InfluxStore } from './influx/influx-store.js';
import { PostgresMetadataStore } from './postgres/postgres-metadata-store.js';
import type { MetadataStore, Store } from './store.js';

/** What `/healthz` shows of a store that can be degraded (the InfluxDB one while it spools). */
export interface StoreHealth {
  readonly status: 'ok' | 'degraded';
  readonly [detail: string]: unknown;
}

/** A store that reports its own health. */
export interface HealthReportingStore extends Store {
  health(): StoreHealth;
}

/** Whether a store reports its own health (`health()`); the embedded one is always ok. */
export function reportsHealth(store: Store): store is HealthReportingStore {
  return typeof (store as Partial<HealthReportingStore>).health === 'function';
}

/** The store's health: its own report, or ok. */
export function storeHealth(store: Store): StoreHealth {
  return reportsHealth(store) ? store.health() : { status: 'ok' };
}

/** The InfluxDB connection of a validated config with STORE=influx. */
export function influxConnection(config: Config): InfluxConnection {
  const url = config.INFLUX_URL ?? '';
  const timeoutMs = config.INFLUX_TIMEOUT_MS;
  if (influxApiOf(config) === 'v1') {
    return {
      api: 'v1',
      url,
      database: config.INFLUX_DATABASE ?? '',
      timeoutMs,
      ...(config.INFLUX_USERNAME === undefined ? {} : { username: config.INFLUX_USERNAME }),
      ...(config.INFLUX_PASSWORD === undefined ? {} : { password: config.INFLUX_PASSWORD }),
    };
  }
  return {
    api: 'v2',
    url,
    token: config.INFLUX_TOKEN ?? '',
    org: config.INFLUX_ORG ?? '',
    bucket: config.INFLUX_BUCKET ?? '',
    timeoutMs,
  };
}

/** Opens the PostgreSQL metadata store of METADATA_URL, if set. */
async function openMetadata(config: Config, logger: Logger): Promise<MetadataStore | undefined> {
  if (config.METADATA_URL === undefined) return undefined;
  return PostgresMetadataStore.open({ url: config.METADATA_URL, logger });
}

/**
 * Opens the store `STORE` selects: the embedded DuckDB store in DATA_DIR, or InfluxDB (checked at
 * once: a wrong token or an unknown database fails here, naming the variable) with its spool in
 * DATA_DIR. The spool's size feeds `jieneng_store_spool_bytes`.
 *
 * Metadata: with METADATA_URL, in PostgreSQL (migrated here); the InfluxDB store takes it as its
 * metadata store, with its `readingKeyLock` (the duplicate check of raw readings then holds across
 * the workers writing one InfluxDB), and the embedded store is composed with it, keeping in DuckDB
 * only the copies its series queries join (registry, corrections), aligned here. Without it, in
 * DuckDB in DATA_DIR.
 */
export async function createStore(config: Config, deps: { logger: Logger; metrics: Metrics }): Promise<Store> {
  const metadata = await openMetadata(config, deps.logger);
  try {
    if (config.STORE === 'embedded') {
      const embedded = await EmbeddedStore.open({
        dataDir: config.DATA_DIR,
        timeZone: config.TIMEZONE,
        memoryLimit: config.DUCKDB_MEMORY_LIMIT,
        ...(config.DUCKDB_THREADS === undefined ? {} : { threads: config.DUCKDB_THREADS }),
      });
      if (metadata === undefined) return embedded;
      try {
        await alignSeries(embedded, metadata);
      } catch (error) {
        await embedded.close();
        throw error;
      }
      return composeStore(embedded, metadata, deps.logger);
    }
    deps.metrics.storeSpoolBytes.set(0);
    return await InfluxStore.open({
      connection: influxConnection(config),
      dataDir: config.DATA_DIR,
      timeZone: config.TIMEZONE,
      spoolMaxBytes: config.INFLUX_SPOOL_MAX_BYTES,
      logger: deps.logger,
      ...(metadata === undefined ? {} : { metadata }),
      // Shared by every worker on this InfluxDB: their duplicate checks of a meter take turns.
      ...(metadata?.readingKeyLock === undefined ? {} : { readingKeyLock: metadata.readingKeyLock }),
      onSpoolBytes: (bytes) => deps.metrics.storeSpoolBytes.set(bytes),
      onRefusedReadings: (count) => deps.metrics.readingsRejected.inc({ reason: 'store_refused' }, count),
    });
  } catch (error) {
    await metadata?.close();
    throw error;
  }
}
