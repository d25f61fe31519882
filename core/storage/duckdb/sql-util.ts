import {
  type DuckDBAppender,
  type DuckDBConnection,
  type DuckDBDataChunk,
  type DuckDBPreparedStatement,
  DuckDBTimestampValue,
} from '@duckdb/node-api';

/** A row as DuckDB returns it to JS. */
export type Row = Record<string, unknown>;

/**
 * A timestamp for the appender from epoch milliseconds. Appended as a plain TIMESTAMP (UTC
 * microseconds) into TIMESTAMPTZ columns: DuckDB stores the same instant, whatever the session
 * zone, and the native path is ~10× faster than appending TIMESTAMPTZ values.
 */
export const tstz = (ms: number) => new DuckDBTimestampValue(BigInt(Math.round(ms)) * 1000n);

/** SQL for a TIMESTAMPTZ from an epoch-ms parameter, e.g. `ts_param('$2')`. */
export const tsParam = (p: string) => `make_timestamptz(${p}::BIGINT * 1000)`;

/** Runs a query and returns its rows as JS objects. */
export async function query(conn: DuckDBConnection, sql: string, params: unknown[] = []): Promise<Row[]> {
  return (await conn.runAndReadAll(sql, params as never)).getRowObjectsJS() as Row[];
}

/** A query's result by column: each an array of JS values (DOUBLE a number, BIGINT a bigint, VARCHAR a string). */
export interface Columns {
  readonly rowCount: number;
  /** The values of column `name` (empty when there is no such column). */
  get(name: string): readonly unknown[];
}

/** Prepared statements kept per connection, by SQL text, least recently used first. */
const statements = new WeakMap<DuckDBConnection, Map<string, DuckDBPreparedStatement>>();
/** How many prepared statements a connection keeps: the questions of a page and its reports. */
const MAX_STATEMENTS = 128;

/**
 * Forgets a connection's prepared statements. Call it when a session setting that functions bind
 * to changes (`SET TimeZone`: `date_trunc` on TIMESTAMPTZ binds the zone when it is prepared).
 */
export function forgetStatements(conn: DuckDBConnection): void {
  for (const statement of statements.get(conn)?.values() ?? []) statement.destroySync();
  statements.delete(conn);
}

/** A prepared statement of `sql` on `conn`, reused while it is in the connection's cache. */
async function prepared(conn: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
  let cache = statements.get(conn);
  if (cache === undefined) {
    cache = new Map();
    statements.set(conn, cache);
  }
  const found = cache.get(sql);
  if (found !== undefined) {
    cache.delete(sql); // re-inserted as the most recent
    cache.set(sql, found);
    return found;
  }
  const statement = await conn.prepare(sql);
  cache.set(sql, statement);
  if (cache.size > MAX_STATEMENTS) {
    const [oldest, dropped] = cache.entries().next().value as [string, DuckDBPreparedStatement];
    cache.delete(oldest);
    dropped.destroySync();
  }
  return statement;
}

/**
 * Runs a query and returns its columns, read straight from the result's vectors: for a wide result
 * (24 hour-of-day sums × 96,000 meters, issue 19) several times cheaper than row objects. The
 * statement is prepared once per connection and SQL text (parsing and planning cost ~1–2 ms of a
 * scoped question's ~5, issue 19): callers must not share a connection concurrently (the embedded
 * store's reads run one at a time on its reader).
 */
export async function queryColumns(conn: DuckDBConnection, sql: string, params: unknown[] = []): Promise<Columns> {
  const statement = await prepared(conn, sql);
  statement.bind(params as never);
  const result = await statement.run();
  const names = result.columnNames();
  const columns = names.map(() => [] as unknown[]);
  for (let c = 0; c < result.chunkCount; c++) {
    const chunk = result.getChunk(c);
    const n = chunk.rowCount;
    columns.forEach((out, j) => {
      const vector = chunk.getColumnVector(j);
      for (let k = 0; k < n; k++) out.push(vector.getItem(k));
    });
  }
  const byName = new Map(names.map((name, j) => [name, columns[j] ?? []]));
  return { rowCount: result.rowCount, get: (name) => byName.get(name) ?? [] };
}

/**
 * Runs a query and hands its result to `each` a chunk (up to 2,048 rows) at a time as DuckDB streams
 * it, so neither DuckDB nor Node holds the whole result (a district's hours, issue 19). Same
 * prepared-statement cache and caveat as `queryColumns`.
 */
export async function forEachChunk(
  conn: DuckDBConnection,
  sql: string,
  params: unknown[],
  each: (chunk: DuckDBDataChunk) => void,
): Promise<void> {
  const statement = await prepared(conn, sql);
  statement.bind(params as never);
  const result = await statement.stream();
  for (let chunk = await result.fetchChunk(); chunk !== null && chunk.rowCount > 0; chunk = await result.fetchChunk())
    each(chunk);
}

/** Appends rows through DuckDB's appender (row-by-row INSERT is ~300× slower). */
export async function appendRows<T>(
  conn: DuckDBConnection,
  table: string,
  rows: readonly T[],
  write: (appender: DuckDBAppender, row: T) => void,
): Promise<void> {
  if (rows.length === 0) return;
  const appender = await conn.createAppender(table);
  for (const row of rows) {
    write(appender, row);
    appender.endRow();
  }
  appender.closeSync();
}

/** Appends a nullable VARCHAR. */
export function appendText(appender: DuckDBAppender, value: string | undefined): void {
  if (value === undefined) appender.appendNull();
  else appender.appendVarchar(value);
}

/** Appends a nullable DOUBLE. */
export function appendNumber(appender: DuckDBAppender, value: number | undefined): void {
  if (value === undefined) appender.appendNull();
  else appender.appendDouble(value);
}

/** A nullable column as a number. */
export const num = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));

/**
 * A WHERE clause being built with positional parameters: `equals` adds `column = $n` for a given
 * value (nothing for undefined), `scopeIn` adds membership of `scope` in a list of ids (ids never
 * hold a comma, IdSchema, so the list travels as one string parameter).
 */
export class WhereBuilder {
  readonly params: unknown[];
  private readonly clauses: string[];

  constructor(params: unknown[] = [], clauses: string[] = ['true']) {
    this.params = params;
    this.clauses = clauses;
  }

  equals(column: string, value: string | number | undefined): this {
    if (value === undefined) return this;
    this.params.push(value);
    this.clauses.push(`${column} = $${this.params.length}`);
    return this;
  }

  /** Adds the condition `clause(p)`, `p` the parameter holding `value` (nothing for undefined). */
  holds(value: string | number | undefined, clause: (p: string) => string): this {
    if (value === undefined) return this;
    this.params.push(value);
    this.clauses.push(clause(`$${this.params.length}`));
    return this;
  }

  scopeIn(scopes: readonly string[] | undefined): this {
    if (scopes === undefined) return this;
    this.params.push(scopes.join(','));
    this.clauses.push(`list_contains(string_split($${this.params.length}, ','), scope)`);
    return this;
  }

  /** The conditions joined with AND. */
  sql(): string {
    return this.clauses.join(' AND ');
  }
}
