import type pg from 'pg';
import type { SavingsAdjustment, SavingsAdjustmentInput, SavingsProject } from '../../domain/savings-projects.js';
import { adjustmentDefinition, adjustmentOfRow, projectDefinition, projectOfRow } from '../savings-project-rows.js';
import type { AdjustmentAuthor, SavingsProjectStore } from '../savings-project-store.js';
import { ID, inTransaction, iso, msOf, type Run, runOn } from './sql.js';

/** Savings projects and their adjustments (issue 18, item 3): schema version 15 of the PostgreSQL metadata. */
export const SAVINGS_PROJECTS_TABLES_SQL = [
  `CREATE TABLE savings_projects (id ${ID} PRIMARY KEY, definition JSONB NOT NULL, created_at TIMESTAMPTZ NOT NULL,
     created_by TEXT NOT NULL)`,
  `CREATE TABLE savings_adjustments (project_id ${ID} NOT NULL REFERENCES savings_projects (id), n INTEGER NOT NULL,
     definition JSONB NOT NULL, created_at TIMESTAMPTZ NOT NULL, created_by TEXT NOT NULL, PRIMARY KEY (project_id, n))`,
];

const PROJECT_COLUMNS = `id, definition, ${msOf('created_at')} AS created_ms, created_by`;
const ADJUSTMENT_COLUMNS = `n, definition, ${msOf('created_at')} AS created_ms, created_by`;

/** Savings projects in PostgreSQL, shared by every process of a cluster. */
export class PostgresSavingsProjectStore implements SavingsProjectStore {
  private readonly run: Run;

  constructor(private readonly pool: pg.Pool) {
    this.run = runOn(pool);
  }

  async create(p: SavingsProject): Promise<boolean> {
    const rows = await this.run(
      `INSERT INTO savings_projects VALUES ($1, $2::jsonb, $3::timestamptz, $4) ON CONFLICT (id) DO NOTHING
       RETURNING id`,
      [p.id, projectDefinition(p), p.createdAt, p.createdBy],
    );
    return rows.length > 0;
  }

  async update(
    p: SavingsProject,
    options: { readonly requireNoAdjustments: boolean },
  ): Promise<'updated' | 'not_found' | 'has_adjustments'> {
    return inTransaction(this.pool, async (run) => {
      // The project's row lock orders this against a concurrent adjustment (addAdjustment takes it too).
      const found = await run('SELECT id FROM savings_projects WHERE id = $1 FOR UPDATE', [p.id]);
      if (found.length === 0) return 'not_found';
      if (options.requireNoAdjustments) {
        const [row] = await run('SELECT count(*)::int AS n FROM savings_adjustments WHERE project_id = $1', [p.id]);
        if (Number(row?.n ?? 0) > 0) return 'has_adjustments';
      }
      await run('UPDATE savings_projects SET definition = $2::jsonb WHERE id = $1', [p.id, projectDefinition(p)]);
      return 'updated';
    });
  }

  async list(): Promise<SavingsProject[]> {
    return (await this.run(`SELECT ${PROJECT_COLUMNS} FROM savings_projects ORDER BY id`)).map(projectOfRow);
  }

  async get(id: string): Promise<SavingsProject | undefined> {
    const [row] = await this.run(`SELECT ${PROJECT_COLUMNS} FROM savings_projects WHERE id = $1`, [id]);
    return row === undefined ? undefined : projectOfRow(row);
  }

  async addAdjustment(
    projectId: string,
    a: SavingsAdjustmentInput,
    author: AdjustmentAuthor,
  ): Promise<SavingsAdjustment | undefined> {
    return inTransaction(this.pool, async (run) => {
      // The project's row lock numbers two concurrent adjustments of one project one after the other.
      const found = await run('SELECT id FROM savings_projects WHERE id = $1 FOR UPDATE', [projectId]);
      if (found.length === 0) return undefined;
      const [row] = await run(
        `INSERT INTO savings_adjustments
         SELECT $1, coalesce((SELECT max(n) FROM savings_adjustments WHERE project_id = $1), 0) + 1, $2::jsonb,
           $3::timestamptz, $4
         RETURNING ${ADJUSTMENT_COLUMNS}`,
        [projectId, adjustmentDefinition(a), iso(author.createdAtMs), author.createdBy],
      );
      return row === undefined ? undefined : adjustmentOfRow(row);
    });
  }

  async adjustments(projectId: string): Promise<SavingsAdjustment[]> {
    const rows = await this.run(
      `SELECT ${ADJUSTMENT_COLUMNS} FROM savings_adjustments WHERE project_id = $1 ORDER BY n`,
      [projectId],
    );
    return rows.map(adjustmentOfRow);
  }
}
