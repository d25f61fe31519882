import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { EmbeddedStore } from '../../core/storage/duckdb/embedded-store.js';
import { DUCKDB_MIGRATIONS } from '../../core/storage/duckdb/migrations.js';
import { TZ } from './contract-fixtures.js';
import type { SchemaHarness } from './contract-migrations.js';

/** Runs `fn` on a connection to the DuckDB file of a data directory (no store open on it). */
async function onFile<T>(dir: string, fn: (conn: Awaited<ReturnType<DuckDBInstance['connect']>>) => Promise<T>) {
  const instance = await DuckDBInstance.create(join(dir, 'jieneng.duckdb'));
  const conn = await instance.connect();
  try {
    return await fn(conn);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** The migration harness of the DuckDB metadata: data directories in a temporary one, removed by `cleanup`. */
export function duckdbSchemaHarness(): SchemaHarness & { cleanup(): Promise<void> } {
  const dirs: string[] = [];
  return {
    versions: DUCKDB_MIGRATIONS.map((m) => m.version),
    async fresh() {
      const dir = await mkdtemp(join(tmpdir(), 'jieneng-schema-'));
      dirs.push(dir);
      return dir;
    },
    open: (dir) => EmbeddedStore.open({ dataDir: dir, timeZone: TZ }),
    recorded: (dir) =>
      onFile(dir, async (conn) =>
        (await conn.runAndReadAll('SELECT version FROM schema_migrations ORDER BY version'))
          .getRowObjectsJS()
          .map((r) => Number(r.version)),
      ),
    record: (dir, version) =>
      onFile(dir, async (conn) => {
        await conn.run(`INSERT INTO schema_migrations (version, description) VALUES (${version}, 'from the future')`);
      }),
    async cleanup() {
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}
