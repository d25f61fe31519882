import type pg from 'pg';
import type { BaselineFilter, StoredBaseline } from '../../domain/baselines.js';
import { BASELINE_INSERT_CHUNK, baselineDefinition, baselineOfRow, lastOfEachKey } from '../baseline-rows.js';
import type { BaselineStore } from '../baseline-store.js';
import { ID, inTransaction, type Run, runOn } from './sql.js';

/** Stored baselines (issue 18: the `fit-baselines` job): schema version 16 of the PostgreSQL metadata. */
export const BASELINES_TABLES_SQL = [
  `CREATE TABLE baselines (scope ${ID} NOT NULL, model ${ID} NOT NULL, status TEXT NOT NULL, definition JSONB NOT NULL,
     fitted_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (scope, model))`,
];

/** Stored baselines in PostgreSQL, shared by every process of a cluster. */
export class PostgresBaselineStore implements BaselineStore {
  private readonly run: Run;

  constructor(private readonly pool: pg.Pool) {
    this.run = runOn(pool);
  }

  async save(baselines: readonly StoredBaseline[]): Promise<void> {
    const rows = lastOfEachKey(baselines);
    if (rows.length === 0) return;
    await inTransaction(this.pool, async (run) => {
      for (let i = 0; i < rows.length; i += BASELINE_INSERT_CHUNK) {
        const chunk = rows.slice(i, i + BASELINE_INSERT_CHUNK);
        const params: unknown[] = [];
        const values = chunk.map((b) => {
          const k = params.length;
          params.push(b.scope, b.model, b.status, baselineDefinition(b), b.fittedAt);
          return `($${k + 1}, $${k + 2}, $${k + 3}, $${k + 4}::jsonb, $${k + 5}::timestamptz)`;
        });
        await run(
          `INSERT INTO baselines VALUES ${values.join(', ')} ON CONFLICT (scope, model) DO UPDATE SET
             status = excluded.status, definition = excluded.definition, fitted_at = excluded.fitted_at`,
          params,
        );
      }
    });
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
      params.push(filter.scopes);
      where.push(`scope = ANY($${params.length}::text[])`);
    }
    const rows = await this.run(
      `SELECT definition FROM baselines ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`} ORDER BY scope, model`,
      params,
    );
    return rows.map(baselineOfRow);
  }
}
