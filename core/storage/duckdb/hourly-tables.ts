import type { DuckDBConnection } from '@duckdb/node-api';
import type { HourlyConsumption } from '../../domain/consumption.js';
import { HOUR_MS } from '../../domain/time.js';
import type { HourRange } from '../store.js';
import { withStoredKeys } from './meter-keys.js';
import { clusterRollups, RESET_CLUSTERING_SQL } from './rollup-cluster.js';
import { appendRows, query, tsParam, tstz } from './sql-util.js';

/**
 * The daily rollup: per meter and local day (in the store's time zone) the sums of its hours. A
 * month of days or a month's ranking then reads ~24× fewer rows. It is kept equal to the hourly
 * table inside every write transaction, and rebuilt when the store opens in another zone; so is
 * the monthly rollup (the daily one by local month, schema version 11).
 */
export const ROLLUP_SQL = [
  `CREATE TABLE IF NOT EXISTS daily (meter_id VARCHAR NOT NULL, day_start TIMESTAMPTZ NOT NULL,
     amount DECIMAL(18,6) NOT NULL, estimated DECIMAL(18,6) NOT NULL, readings BIGINT NOT NULL,
     suspect_hours INTEGER NOT NULL, estimated_hours INTEGER NOT NULL, good_hours INTEGER NOT NULL)`,
  'CREATE TABLE IF NOT EXISTS rollup_meta (name VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)',
];

/** Longer than any local day (25 h at a DST change), in ms. */
const LONGEST_DAY_MS = 26 * HOUR_MS;

/** The daily rollup's amount by local clock hour: `a00` … `a23` (what a time-of-use tariff prices). */
export const HOUR_COLUMNS = Array.from({ length: 24 }, (_, k) => `a${String(k).padStart(2, '0')}`);

/**
 * Migration of the daily rollup to amounts by local clock hour (schema version 11); the rollup is
 * then rebuilt from the hourly table when the store opens (`ensureDailyRollup`).
 */
export const HOURS_ROLLUP_SQL = [
  ...HOUR_COLUMNS.map((c) => `ALTER TABLE daily ADD COLUMN IF NOT EXISTS ${c} DECIMAL(18,6) DEFAULT 0`),
  // The monthly rollup: the daily one summed by local month (a year of a city reads ~30× fewer rows).
  `CREATE TABLE IF NOT EXISTS monthly (meter_id VARCHAR NOT NULL, month_start TIMESTAMPTZ NOT NULL,
     amount DECIMAL(18,6) NOT NULL, estimated DECIMAL(18,6) NOT NULL, readings BIGINT NOT NULL,
     suspect_hours INTEGER NOT NULL, estimated_hours INTEGER NOT NULL, good_hours INTEGER NOT NULL,
     ${HOUR_COLUMNS.map((c) => `${c} DECIMAL(18,6) NOT NULL`).join(', ')})`,
  `DELETE FROM rollup_meta WHERE name = 'daily_zone'`,
];

/**
 * Schema 17 (issue 19): each meter span carries its meter's energy and sub-item and its building's
 * institution and district, so that an aggregate joins `meter_spans` alone (a city's month by
 * institution: ~35 % less); the monthly rollup's closed years are then ordered by meter by the
 * `cluster-rollups` job (`rollup-cluster.ts`), not here (seconds on a province's store).
 */
export const MERGED_SPANS_SQL = [
  ...['energy', 'sub_item', 'institution_id', 'district_id'].map(
    (c) => `ALTER TABLE meter_spans ADD COLUMN IF NOT EXISTS ${c} VARCHAR`,
  ),
  `UPDATE meter_spans SET energy = m.energy, sub_item = m.sub_item FROM meters m WHERE m.id = meter_spans.meter_id`,
  `UPDATE meter_spans SET institution_id = b.institution_id, district_id = i.district_id
     FROM buildings b JOIN institutions i ON i.id = b.institution_id WHERE b.id = meter_spans.building_id`,
  `DELETE FROM rollup_meta WHERE name = 'monthly_clustered_before'`,
];

/** Monthly sums of daily rows; `d` is the daily table, the connection's TimeZone the rollup's zone. */
const MONTHLY_SELECT = `
  SELECT d.meter_id, date_trunc('month', d.day_start) AS month_start, sum(d.amount), sum(d.estimated),
         sum(d.readings), sum(d.suspect_hours), sum(d.estimated_hours), sum(d.good_hours),
         ${HOUR_COLUMNS.map((c) => `sum(d.${c})`).join(', ')}, d.meter_key
  FROM daily d`;

/**
 * Daily sums of hourly rows, and the amounts by local clock hour; `h` is the hourly table (with its
 * local hour `hod`), the connection's TimeZone the rollup's zone; `key` the meter's key (`meter-keys.ts`).
 */
const dailySelect = (key: string) => `
  SELECT h.meter_id, date_trunc('day', h.hour_start) AS day_start, sum(h.amount), sum(h.estimated), sum(h.readings),
         count(*) FILTER (WHERE h.quality = 'suspect'), count(*) FILTER (WHERE h.quality = 'estimated'),
         count(*) FILTER (WHERE h.quality = 'good'),
         ${HOUR_COLUMNS.map((_, k) => `coalesce(sum(h.amount) FILTER (WHERE h.hod = ${k}), 0)`).join(', ')}, ${key}
  FROM (SELECT *, hour(hour_start) AS hod FROM hourly) h`;

/**
 * Rebuilds the daily rollup from the hourly table when it was built in another zone (or never):
 * the writer's connection must be in `timeZone`. Month by month (issue 19: a province's year is
 * ~840 M hours, too many groups for one aggregate), each month's rows clustered by meter, then the
 * monthly rows of each year (`clusterRollups`).
 */
export async function ensureDailyRollup(conn: DuckDBConnection, timeZone: string): Promise<void> {
  const [row] = await query(conn, `SELECT value FROM rollup_meta WHERE name = 'daily_zone'`);
  if (row?.value === timeZone) return;
  await conn.run('BEGIN TRANSACTION');
  try {
    await conn.run('DELETE FROM daily');
    await conn.run('DELETE FROM monthly');
    const months = await query(
      conn,
      `SELECT epoch_ms(m) AS from_ms, epoch_ms(m + INTERVAL 1 MONTH) AS to_ms FROM (
         SELECT unnest(generate_series(date_trunc('month', min(hour_start)), max(hour_start), INTERVAL 1 MONTH)) AS m
         FROM hourly) WHERE m IS NOT NULL ORDER BY m`,
    );
    for (const m of months) await rebuildMonth(conn, Number(m.from_ms), Number(m.to_ms));
    await conn.run(`INSERT OR REPLACE INTO rollup_meta VALUES ('daily_zone', $1)`, [timeZone]);
    // Every daily month is in meter order now; the monthly rollup is ordered by year (the open month
    // is clustered by the `cluster-rollups` job once a later one is written).
    const last = months.at(-1);
    await conn.run(RESET_CLUSTERING_SQL);
    await conn.run(`INSERT INTO rollup_meta VALUES ('clustered_before', $1)`, [String(last?.from_ms ?? 0)]);
    await clusterRollups((fn) => fn(conn), last === undefined ? 0 : Number(last.from_ms));
    await conn.run('COMMIT');
  } catch (error) {
    await conn.run('ROLLBACK');
    throw error;
  }
}

/**
 * The rollups of one local month [fromMs, toMs) from its hours, ordered by meter key: a month's rows
 * then lie in row groups that each hold a range of keys, and a scoped question (whose meters' keys
 * lie together: keys follow the ids, and the simulator's and the national coding put the building
 * before the meter) reads one or two of them, whatever the number of other meters (issue 19, item 1).
 */
async function rebuildMonth(conn: DuckDBConnection, fromMs: number, toMs: number): Promise<void> {
  const bounds = [fromMs, toMs];
  await conn.run(
    `INSERT INTO daily ${dailySelect('k.meter_key')} LEFT JOIN meter_keys k ON k.meter_id = h.meter_id
     WHERE h.hour_start >= ${tsParam('$1')} AND h.hour_start < ${tsParam('$2')}
     GROUP BY ALL ORDER BY k.meter_key, day_start`,
    bounds,
  );
  await conn.run(
    `INSERT INTO monthly ${MONTHLY_SELECT} WHERE d.day_start >= ${tsParam('$1')} AND d.day_start < ${tsParam('$2')}
     GROUP BY ALL ORDER BY d.meter_key`,
    bounds,
  );
}

/** Per meter, the span of hours a write touches: its replaced ranges and its new rows. */
function touchedSpans(ranges: readonly HourRange[], rows: readonly HourlyConsumption[]): HourRange[] {
  const spans = new Map<string, { fromMs: number; toMs: number }>();
  const touch = (meterId: string, fromMs: number, toMs: number) => {
    const span = spans.get(meterId);
    if (span === undefined) spans.set(meterId, { fromMs, toMs });
    else {
      if (fromMs < span.fromMs) span.fromMs = fromMs;
      if (toMs > span.toMs) span.toMs = toMs;
    }
  };
  for (const r of ranges) touch(r.meterId, r.fromMs, r.toMs);
  for (const h of rows) touch(h.meterId, h.hourStartMs, h.hourStartMs + HOUR_MS);
  return [...spans].map(([meterId, s]) => ({ meterId, ...s }));
}

/**
 * Replaces meters' hours in `ranges` by `rows` and brings their days in the daily rollup up to date,
 * each day with its meter's key from `keys` (`meter-keys.ts`; none for a meter never registered).
 * Runs inside the caller's transaction, on the writer's connection (in the rollup's zone).
 */
export async function replaceHourlyRows(
  conn: DuckDBConnection,
  ranges: readonly HourRange[],
  rows: readonly HourlyConsumption[],
  keys: ReadonlyMap<string, number>,
): Promise<void> {
  if (ranges.length > 0) {
    await writeSpans(conn, 'hourly_ranges', ranges);
    // The bound on hour_start lets DuckDB skip row groups by their zone maps.
    await conn.run(
      `DELETE FROM hourly h USING hourly_ranges r
       WHERE h.hour_start >= ${tsParam('$1')}
         AND h.meter_id = r.meter_id AND h.hour_start >= r.from_ts AND h.hour_start < r.to_ts`,
      [ranges.reduce((min, r) => Math.min(min, r.fromMs), Number.POSITIVE_INFINITY)],
    );
  }
  await appendRows(conn, 'hourly', rows, (a, h) => {
    a.appendVarchar(h.meterId);
    a.appendTimestamp(tstz(h.hourStartMs));
    // Doubles cast exactly to DECIMAL(18,6) below 1e9 native units per meter-hour.
    a.appendDouble(h.amountMicro / 1e6);
    a.appendDouble(h.estimatedMicro / 1e6);
    a.appendVarchar(h.quality);
    a.appendInteger(h.readingsCount);
  });
  const spans = touchedSpans(ranges, rows);
  if (spans.length === 0) return;
  const known = await withStoredKeys(
    conn,
    keys,
    spans.map((s) => s.meterId),
  );
  await writeSpans(conn, 'daily_spans', spans, known);
  // Whole local days around each span; the same bound prunes both tables by their zone maps.
  await conn.run(`CREATE OR REPLACE TEMP TABLE daily_days AS
    SELECT meter_id, meter_key, date_trunc('day', from_ts) AS from_day,
           date_trunc('day', to_ts - INTERVAL 1 MICROSECOND) + INTERVAL 1 DAY AS to_day
    FROM daily_spans`);
  // A bound at or before every local day start involved, for zone-map pruning (no day is longer).
  const fromMs = spans.reduce((min, s) => Math.min(min, s.fromMs), Number.POSITIVE_INFINITY) - LONGEST_DAY_MS;
  await conn.run(
    `DELETE FROM daily d USING daily_days r
     WHERE d.day_start >= ${tsParam('$1')}
       AND d.meter_id = r.meter_id AND d.day_start >= r.from_day AND d.day_start < r.to_day`,
    [fromMs],
  );
  await conn.run(
    `INSERT INTO daily ${dailySelect('r.meter_key')}
     JOIN daily_days r ON h.meter_id = r.meter_id AND h.hour_start >= r.from_day AND h.hour_start < r.to_day
     WHERE h.hour_start >= ${tsParam('$1')}
     GROUP BY ALL ORDER BY day_start`,
    [fromMs],
  );
  // The months around those days, from the daily rollup just brought up to date.
  const months = `(SELECT meter_id, date_trunc('month', from_day) AS from_month,
    date_trunc('month', to_day - INTERVAL 1 MICROSECOND) + INTERVAL 1 MONTH AS to_month FROM daily_days)`;
  const fromMonthMs = fromMs - 31 * 24 * HOUR_MS;
  await conn.run(
    `DELETE FROM monthly d USING ${months} r
     WHERE d.month_start >= ${tsParam('$1')}
       AND d.meter_id = r.meter_id AND d.month_start >= r.from_month AND d.month_start < r.to_month`,
    [fromMonthMs],
  );
  await conn.run(
    `INSERT INTO monthly ${MONTHLY_SELECT}
     JOIN ${months} r ON d.meter_id = r.meter_id AND d.day_start >= r.from_month AND d.day_start < r.to_month
     WHERE d.day_start >= ${tsParam('$1')}
     GROUP BY ALL ORDER BY month_start`,
    [fromMonthMs],
  );
}

async function writeSpans(
  conn: DuckDBConnection,
  table: string,
  spans: readonly HourRange[],
  keys?: ReadonlyMap<string, number>,
): Promise<void> {
  const keyed = keys !== undefined;
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE ${table} (meter_id VARCHAR, from_ts TIMESTAMPTZ, to_ts TIMESTAMPTZ${keyed ? ', meter_key INTEGER' : ''})`,
  );
  await appendRows(conn, table, spans, (a, r) => {
    a.appendVarchar(r.meterId);
    a.appendTimestamp(tstz(r.fromMs));
    a.appendTimestamp(tstz(r.toMs));
    if (!keyed) return;
    const key = keys.get(r.meterId);
    if (key === undefined) a.appendNull();
    else a.appendInteger(key);
  });
}
