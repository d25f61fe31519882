import type { DuckDBConnection } from '@duckdb/node-api';
import type { Fact } from '../../domain/facts.js';
import { factOfRow } from '../fact-rows.js';
import { query, tsParam } from './sql-util.js';

/** The table of effective-dated facts (schema version 4, duckdb/migrations.ts). */
export const FACTS_SQL = `CREATE TABLE IF NOT EXISTS facts (id VARCHAR PRIMARY KEY, scope VARCHAR NOT NULL,
  from_day VARCHAR NOT NULL, floor_area_m2 DOUBLE, occupants INTEGER, created_at TIMESTAMPTZ NOT NULL,
  created_by VARCHAR NOT NULL)`;

/** Inserts facts; a known id fails the statement. Call inside a transaction (all or none). */
export async function insertFacts(conn: DuckDBConnection, facts: readonly Fact[]): Promise<void> {
  for (const f of facts) {
    await conn.run(
      `INSERT INTO facts (id, scope, from_day, floor_area_m2, occupants, created_at, created_by)
       VALUES ($1, $2, $3, $4, $5, ${tsParam('$6')}, $7)`,
      [f.id, f.scope, f.from, f.floorAreaM2 ?? null, f.occupants ?? null, f.createdAtMs, f.createdBy],
    );
  }
}

/** Every fact, or those of one scope, by scope, day, recording time and id. */
export async function selectFacts(conn: DuckDBConnection, scope?: string): Promise<Fact[]> {
  const rows = await query(
    conn,
    `SELECT id, scope, from_day, floor_area_m2, occupants, epoch_ms(created_at) AS created_ms, created_by FROM facts
     ${scope === undefined ? '' : 'WHERE scope = $1'} ORDER BY scope, from_day, created_at, id`,
    scope === undefined ? [] : [scope],
  );
  return rows.map(factOfRow);
}
