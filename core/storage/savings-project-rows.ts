/**
 * Savings projects and adjustments from their table rows, shared by the DuckDB and PostgreSQL
 * stores (like `notification-rows.ts`). The definition is kept as JSON and read back through its
 * zod schema, so both backends answer the same shape.
 */
import {
  type SavingsAdjustment,
  type SavingsAdjustmentInput,
  SavingsAdjustmentInputSchema,
  type SavingsProject,
  SavingsProjectDefinitionSchema,
} from '../domain/savings-projects.js';

/** A row as a SQL driver returns it, with `created_ms` selected as epoch milliseconds. */
type Row = Record<string, unknown>;

const jsonOf = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);

/** The definition of a project to store: everything but who created it and when. */
export function projectDefinition(p: SavingsProject): string {
  const { createdAt: _at, createdBy: _by, ...definition } = p;
  return JSON.stringify(definition);
}

/** A project from `definition, created_ms, created_by`. */
export function projectOfRow(r: Row): SavingsProject {
  return {
    ...SavingsProjectDefinitionSchema.parse(jsonOf(r.definition)),
    createdAt: new Date(Number(r.created_ms)).toISOString(),
    createdBy: String(r.created_by),
  };
}

/** The definition of an adjustment to store. */
export function adjustmentDefinition(a: SavingsAdjustmentInput): string {
  return JSON.stringify(SavingsAdjustmentInputSchema.parse(a));
}

/** An adjustment from `n, definition, created_ms, created_by`. */
export function adjustmentOfRow(r: Row): SavingsAdjustment {
  return {
    ...SavingsAdjustmentInputSchema.parse(jsonOf(r.definition)),
    n: Number(r.n),
    createdAt: new Date(Number(r.created_ms)).toISOString(),
    createdBy: String(r.created_by),
  };
}
