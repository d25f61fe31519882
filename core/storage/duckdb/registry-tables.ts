import type { DuckDBConnection } from '@duckdb/node-api';
import { meterSpans } from '../../domain/meter-spans.js';
import type { Registry } from '../../domain/registry.js';
import { REGISTRY_TABLES, type RegistryTable, registryOfRows, registryRows } from '../registry-rows.js';
import { assignMeterKeys } from './meter-keys.js';
import { appendRows, appendText, query, tstz } from './sql-util.js';

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

/**
 * Replaces the registry tables' contents, and `meter_spans`, each meter's attribution over time
 * (meter-spans.ts) that aggregates join, with its meter's key (`meter-keys.ts`; new meters get
 * theirs). Call inside a transaction; the answer, every meter id's key, holds once it commits.
 */
export async function writeRegistry(
  conn: DuckDBConnection,
  reg: Registry,
  knownKeys: ReadonlyMap<string, number>,
): Promise<ReadonlyMap<string, number>> {
  for (const t of REGISTRY_TABLES) await conn.run(`DELETE FROM ${t}`);
  const rows = registryRows(reg);
  for (const t of [...REGISTRY_TABLES].reverse()) await fill(conn, t, rows[t]);
  await conn.run('DELETE FROM meter_spans');
  const keys = await assignMeterKeys(
    conn,
    knownKeys,
    reg.meters.map((m) => m.id),
  );
  // Each span carries what a scope filters and groups on (schema 17): aggregates join one table, not four.
  const meters = new Map(reg.meters.map((m) => [m.id, m]));
  const institutionOf = new Map(reg.buildings.map((b) => [b.id, b.institutionId]));
  const districtOf = new Map(reg.institutions.map((i) => [i.id, i.districtId]));
  await appendRows(
    conn,
    'meter_spans',
    reg.meters.filter((m) => m.virtual === undefined).flatMap(meterSpans),
    (a, s) => {
      const meter = meters.get(s.meterId);
      const institutionId = institutionOf.get(s.buildingId);
      a.appendVarchar(s.meterId);
      a.appendTimestamp(tstz(s.fromMs));
      a.appendTimestamp(tstz(s.toMs));
      a.appendVarchar(s.buildingId);
      appendText(a, s.parentId);
      appendText(a, meter?.energy);
      appendText(a, meter?.subItem);
      appendText(a, institutionId);
      appendText(a, institutionId === undefined ? undefined : districtOf.get(institutionId));
      a.appendInteger(keys.get(s.meterId) as number);
    },
  );
  return keys;
}
