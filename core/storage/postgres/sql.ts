import type pg from 'pg';

/** A row as `pg` returns it (int8 and numeric as strings, float8 as numbers, jsonb parsed). */
export type Row = Record<string, unknown>;

/** Runs one statement with positional parameters (`$1`…) and returns its rows. */
export type Run = (sql: string, params?: readonly unknown[]) => Promise<Row[]>;

/** `run` over a pool (one statement, any connection) or a client (its transaction). */
export function runOn(db: pg.Pool | pg.PoolClient): Run {
  return async (sql, params = []) => (await db.query(sql, params as unknown[])).rows as Row[];
}

/** Text compared byte by byte, as DuckDB does, whatever the database's locale: ids sort the same everywhere. */
export const ID = 'TEXT COLLATE "C"';

/** SQL for epoch milliseconds (a JS number) from a TIMESTAMPTZ column; NULL stays NULL. */
export const msOf = (column: string) => `(extract(epoch from ${column}) * 1000)::float8`;

/** A TIMESTAMPTZ parameter from epoch ms: ISO 8601 in UTC keeps the millisecond exactly. */
export const iso = (ms: number): string => new Date(ms).toISOString();

/** A nullable TIMESTAMPTZ parameter. */
export const isoOrNull = (ms: number | undefined): string | null => (ms === undefined ? null : iso(ms));

/** A nullable column as a number. */
export const num = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));

/**
 * Inserts many rows in one statement: one array parameter per column, expanded by `unnest`
 * (`types` are the columns' SQL types). Undefined values are NULL.
 */
export async function insertRows(
  run: Run,
  table: string,
  columns: readonly string[],
  types: readonly string[],
  rows: readonly (readonly unknown[])[],
): Promise<void> {
  if (rows.length === 0) return;
  const arrays = columns.map((_, i) => rows.map((r) => r[i] ?? null));
  const unnest = types.map((t, i) => `$${i + 1}::${t}[]`).join(', ');
  await run(`INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM unnest(${unnest})`, arrays);
}

/** A `postgres://` URL without its password, for logs. */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return 'postgres (unparsable METADATA_URL)';
  }
}

/**
 * Runs `fn` in one transaction on one connection of `pool`: all of it or nothing (a throw rolls
 * back and rethrows; the connection always goes back to the pool).
 */
export async function inTransaction<T>(pool: pg.Pool, fn: (run: Run) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const out = await fn(runOn(client));
    await client.query('COMMIT');
    return out;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
