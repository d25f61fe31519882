import type { DuckDBConnection } from '@duckdb/node-api';
import type { Registry } from '../../domain/registry.js';
import { REGISTRY_TABLES, type RegistryTable, registryOfRows, registryRows } from '../registry-rows.js';
import { query } from './sql-util.js';

/** Reads the registry from its tables. */
export async function readRegistry(conn: DuckDBConnection): Promise<Registry> {
  const rows = {} as Record<RegistryTable, Record<string, unknown>[]>;
  for (const table of REGISTRY_TABLES) rows[table] = await query(conn, `SELECT * FROM ${table} ORDER BY id`);
  return registryOfRows(rows);
}

async function fill(conn: DuckDBConnection, table: string, values: unknown[][]): Promise<void> {
  if (values.length === 0) return;
  const appender = await conn.createAppender(table);
  for (const row of values) {
    for (const v of row) {
      if (v === undefined || v === null) appender.appendNull();
      else if (typeof v === 'number') appender.appendDouble(v);
      else appender.appendVarchar(String(v));
    }
    appender.endRow();
  }
  appender.closeSync();
}

/** Replaces the registry tables' contents. Call inside a transaction. */
export async function writeRegistry(conn: DuckDBConnection, reg: Registry): Promise<void> {
  for (const t of REGISTRY_TABLES) await conn.run(`DELETE FROM ${t}`);
  const rows = registryRows(reg);
  for (const t of [...REGISTRY_TABLES].reverse()) await fill(conn, t, rows[t]);
}
