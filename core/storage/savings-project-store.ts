/**
 * Savings projects and their non-routine adjustments (issue 18, item 3): a store of its own, one
 * concern, reached as `MetadataStore.savingsProjects` and implemented beside the metadata by DuckDB
 * (`duckdb/savings-project-tables.ts`) and PostgreSQL (`postgres/savings-project-tables.ts`); one
 * contract suite runs against both. History is immutable: a project's definition is never edited,
 * adjustments are only appended.
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
