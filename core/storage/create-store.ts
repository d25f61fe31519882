import type { Logger } from 'pino';
import { type Config, influxApiOf } from '../config.js';
import type { Metrics } from '../metrics.js';
import { EmbeddedStore } from './duckdb/embedded-store.js';
import type { InfluxConnection } from './influx/http.js';
import { InfluxStore } from './influx/influx-store.js';
import type { Store } from './store.js';

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

/**
 * Opens the store `STORE` selects: the embedded DuckDB store in DATA_DIR, or InfluxDB (checked at
 * once: a wrong token or an unknown database fails here, naming the variable) with its metadata
 * and spool in DATA_DIR. The spool's size feeds `jieneng_store_spool_bytes`.
 */
export async function createStore(config: Config, deps: { logger: Logger; metrics: Metrics }): Promise<Store> {
  if (config.STORE === 'embedded') return EmbeddedStore.open({ dataDir: config.DATA_DIR, timeZone: config.TIMEZONE });
  deps.metrics.storeSpoolBytes.set(0);
  return InfluxStore.open({
    connection: influxConnection(config),
    dataDir: config.DATA_DIR,
    timeZone: config.TIMEZONE,
    spoolMaxBytes: config.INFLUX_SPOOL_MAX_BYTES,
    logger: deps.logger,
    onSpoolBytes: (bytes) => deps.metrics.storeSpoolBytes.set(bytes),
    onRefusedReadings: (count) => deps.metrics.readingsRejected.inc({ reason: 'store_refused' }, count),
  });
}
