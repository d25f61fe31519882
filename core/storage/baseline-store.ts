/**
 * Stored baselines (issue 18, "Speed" and item 4): a store of its own, one concern, reached as
 * `MetadataStore.baselines` and implemented beside the metadata by DuckDB
 * (`duckdb/baseline-tables.ts`) and PostgreSQL (`postgres/baseline-tables.ts`); one contract suite
 * runs against both. One baseline per scope and model kind: the latest fit replaces the one before
 * (the job that fitted it is in the job history; the models are recomputed, not records of fact).
 */
import type { BaselineFilter, StoredBaseline } from '../domain/baselines.js';

/** Each call is atomic on its own. */
export interface BaselineStore {
  /** Stores baselines, replacing those of the same scope and model kind, all or none; the last of a repeated key wins. */
  save(baselines: readonly StoredBaseline[]): Promise<void>;
  /** The stored baselines the filter selects, by scope then model kind (byte order). */
  list(filter?: BaselineFilter): Promise<StoredBaseline[]>;
}
