import { DuckDBInstance } from '@duckdb/node-api';

/** DuckDB settings of the embedded store (DUCKDB_MEMORY_LIMIT, DUCKDB_THREADS). */
export interface DuckDbSettings {
  /** `memory_limit`, e.g. `2GB`; unset: DuckDB's default (80 % of the machine's memory). */
  readonly memoryLimit?: string;
  /** `threads`; unset: one per core. */
  readonly threads?: number;
}

/**
 * Creates the DuckDB instance of `path` with `settings`. DuckDB refuses a bad setting with only
 * "Failed to set config": the error then names the settings and the variables that set them.
 */
export async function createDuckDbInstance(path: string, settings: DuckDbSettings): Promise<DuckDBInstance> {
  const config: Record<string, string> = {};
  if (settings.memoryLimit !== undefined) config.memory_limit = settings.memoryLimit;
  if (settings.threads !== undefined) config.threads = String(settings.threads);
  try {
    return await DuckDBInstance.create(path, config);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!/failed to set config/i.test(message)) throw error;
    const given = [
      ...(settings.memoryLimit === undefined ? [] : [`memory_limit '${settings.memoryLimit}' (DUCKDB_MEMORY_LIMIT)`]),
      ...(settings.threads === undefined ? [] : [`threads ${settings.threads} (DUCKDB_THREADS)`]),
    ];
    throw new Error(`DuckDB refused its settings: ${given.join(', ')}: ${message}`);
  }
}
