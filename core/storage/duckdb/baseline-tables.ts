import type { DuckDBConnection } from '@duckdb/node-api';
import type { BaselineFilter, StoredBaseline } from '../../domain/baselines.js';
import { BASELINE_INSERT_CHUNK, baselineDefinition, baselineOfRow, lastOfEachKey } from '../baseline-rows.js';
import type { BaselineStore } from '../baseline-store.js';
import { query, tsParam } from './sql-util.js';

/**
 * Stored baselines (issue 18: the `fit-baselines` job): schema version 18 of the embedded store.
 * One row per scope and model kind, the record as JSON text.
 */
export const BASELINES_SQL = [
  `CREATE TABLE IF NOT EXISTS baselines (scope VARCHAR NOT NULL, model VARCHAR NOT NULL, status VARCHAR NOT NULL,
     definition VARCHAR NOT NULL, fitted_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (scope, model))`,
];

/** Runs `fn` on a connection of the embedded store (in one transaction when asked), serialised with its other calls. */
type Use = <T>(fn: (conn: DuckDBConnection) => Promise<T>, transaction?: boolean) => Promise<T>;

/** The embedded store's baselines: writes through its writer connection, reads through its reader. */
export class DuckDbBaselineStore implements BaselineStore {
  constructor(
    private readonly write: Use,
    private readonly read: Use,
  ) {}

  async save(baselines: readonly StoredBaseline[]): Promise<void> {
    const rows = lastOfEachKey(baselines);
    if (rows.length === 0) return;
    await this.write(async (conn) => {
      for (let i = 0; i < rows.length; i += BASELINE_INSERT_CHUNK) {
        const chunk = rows.slice(i, i + BASELINE_INSERT_CHUNK);
        const params: unknown[] = [];
        const values = chunk.map((b) => {
          const k = params.length;
          params.push(b.scope, b.model, b.status, baselineDefinition(b), Date.parse(b.fittedAt));
          return `($${k + 1}, $${k + 2}, $${k + 3}, $${k + 4}, ${tsParam(`$${k + 5}`)})`;
        });
        await query(
          conn,
          `INSERT INTO baselines VALUES ${values.join(', ')} ON CONFLICT (scope, model) DO UPDATE SET
             status = excluded.status, definition = excluded.definition, fitted_at = excluded.fitted_at`,
          params,
        );
      }
    }, true);
  }

  async list(filter: BaselineFilter = {}): Promise<StoredBaseline[]> {
    if (filter.scopes !== undefined && filter.scopes.length === 0) return [];
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.model !== undefined) {
      params.push(filter.model);
      where.push(`model = $${params.length}`);
    }
    if (filter.scopes !== undefined) {
      params.push(JSON.stringify(filter.scopes));
      where.push(`scope IN (SELECT unnest(from_json($${params.length}, '["VARCHAR"]')))`);
    }
    const rows = await this.read((conn) =>
      query(
        conn,
        `SELECT definition FROM baselines ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`}
         ORDER BY scope, model`,
        params,
      ),
    );
    return rows.map(baselineOfRow);
  }
}
