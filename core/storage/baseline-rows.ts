/**
 * Stored baselines from their table rows, shared by the DuckDB and PostgreSQL stores (like
 * `savings-project-rows.ts`): the record is kept as JSON and read back through its zod schema, so
 * both backends answer the same shape.
 */
import { type StoredBaseline, StoredBaselineSchema } from '../domain/baselines.js';

/** The record to store: JSON without NaN (an unknown figure is null, as on the wire). */
export function baselineDefinition(b: StoredBaseline): string {
  return JSON.stringify(StoredBaselineSchema.parse(b));
}

/** A baseline from its `definition` column (JSON text, or an object as PostgreSQL's jsonb returns it). */
export function baselineOfRow(r: Record<string, unknown>): StoredBaseline {
  const definition = typeof r.definition === 'string' ? JSON.parse(r.definition) : r.definition;
  return StoredBaselineSchema.parse(definition);
}

/** The baselines to save with one per scope and model kind, the last of a repeated key kept. */
export function lastOfEachKey(baselines: readonly StoredBaseline[]): StoredBaseline[] {
  return [...new Map(baselines.map((b) => [`${b.scope}\u0000${b.model}`, b])).values()];
}

/** Rows per INSERT statement: a city's 6,000 baselines in a dozen statements. */
export const BASELINE_INSERT_CHUNK = 500;
