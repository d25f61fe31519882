/**
 * Savings projects and their non-routine adjustments (issue 18, item 3): a store of its own, one
 * concern, reached as `MetadataStore.savingsProjects` and implemented beside the metadata by DuckDB
 * (`duckdb/savings-project-tables.ts`) and PostgreSQL (`postgres/savings-project-tables.ts`); one
 * contract suite runs against both. Adjustments are only appended; a project's definition may be
 * replaced (`update`, audited by the API), its baseline only while it has no adjustments.
 */
import type { SavingsAdjustment, SavingsAdjustmentInput, SavingsProject } from '../domain/savings-projects.js';

/** Who added an adjustment, and when (epoch ms). */
export interface AdjustmentAuthor {
  readonly createdBy: string;
  readonly createdAtMs: number;
}

/** Each call is atomic on its own. */
export interface SavingsProjectStore {
  /** Stores a new project; false, and nothing stored, when a project of its id exists. */
  create(project: SavingsProject): Promise<boolean>;
  /**
   * Replaces the definition of the project of `project.id` (who created it, and when, are kept).
   * With `requireNoAdjustments` it is refused while the project has adjustments, atomically with
   * `addAdjustment` (one waits for the other). Answers what happened; nothing is stored unless `updated`.
   */
  update(
    project: SavingsProject,
    options: { readonly requireNoAdjustments: boolean },
  ): Promise<'updated' | 'not_found' | 'has_adjustments'>;
  /** Every project, by id (byte order). */
  list(): Promise<SavingsProject[]>;
  /** One project; undefined when there is none of this id. */
  get(id: string): Promise<SavingsProject | undefined>;
  /**
   * Appends an adjustment to a project, numbered one after its last (`n` from 1); undefined, and
   * nothing stored, when there is no project of this id.
   */
  addAdjustment(
    projectId: string,
    adjustment: SavingsAdjustmentInput,
    author: AdjustmentAuthor,
  ): Promise<SavingsAdjustment | undefined>;
  /** A project's adjustments in the order they were added; empty for none or an unknown project. */
  adjustments(projectId: string): Promise<SavingsAdjustment[]>;
}
