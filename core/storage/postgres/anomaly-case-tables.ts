import type { AnomalyAssignment, AnomalyComment } from '../../domain/anomalies.js';
import type { AnomalyCaseStore } from '../anomaly-case-store.js';
import { anomalyCommentOfRow } from '../metadata-rows.js';
import { ID, iso, msOf, type Run } from './sql.js';

/**
 * Anomaly cases (issue 17, item 3): schema version 13 of the PostgreSQL metadata. The assignment
 * is columns of the anomaly (one at a time, replaced whole); comments a table of their own, in the
 * order they were committed (`seq`).
 */
export const ANOMALY_CASES_TABLES_SQL = [
  'ALTER TABLE anomalies ADD COLUMN assignee TEXT',
  `ALTER TABLE anomalies ADD COLUMN due_day ${ID}`,
  'ALTER TABLE anomalies ADD COLUMN assigned_by TEXT',
  'ALTER TABLE anomalies ADD COLUMN assigned_at TIMESTAMPTZ',
  `CREATE TABLE anomaly_comments (seq BIGSERIAL PRIMARY KEY, anomaly_id ${ID} NOT NULL, author TEXT NOT NULL,
     created_at TIMESTAMPTZ NOT NULL, body TEXT NOT NULL)`,
  'CREATE INDEX anomaly_comments_anomaly ON anomaly_comments (anomaly_id, seq)',
];

/** The anomalies' column of their assignment time, as `anomalyOfRow` reads it. */
export const ASSIGNMENT_COLUMNS = `assignee, due_day, assigned_by, ${msOf('assigned_at')} AS assigned_ms`;

/**
 * The conditions narrowing anomalies to an assignee and to those overdue on a local day
 * (`AnomalyFilter`); `add` appends a condition over a new parameter.
 */
export function addCaseConditions(
  add: (condition: (p: string) => string, value: unknown) => void,
  f: { assignee?: string; overdueOn?: string },
): void {
  add((p) => `assignee = ${p}`, f.assignee);
  add((p) => `due_day < ${p} AND status <> 'resolved'`, f.overdueOn);
}

/** The comments of these anomalies, by anomaly id, oldest first. */
export async function selectComments(run: Run, ids: readonly string[]): Promise<Map<string, AnomalyComment[]>> {
  const out = new Map<string, AnomalyComment[]>();
  if (ids.length === 0) return out;
  const rows = await run(
    `SELECT anomaly_id, author, ${msOf('created_at')} AS created_ms, body FROM anomaly_comments
     WHERE anomaly_id = ANY($1::text[]) ORDER BY seq`,
    [ids],
  );
  for (const r of rows) {
    const id = String(r.anomaly_id);
    out.set(id, [...(out.get(id) ?? []), anomalyCommentOfRow(r)]);
  }
  return out;
}

/** Runs `fn` in one transaction that notifies the cluster of changed anomalies (`MetadataChange`). */
type Changing = <T>(fn: (run: Run) => Promise<T>) => Promise<T>;

/** Anomaly cases in PostgreSQL, shared by every process of a cluster. */
export class PostgresAnomalyCases implements AnomalyCaseStore {
  constructor(private readonly changing: Changing) {}

  async assign(id: string, a: AnomalyAssignment): Promise<boolean> {
    const rows = await this.changing((run) =>
      run(
        `UPDATE anomalies SET assignee = $2, due_day = $3, assigned_by = $4, assigned_at = $5::timestamptz
         WHERE id = $1 RETURNING id`,
        [id, a.assignee, a.dueDate ?? null, a.by, iso(a.atMs)],
      ),
    );
    return rows.length > 0;
  }

  async addComment(id: string, c: AnomalyComment): Promise<boolean> {
    const rows = await this.changing((run) =>
      run(
        `INSERT INTO anomaly_comments (anomaly_id, author, created_at, body)
         SELECT $1, $2, $3::timestamptz, $4 WHERE EXISTS (SELECT 1 FROM anomalies WHERE id = $1) RETURNING seq`,
        [id, c.by, iso(c.atMs), c.text],
      ),
    );
    return rows.length > 0;
  }
}
