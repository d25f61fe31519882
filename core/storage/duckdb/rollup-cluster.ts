import type { DuckDBConnection } from '@duckdb/node-api';
import { query, tsParam } from './sql-util.js';

/**
 * Where the rollups stand clustered (issue 19, item 1), in `rollup_meta`: the daily rows of the
 * local months before `clustered_before` are ordered by meter within their month, and the monthly
 * rows before `monthly_clustered_before` by meter within their local year. A scoped question then
 * reads the one or two row groups that hold its meters (a month of days, a year of months), not the
 * whole fleet's.
 */
const DAILY_KEY = 'clustered_before';
const MONTHLY_KEY = 'monthly_clustered_before';

/** What a clustering pass did (`EmbeddedStore.clusterRollups`, the `cluster-rollups` job). */
export interface ClusterOutcome {
  /** Local months of the daily rollup rewritten in meter order. */
  readonly dailyMonths: number;
  /** Local years of the monthly rollup rewritten in meter order (their closed months). */
  readonly monthlyYears: number;
  /** Both rollups are clustered before this instant (epoch ms, a local month start) now; 0: no data. */
  readonly clusteredBeforeMs: number;
  readonly elapsedMs: number;
}

/** A transaction on the writer's connection (in the rollup's zone), serialised with ingest writes. */
export type WriteTransaction = <T>(fn: (conn: DuckDBConnection) => Promise<T>) => Promise<T>;

async function watermark(conn: DuckDBConnection, key: string): Promise<number> {
  const [row] = await query(conn, 'SELECT value FROM rollup_meta WHERE name = $1', [key]);
  return row === undefined ? 0 : Number(row.value);
}

async function setWatermark(conn: DuckDBConnection, key: string, ms: number): Promise<void> {
  await conn.run('INSERT OR REPLACE INTO rollup_meta VALUES ($1, $2)', [key, String(ms)]);
}

/** Rewrites the rows of `table` with `time` in [fromMs, toMs) ordered by meter key (`meter-keys.ts`), then time. */
async function rewriteOrdered(
  conn: DuckDBConnection,
  table: 'daily' | 'monthly',
  fromMs: number,
  toMs: number,
): Promise<void> {
  const time = table === 'daily' ? 'day_start' : 'month_start';
  const where = `WHERE ${time} >= ${tsParam('$1')} AND ${time} < ${tsParam('$2')}`;
  await conn.run(`CREATE OR REPLACE TEMP TABLE cluster_rows AS SELECT * FROM ${table} ${where}`, [fromMs, toMs]);
  await conn.run(`DELETE FROM ${table} ${where}`, [fromMs, toMs]);
  await conn.run(`INSERT INTO ${table} SELECT * FROM cluster_rows ORDER BY meter_key, ${time}`);
  await conn.run('DROP TABLE cluster_rows');
}

/** Spans [from_ms, to_ms) of the local `unit`s (month or year) holding rows of `table` in [fromMs, toMs). */
async function unitsWithRows(
  conn: DuckDBConnection,
  table: 'daily' | 'monthly',
  unit: 'month' | 'year',
  fromMs: number,
  toMs: number,
): Promise<{ fromMs: number; toMs: number }[]> {
  const time = table === 'daily' ? 'day_start' : 'month_start';
  const rows = await query(
    conn,
    `SELECT DISTINCT epoch_ms(date_trunc('${unit}', ${time})) AS from_ms,
       epoch_ms(date_trunc('${unit}', ${time}) + INTERVAL 1 ${unit.toUpperCase()}) AS to_ms
     FROM ${table} WHERE ${time} >= ${tsParam('$1')} AND ${time} < ${tsParam('$2')} ORDER BY 1`,
    [fromMs, toMs],
  );
  return rows.map((r) => ({ fromMs: Number(r.from_ms), toMs: Number(r.to_ms) }));
}

/** The closed months end here: the start of the local month of the latest day in the daily rollup. */
async function closedBeforeMs(conn: DuckDBConnection): Promise<number> {
  const [row] = await query(conn, `SELECT epoch_ms(date_trunc('month', max(day_start))) AS ms FROM daily`);
  return row?.ms === null || row?.ms === undefined ? 0 : Number(row.ms);
}

/**
 * Clusters the rollups of the closed months not clustered yet, up to `untilMs` (default: the start
 * of the latest month with data): each daily month in meter order, then each touched local year's
 * monthly rows before `untilMs` in meter order. One transaction per month or year (`tx`), each
 * advancing its watermark, so ingest waits for one step at most and an interrupted pass resumes.
 * Idempotent: a second pass finds nothing to do. Rows written later into a clustered month (late
 * data) stay where they were appended; answers never depend on the order of rows.
 */
export async function clusterRollups(tx: WriteTransaction, untilMs?: number): Promise<ClusterOutcome> {
  const t0 = performance.now();
  const plan = await tx(async (conn) => {
    const until = untilMs ?? (await closedBeforeMs(conn));
    const daily = await watermark(conn, DAILY_KEY);
    const monthly = await watermark(conn, MONTHLY_KEY);
    return {
      until,
      months: until > daily ? await unitsWithRows(conn, 'daily', 'month', daily, until) : [],
      years: until > monthly ? await unitsWithRows(conn, 'monthly', 'year', monthly, until) : [],
      daily,
      monthly,
    };
  });
  for (const m of plan.months)
    await tx(async (conn) => {
      await rewriteOrdered(conn, 'daily', m.fromMs, Math.min(m.toMs, plan.until));
      await setWatermark(conn, DAILY_KEY, Math.min(m.toMs, plan.until));
    });
  for (const y of plan.years)
    await tx(async (conn) => {
      // The whole year so far: its months then lie together by meter (an institution's year, one row group).
      await rewriteOrdered(conn, 'monthly', y.fromMs, Math.min(y.toMs, plan.until));
      await setWatermark(conn, MONTHLY_KEY, Math.min(y.toMs, plan.until));
    });
  await tx(async (conn) => {
    if (plan.until > plan.daily) await setWatermark(conn, DAILY_KEY, plan.until);
    if (plan.until > plan.monthly) await setWatermark(conn, MONTHLY_KEY, plan.until);
  });
  return {
    dailyMonths: plan.months.length,
    monthlyYears: plan.years.length,
    clusteredBeforeMs: Math.max(plan.until, plan.daily, plan.monthly),
    elapsedMs: Math.round(performance.now() - t0),
  };
}

/** Forgets how the rollups were clustered (they are rebuilt): the next pass clusters every closed month. */
export const RESET_CLUSTERING_SQL = `DELETE FROM rollup_meta WHERE name IN ('${DAILY_KEY}', '${MONTHLY_KEY}')`;
