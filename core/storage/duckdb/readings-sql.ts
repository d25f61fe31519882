import type { DuckDBConnection } from '@duckdb/node-api';
import { groupBy } from '../../collections.js';
import { classifyReadings, readingKey } from '../insert-outcome.js';
import type { Correction, InsertOutcome, ReadingWindow, StoredReading, WindowRequest } from '../store.js';
import { appendRows, query, tsParam, tstz } from './sql-util.js';

/** Readings not invalidated by a correction. */
const VALID = `NOT EXISTS (SELECT 1 FROM corrections c WHERE c.meter_id = r.meter_id AND c.ts = r.ts)`;

/** Appends readings to a table shaped like `readings`. */
export function appendReadingRows(
  conn: DuckDBConnection,
  table: string,
  readings: readonly StoredReading[],
): Promise<void> {
  // A batch holds few distinct instants (a message's arrival, a gateway's steps): each is made once.
  const instants = new Map<number, ReturnType<typeof tstz>>();
  const instant = (ms: number) => {
    const known = instants.get(ms);
    if (known !== undefined) return known;
    const value = tstz(ms);
    instants.set(ms, value);
    return value;
  };
  return appendRows(conn, table, readings, (a, r) => {
    a.appendVarchar(r.meterId);
    a.appendTimestamp(instant(r.tsMs));
    a.appendDouble(r.value);
    a.appendVarchar(r.gatewayId);
    a.appendTimestamp(instant(r.receivedAtMs));
  });
}

/** Stores readings that may already be stored: identical ones are duplicates, different ones conflicts. */
export async function insertReadingsChecked(
  conn: DuckDBConnection,
  readings: readonly StoredReading[],
): Promise<InsertOutcome> {
  await conn.run(
    'CREATE OR REPLACE TEMP TABLE staging (meter_id VARCHAR, ts TIMESTAMPTZ, value DOUBLE, gateway_id VARCHAR, received_at TIMESTAMPTZ)',
  );
  await appendReadingRows(conn, 'staging', readings);
  const existing = await query(
    conn,
    `SELECT s.meter_id, epoch_ms(s.ts) AS ts_ms, r.value
     FROM (SELECT DISTINCT meter_id, ts FROM staging) s
     JOIN readings r ON r.meter_id = s.meter_id AND r.ts = s.ts
     WHERE r.ts BETWEEN (SELECT min(ts) FROM staging) AND (SELECT max(ts) FROM staging)`,
  );
  const stored = new Map(existing.map((r) => [readingKey(String(r.meter_id), Number(r.ts_ms)), Number(r.value)]));
  const outcome = classifyReadings(readings, stored);
  await appendReadingRows(conn, 'readings', outcome.inserted);
  return outcome;
}

/** Valid readings of several meters, each in its [from, to] with `margin` neighbours on each side, in one query. */
export async function readingWindowsSql(
  conn: DuckDBConnection,
  requests: readonly WindowRequest[],
  margin: number,
): Promise<Map<string, ReadingWindow>> {
  const out = new Map<string, ReadingWindow>();
  if (requests.length === 0) return out;
  await conn.run(
    'CREATE OR REPLACE TEMP TABLE window_requests (meter_id VARCHAR, from_ts TIMESTAMPTZ, to_ts TIMESTAMPTZ)',
  );
  await appendRows(conn, 'window_requests', requests, (a, r) => {
    a.appendVarchar(r.meterId);
    a.appendTimestamp(tstz(r.fromMs));
    a.appendTimestamp(tstz(r.toMs));
  });
  const rows = await query(
    conn,
    `WITH v AS (SELECT r.meter_id, r.ts, r.value, q.from_ts, q.to_ts FROM readings r JOIN window_requests q USING (meter_id) WHERE ${VALID}),
          lo AS (SELECT meter_id, ts, row_number() OVER (PARTITION BY meter_id ORDER BY ts DESC) AS rn FROM v WHERE ts < from_ts),
          hi AS (SELECT meter_id, ts, row_number() OVER (PARTITION BY meter_id ORDER BY ts) AS rn FROM v WHERE ts > to_ts),
          lo_b AS (SELECT meter_id, min(ts) AS a, count(*) AS n FROM lo WHERE rn <= $1 GROUP BY meter_id),
          hi_b AS (SELECT meter_id, max(ts) AS b, count(*) AS n FROM hi WHERE rn <= $1 GROUP BY meter_id)
     SELECT v.meter_id, epoch_ms(v.ts) AS ts_ms, v.value, coalesce(lo_b.n, 0) AS n_lo, coalesce(hi_b.n, 0) AS n_hi
     FROM v LEFT JOIN lo_b USING (meter_id) LEFT JOIN hi_b USING (meter_id)
     WHERE v.ts >= coalesce(lo_b.a, v.from_ts) AND v.ts <= coalesce(hi_b.b, v.to_ts)
     ORDER BY v.meter_id, v.ts`,
    [margin],
  );
  for (const [id, list] of groupBy(rows, (r) => String(r.meter_id))) {
    out.set(id, {
      readings: list.map((r) => ({ tsMs: Number(r.ts_ms), value: Number(r.value) })),
      atStart: Number(list[0]?.n_lo ?? 0) < margin,
      atEnd: Number(list[0]?.n_hi ?? 0) < margin,
    });
  }
  for (const r of requests) if (!out.has(r.meterId)) out.set(r.meterId, { readings: [], atStart: true, atEnd: true });
  return out;
}

/** Every meter's tail: valid readings from the `margin`-th before the hour of its third-newest reading. */
export async function readingTailsSql(conn: DuckDBConnection, margin: number): Promise<Map<string, ReadingWindow>> {
  const rows = await query(
    conn,
    `WITH v AS (SELECT meter_id, ts, value FROM readings r WHERE ${VALID}),
          ranked AS (SELECT meter_id, ts, row_number() OVER (PARTITION BY meter_id ORDER BY ts DESC) AS rn FROM v),
          anchor AS (SELECT meter_id, date_trunc('hour', min(ts)) AS h FROM ranked WHERE rn <= 3 GROUP BY meter_id),
          before AS (SELECT v.meter_id, v.ts, row_number() OVER (PARTITION BY v.meter_id ORDER BY v.ts DESC) AS rn
                     FROM v JOIN anchor a USING (meter_id) WHERE v.ts < a.h AND v.ts >= a.h - INTERVAL 400 DAY),
          start AS (SELECT meter_id, min(ts) AS s, count(*) AS n FROM before WHERE rn <= $1 GROUP BY meter_id)
     SELECT v.meter_id, epoch_ms(v.ts) AS ts_ms, v.value, coalesce(start.n, 0) AS n_lo
     FROM v JOIN anchor a USING (meter_id) LEFT JOIN start USING (meter_id)
     WHERE v.ts >= coalesce(start.s, a.h)
     ORDER BY v.meter_id, v.ts`,
    [margin],
  );
  const tails = new Map<string, ReadingWindow>();
  for (const [id, list] of groupBy(rows, (r) => String(r.meter_id))) {
    tails.set(id, {
      readings: list.map((r) => ({ tsMs: Number(r.ts_ms), value: Number(r.value) })),
      atStart: Number(list[0]?.n_lo ?? 0) < margin,
      atEnd: true,
    });
  }
  return tails;
}

/** A meter's stored readings in [fromMs, toMs), by time. */
export async function selectReadings(
  conn: DuckDBConnection,
  meterId: string,
  fromMs: number,
  toMs: number,
): Promise<StoredReading[]> {
  const rows = await query(
    conn,
    `SELECT meter_id, epoch_ms(ts) AS ts_ms, value, gateway_id, epoch_ms(received_at) AS recv_ms FROM readings
     WHERE meter_id = $1 AND ts >= ${tsParam('$2')} AND ts < ${tsParam('$3')} ORDER BY ts`,
    [meterId, fromMs, toMs],
  );
  return rows.map((r) => ({
    meterId: String(r.meter_id),
    tsMs: Number(r.ts_ms),
    value: Number(r.value),
    gatewayId: String(r.gateway_id),
    receivedAtMs: Number(r.recv_ms),
  }));
}

/** Readings with the correction of each, where one invalidated it. */
export function withCorrections(
  rows: readonly StoredReading[],
  corrections: readonly Correction[],
): (StoredReading & { correction?: Correction })[] {
  const byTs = new Map(corrections.filter((c) => c.meterId === rows[0]?.meterId).map((c) => [c.tsMs, c]));
  return rows.map((r) => {
    const correction = byTs.get(r.tsMs);
    return correction === undefined ? r : { ...r, correction };
  });
}
