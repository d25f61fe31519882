import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { type RollupAlignment, rollupAlignment } from '../../domain/meter-spans.js';
import { ensureDailyRollup } from './hourly-tables.js';
import { loadMeterKeys } from './meter-keys.js';
import { migrateDuckDb } from './migrations.js';
import { readRegistry } from './registry-tables.js';
import { createDuckDbInstance, type DuckDbSettings } from './settings.js';

/** Options of the embedded store: where, its zone, and DuckDB's settings. */
export interface EmbeddedStoreOptions extends DuckDbSettings {
  /** Directory of the database file; `:memory:` for a throw-away store. */
  readonly dataDir: string;
  readonly timeZone: string;
}

/** An opened embedded database: its instance, its writing and reading connections, and its rollups' alignment. */
export interface OpenedDuckDb {
  readonly instance: DuckDBInstance;
  readonly writer: DuckDBConnection;
  readonly reader: DuckDBConnection;
  /** The file (absolute), or `:memory:`. */
  readonly path: string;
  /** Whether every dated move or parent change starts a local day (month): then a rollup row has one attribution. */
  readonly aligned: RollupAlignment;
  /** Every meter id's key (`meter-keys.ts`). */
  readonly meterKeys: ReadonlyMap<string, number>;
}

/**
 * Opens the database of `options.dataDir` (creating or migrating it; a file of a newer schema is
 * refused with `JN_STORE_SCHEMA_NEWER`), both connections in the store's zone and the daily rollup
 * kept in that zone.
 */
export async function openDuckDb(options: EmbeddedStoreOptions): Promise<OpenedDuckDb> {
  let path = ':memory:';
  if (options.dataDir !== ':memory:') {
    await mkdir(options.dataDir, { recursive: true });
    path = resolve(join(options.dataDir, 'jieneng.duckdb'));
  }
  const instance = await createDuckDbInstance(path, options);
  const writer = await instance.connect();
  try {
    await migrateDuckDb(writer, path);
  } catch (error) {
    writer.closeSync();
    instance.closeSync();
    throw error;
  }
  const reader = await instance.connect();
  for (const conn of [writer, reader]) await conn.run(`SET TimeZone = '${options.timeZone.replace(/'/g, '')}'`);
  await ensureDailyRollup(writer, options.timeZone);
  const aligned = rollupAlignment((await readRegistry(writer)).meters, options.timeZone);
  return { instance, writer, reader, path, aligned, meterKeys: await loadMeterKeys(writer) };
}
