import type { DuckDBConnection } from '@duckdb/node-api';
import type { AnomalyAssignment, AnomalyComment } from '../../domain/anomalies.js';
import type { AnomalyCaseStore } from '../anomaly-case-store.js';
import { anomalyCommentOfRow } from '../metadata-rows.js';
import { query, tsParam, type WhereBuilder } from './sql-util.js';

/**
 * Anomaly cases (issue 17, item 3): schema version 13 of the embedded store. The assignment is
 * columns of the anomaly (one at a time, replaced whole); comments a table of their own, numbered
 * per anomaly (`n`) in the order they were written: the embedded store has one writer, so
 * `max(n) + 1` cannot race, and no sequence is needed (a backup's `COPY FROM DATABASE` would not
 * carry a sequence's position).
 */
export const ANOMALY_CASES_SQL = [
  'ALTER TABLE anomalies ADD COLUMN IF NOT EXISTS assignee VARCHAR',
  'ALTER TABLE anomalies ADD COLUMN IF NOT EXISTS due_day VARCHAR',
  'ALTER TABLE anomalies ADD COLUMN IF NOT EXISTS assigned_by VARCHAR',
  'ALTER TABLE anomalies ADD COLUMN IF NOT EXISTS assigned_at TIMESTAMPTZ',
  `CREATE TABLE IF NOT EXISTS anomaly_comments (anomaly_id VARCHAR NOT NULL, n INTEGER NOT NULL,
     author VARCHAR NOT NULL, created_at TIMESTAMPTZ NOT NULL, body VARCHAR NOT NULL, PRIMARY KEY (anomaly_id, n))`,
];

/** The assignment time as `anomalyOfRow` reads it (the other assignment columns come with `SELECT *`). */
export const ASSIGNMENT_COLUMNS = 'epoch_ms(assigned_at) AS assigned_ms';

/** Narrows anomalies to an assignee and to those overdue on a local day (`AnomalyFilter`). */
export function whereCase(where: WhereBuilder, f: { assignee?: string; overdueOn?: string }): WhereBuilder {
  return where.equals('assignee', f.assignee).holds(f.overdueOn, (p) => `due_day < ${p} AND status <> 'resolved'`);
}

/** The comments of the anomalies `where` selects, by anomaly id, oldest first. */
export async function selectComments(
  conn: DuckDBConnection,
  where: WhereBuilder,
): Promise<Map<string, AnomalyComment[]>> {
  const rows = await query(
    conn,
    `SELECT anomaly_id, author, epoch_ms(created_at) AS created_ms, body FROM anomaly_comments
     WHERE anomaly_id IN (SELECT id FROM anomalies WHERE ${where.sql()}) ORDER BY anomaly_id, n`,
    where.params,
  );
  const out = new Map<string, AnomalyComment[]>();
  for (const r of rows) {
    const id = String(r.anomaly_id);
    out.set(id, [...(out.get(id) ?? []), anomalyCommentOfRow(r)]);
  }
  return out;
}

/** Runs `fn` on the embedded store's writer connection, serialised with its other writes. */
type Write = <T>(fn: (conn: DuckDBConnection) => Promise<T>) => Promise<T>;

/**
 * The embedded store's anomaly cases, in its DuckDB file, written through its writer connection;
 * each write is one statement (atomic on its own).
 */
export class DuckDbAnomalyCases implements AnomalyCaseStore {
  constructor(private readonly write: Write) {}

  async assign(id: string, a: AnomalyAssignment): Promise<boolean> {
    const rows = await this.write((conn) =>
      query(
        conn,
        `UPDATE anomalies SET assignee = $2, due_day = $3, assigned_by = $4, assigned_at = ${tsParam('$5')}
         WHERE id = $1 RETURNING id`,
        [id, a.assignee, a.dueDate ?? null, a.by, a.atMs],
      ),
    );
    return rows.length > 0;
  }

  async addComment(id: string, c: AnomalyComment): Promise<boolean> {
    const rows = await this.write((conn) =>
      query(
        conn,
        `INSERT INTO anomaly_comments (anomaly_id, n, author, created_at, body)
         SELECT $1, coalesce((SELECT max(n) FROM anomaly_comments WHERE anomaly_id = $1), 0) + 1, $2, ${tsParam('$3')}, $4
         WHERE EXISTS (SELECT 1 FROM anomalies WHERE id = $1) RETURNING n`,
        [id, c.by, c.atMs, c.text],
      ),
    );
    return rows.length > 0;
  }
}
