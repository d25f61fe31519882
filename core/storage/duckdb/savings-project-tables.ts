import type { DuckDBConnection } from '@duckdb/node-api';
import type { SavingsAdjustment, SavingsAdjustmentInput, SavingsProject } from '../../domain/savings-projects.js';
import { adjustmentDefinition, adjustmentOfRow, projectDefinition, projectOfRow } from '../savings-project-rows.js';
import type { AdjustmentAuthor, SavingsProjectStore } from '../savings-project-store.js';
import { query, tsParam } from './sql-util.js';

/**
 * Savings projects and their adjustments (issue 18, item 3): schema version 15 of the embedded
 * store. Definitions are JSON text. Adjustments are numbered per project (`n`) in the order they
 * were added: the embedded store has one writer, so `max(n) + 1` cannot race.
 */
export const SAVINGS_PROJECTS_SQL = [
  `CREATE TABLE IF NOT EXISTS savings_projects (id VARCHAR PRIMARY KEY, definition VARCHAR NOT NULL,
     created_at TIMESTAMPTZ NOT NULL, created_by VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS savings_adjustments (project_id VARCHAR NOT NULL, n INTEGER NOT NULL,
     definition VARCHAR NOT NULL, created_at TIMESTAMPTZ NOT NULL, created_by VARCHAR NOT NULL,
     PRIMARY KEY (project_id, n))`,
];

/** Runs `fn` on a connection of the embedded store (in one transaction when asked), serialised with its other calls. */
type Use = <T>(fn: (conn: DuckDBConnection) => Promise<T>, transaction?: boolean) => Promise<T>;

const PROJECT_COLUMNS = 'id, definition, epoch_ms(created_at) AS created_ms, created_by';
const ADJUSTMENT_COLUMNS = 'n, definition, epoch_ms(created_at) AS created_ms, created_by';

/** The embedded store's savings projects: writes through its writer connection, reads through its reader. */
export class DuckDbSavingsProjectStore implements SavingsProjectStore {
  constructor(
    private readonly write: Use,
    private readonly read: Use,
  ) {}

  create(p: SavingsProject): Promise<boolean> {
    return this.write(async (conn) => {
      const rows = await query(
        conn,
        `INSERT INTO savings_projects VALUES ($1, $2, ${tsParam('$3')}, $4) ON CONFLICT DO NOTHING RETURNING id`,
        [p.id, projectDefinition(p), Date.parse(p.createdAt), p.createdBy],
      );
      return rows.length > 0;
    });
  }

  update(
    p: SavingsProject,
    options: { readonly requireNoAdjustments: boolean },
  ): Promise<'updated' | 'not_found' | 'has_adjustments'> {
    return this.write(async (conn) => {
      const [found] = await query(
        conn,
        `SELECT (SELECT count(*) FROM savings_adjustments WHERE project_id = $1) AS adjustments
         FROM savings_projects WHERE id = $1`,
        [p.id],
      );
      if (found === undefined) return 'not_found';
      if (options.requireNoAdjustments && Number(found.adjustments) > 0) return 'has_adjustments';
      await query(conn, 'UPDATE savings_projects SET definition = $2 WHERE id = $1', [p.id, projectDefinition(p)]);
      return 'updated';
    }, true);
  }

  async list(): Promise<SavingsProject[]> {
    const rows = await this.read((conn) => query(conn, `SELECT ${PROJECT_COLUMNS} FROM savings_projects ORDER BY id`));
    return rows.map(projectOfRow);
  }

  async get(id: string): Promise<SavingsProject | undefined> {
    const rows = await this.read((conn) =>
      query(conn, `SELECT ${PROJECT_COLUMNS} FROM savings_projects WHERE id = $1`, [id]),
    );
    return rows[0] === undefined ? undefined : projectOfRow(rows[0]);
  }

  addAdjustment(
    projectId: string,
    a: SavingsAdjustmentInput,
    author: AdjustmentAuthor,
  ): Promise<SavingsAdjustment | undefined> {
    return this.write(async (conn) => {
      const rows = await query(
        conn,
        `INSERT INTO savings_adjustments
         SELECT $1, coalesce((SELECT max(n) FROM savings_adjustments WHERE project_id = $1), 0) + 1, $2,
           ${tsParam('$3')}, $4
         WHERE EXISTS (SELECT 1 FROM savings_projects WHERE id = $1)
         RETURNING ${ADJUSTMENT_COLUMNS}`,
        [projectId, adjustmentDefinition(a), Math.round(author.createdAtMs), author.createdBy],
      );
      return rows[0] === undefined ? undefined : adjustmentOfRow(rows[0]);
    }, true);
  }

  async adjustments(projectId: string): Promise<SavingsAdjustment[]> {
    const rows = await this.read((conn) =>
      query(conn, `SELECT ${ADJUSTMENT_COLUMNS} FROM savings_adjustments WHERE project_id = $1 ORDER BY n`, [
        projectId,
      ]),
    );
    return rows.map(adjustmentOfRow);
  }
}
