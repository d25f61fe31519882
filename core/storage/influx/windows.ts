import type { RegisterReading } from '../../domain/consumption.js';
import { floorHour } from '../../domain/time.js';
import type { ReadingWindow, StoredReading, WindowRequest } from '../store.js';
import { type InfluxHttp, type InfluxSeries, quoteIdent, quoteString, type StatementResult } from './http.js';
import type { PendingReadings } from './pending.js';
import { INFLUX } from './schema.js';

/** Statements per `/query` request. */
const STATEMENTS_PER_REQUEST = 300;
/** Requests in flight at once. */
const PARALLEL_REQUESTS = 4;
/** InfluxDB's time range is ±2^63 ns: keep bounds inside it, in ms. */
const TIME_LIMIT_MS = 9_000_000_000_000;
/** The end of time for "up to the newest reading". */
export const LAST_MS = Date.parse('2200-01-01T00:00:00Z');

/** What reads of raw readings need besides InfluxDB: spooled readings and the invalidated instants. */
export interface ReadContext {
  readonly http: InfluxHttp;
  readonly pending: PendingReadings;
  /** Instants of a meter's readings invalidated by a correction. */
  readonly invalidOf: (meterId: string) => ReadonlySet<number>;
}

/** An InfluxQL time literal of epoch ms, clamped to InfluxDB's range. */
export const msLiteral = (ms: number) => `${Math.max(-TIME_LIMIT_MS, Math.min(TIME_LIMIT_MS, Math.round(ms)))}ms`;

const R = INFLUX.readings;
const fromReadings = `FROM ${quoteIdent(R.measurement)}`;
const meterIs = (meterId: string) => `${quoteIdent(R.tags.meter)} = ${quoteString(meterId)}`;

/** Runs many statements in requests of STATEMENTS_PER_REQUEST, a few requests at a time. */
export async function queryMany(http: InfluxHttp, statements: readonly string[]): Promise<StatementResult[]> {
  const chunks: string[][] = [];
  for (let i = 0; i < statements.length; i += STATEMENTS_PER_REQUEST) {
    chunks.push(statements.slice(i, i + STATEMENTS_PER_REQUEST));
  }
  const out: StatementResult[][] = new Array(chunks.length);
  for (let i = 0; i < chunks.length; i += PARALLEL_REQUESTS) {
    const batch = chunks.slice(i, i + PARALLEL_REQUESTS);
    const answers = await Promise.all(batch.map((c) => http.query(c)));
    answers.forEach((a, k) => {
      out[i + k] = a;
    });
  }
  return out.flat();
}

/** Rows of series as objects keyed by column, with the series' tags. */
export function rowsOf(series: readonly InfluxSeries[]): Record<string, unknown>[] {
  return series.flatMap((s) =>
    s.values.map((v) => {
      const row: Record<string, unknown> = { ...(s.tags ?? {}) };
      s.columns.forEach((c, i) => {
        row[c] = v[i];
      });
      return row;
    }),
  );
}

function registerPoints(result: StatementResult | undefined): RegisterReading[] {
  return rowsOf(result?.series ?? [])
    .filter((r) => typeof r[R.fields.value] === 'number')
    .map((r) => ({ tsMs: Number(r.time), value: Number(r[R.fields.value]) }));
}

/** Valid readings of a meter from InfluxDB results and the pending readings, by time, one per instant. */
function validReadings(
  ctx: ReadContext,
  meterId: string,
  found: readonly RegisterReading[],
  pending: readonly StoredReading[],
): RegisterReading[] {
  const byTs = new Map<number, number>();
  for (const r of found) byTs.set(r.tsMs, r.value);
  for (const r of pending) byTs.set(r.tsMs, r.value);
  const invalid = ctx.invalidOf(meterId);
  return [...byTs.entries()]
    .filter(([ts]) => !invalid.has(ts))
    .sort(([a], [b]) => a - b)
    .map(([tsMs, value]) => ({ tsMs, value }));
}

/**
 * Valid readings of each request's meter in [fromMs, toMs] with `margin` neighbours either side.
 * Three statements per request: the neighbours before (newest first, LIMIT), the range, the
 * neighbours after; the limits are raised by the meter's invalidated readings, which are filtered
 * out here, so the answer is exact.
 */
export async function readingWindows(
  ctx: ReadContext,
  requests: readonly WindowRequest[],
  margin: number,
): Promise<Map<string, ReadingWindow>> {
  const statements = requests.flatMap((r) => {
    const limit = Math.max(1, margin + ctx.invalidOf(r.meterId).size);
    const m = meterIs(r.meterId);
    return [
      `SELECT ${R.fields.value} ${fromReadings} WHERE ${m} AND time < ${msLiteral(r.fromMs)} ORDER BY time DESC LIMIT ${limit}`,
      `SELECT ${R.fields.value} ${fromReadings} WHERE ${m} AND time >= ${msLiteral(r.fromMs)} AND time <= ${msLiteral(r.toMs)}`,
      `SELECT ${R.fields.value} ${fromReadings} WHERE ${m} AND time > ${msLiteral(r.toMs)} ORDER BY time ASC LIMIT ${limit}`,
    ];
  });
  // Pending readings are taken before the query: one written (and released) meanwhile is then
  // either in this snapshot or visible to the query, never in neither.
  const pending = new Map(requests.map((r) => [r.meterId, ctx.pending.of(r.meterId)]));
  const results = await queryMany(ctx.http, statements);
  const out = new Map<string, ReadingWindow>();
  requests.forEach((r, i) => {
    const found = [0, 1, 2].flatMap((k) => registerPoints(results[3 * i + k]));
    const valid = validReadings(ctx, r.meterId, found, pending.get(r.meterId) ?? []);
    const lo = margin > 0 ? valid.filter((x) => x.tsMs < r.fromMs).slice(-margin) : [];
    const mid = valid.filter((x) => x.tsMs >= r.fromMs && x.tsMs <= r.toMs);
    const hi = valid.filter((x) => x.tsMs > r.toMs).slice(0, margin);
    out.set(r.meterId, { readings: [...lo, ...mid, ...hi], atStart: lo.length < margin, atEnd: hi.length < margin });
  });
  return out;
}

/** Meters with readings in InfluxDB or pending. */
async function metersWithReadings(ctx: ReadContext): Promise<string[]> {
  const pending = ctx.pending.meters();
  const [result] = await ctx.http.query([`SHOW TAG VALUES ${fromReadings} WITH KEY = ${quoteIdent(R.tags.meter)}`]);
  const ids = new Set(rowsOf(result?.series ?? []).map((r) => String(r.value)));
  for (const id of pending) ids.add(id);
  return [...ids].sort();
}

/**
 * Per meter, its newest valid readings: from the `margin`-th reading before the hour of its
 * third-newest reading on (what deriving the next readings needs). Two rounds of queries.
 */
export async function readingTails(ctx: ReadContext, margin: number): Promise<Map<string, ReadingWindow>> {
  const meters = await metersWithReadings(ctx);
  const newest = await readingWindows(
    ctx,
    meters.map((meterId) => ({ meterId, fromMs: LAST_MS, toMs: LAST_MS })),
    3,
  );
  const requests: WindowRequest[] = [];
  for (const meterId of meters) {
    const third = newest.get(meterId)?.readings[0];
    if (third !== undefined) requests.push({ meterId, fromMs: floorHour(third.tsMs), toMs: LAST_MS });
  }
  const tails = await readingWindows(ctx, requests, margin);
  for (const [meterId, tail] of tails) tails.set(meterId, { ...tail, atEnd: true });
  return tails;
}
