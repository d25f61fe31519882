import type { Logger } from 'pino';
import { groupBy } from '../../collections.js';
import type { HourlyConsumption } from '../../domain/consumption.js';
import { bucketStart, bucketStarts, HOUR_MS, nextBucketStart } from '../../domain/time.js';
import type { HourRange } from '../store.js';
import { InfluxError, type InfluxHttp, quoteIdent, quoteString } from './http.js';
import { type DailySums, dailyLine, type HourlyTags, INFLUX, rollupZoneLine } from './schema.js';
import { msLiteral, queryMany, rowsOf } from './windows.js';

const H = INFLUX.hourly;
const D = INFLUX.daily;
/** Meters per recompute statement (an `OR` of tag matches). */
const METERS_PER_STATEMENT = 100;
const WRITE_CHUNK_LINES = 5000;
/** The retention policy of the rollup (1.x). */
export const ROLLUP_RP = 'jieneng_rollup';

/** Where the daily rollup lives. */
export interface DailyPlace {
  /** Retention policy its points are written to; undefined: the database's default policy. */
  readonly rp: string | undefined;
  /** The measurement as a FROM clause names it. */
  readonly from: string;
}

/** The rollup in the database's default retention policy (2.x/3.x, or a 1.x user without admin rights). */
export const DEFAULT_DAILY_PLACE: DailyPlace = { rp: undefined, from: quoteIdent(INFLUX.daily.measurement) };

/**
 * Puts the rollup in a retention policy of its own, with 10-year shard groups (1.x). InfluxDB reads
 * every series once per field and per shard: in the default 7-day shards a month of days costs 5
 * reads per series and field, a year 53; in one shard group, one (measured on 1,000 meters, the
 * six sums of a month by meter: 595 ms in 7-day shards, 141 ms in one). Creating a policy needs
 * admin rights: without them, and on 2.x (a bucket per policy), the default policy is used.
 */
export async function dailyPlace(http: InfluxHttp, logger?: Logger): Promise<DailyPlace> {
  if (http.conn.api !== 'v1') return DEFAULT_DAILY_PLACE;
  const from = `${quoteIdent(http.database)}.${quoteIdent(ROLLUP_RP)}.${quoteIdent(INFLUX.daily.measurement)}`;
  try {
    await http.query([
      `CREATE RETENTION POLICY ${quoteIdent(ROLLUP_RP)} ON ${quoteIdent(http.database)} DURATION INF REPLICATION 1 SHARD DURATION 520w`,
    ]);
  } catch (error) {
    // Created earlier with other settings (an operator's choice): use it as it is.
    if (!(error instanceof InfluxError && /already exists/.test(error.message))) {
      logger?.warn(
        { err: error },
        'cannot create the retention policy of the daily rollup; it goes to the default policy (slower)',
      );
      return DEFAULT_DAILY_PLACE;
    }
  }
  return { rp: ROLLUP_RP, from };
}

/** Sums of the hourly integer fields, named as the daily fields. */
const DAILY_SUMS = [
  [H.fields.amountMicro, D.fields.amountMicro],
  [H.fields.estimatedMicro, D.fields.estimatedMicro],
  [H.fields.readings, D.fields.readings],
  [H.fields.qGood, D.fields.qGood],
  [H.fields.qEstimated, D.fields.qEstimated],
  [H.fields.qSuspect, D.fields.qSuspect],
]
  .map(([from, to]) => `sum(${quoteIdent(from as string)}) AS ${quoteIdent(to as string)}`)
  .join(', ');

/**
 * Per meter, the whole local days (in `timeZone`) that a replace of `ranges` by `rows` touches: from
 * the day of its first touched hour to the end of the day of its last (the embedded store's rule).
 */
export function rollupSpans(
  ranges: readonly HourRange[],
  rows: readonly HourlyConsumption[],
  timeZone: string,
): HourRange[] {
  const spans = new Map<string, { fromMs: number; toMs: number }>();
  const touch = (meterId: string, fromMs: number, toMs: number) => {
    const span = spans.get(meterId);
    if (span === undefined) spans.set(meterId, { fromMs, toMs });
    else {
      span.fromMs = Math.min(span.fromMs, fromMs);
      span.toMs = Math.max(span.toMs, toMs);
    }
  };
  for (const r of ranges) if (r.toMs > r.fromMs) touch(r.meterId, r.fromMs, r.toMs);
  for (const h of rows) touch(h.meterId, h.hourStartMs, h.hourStartMs + HOUR_MS);
  return [...spans].map(([meterId, s]) => ({
    meterId,
    fromMs: bucketStart(s.fromMs, 'day', timeZone),
    toMs: nextBucketStart(bucketStart(s.toMs - 1, 'day', timeZone), 'day', timeZone),
  }));
}

/** The daily sums and tags of each series in a `GROUP BY time(1d), *` answer. */
function dailyRows(series: Parameters<typeof rowsOf>[0]): { tags: HourlyTags; sums: DailySums }[] {
  const tagKeys = Object.values(H.tags);
  return rowsOf(series).flatMap((r) => {
    if (typeof r[D.fields.amountMicro] !== 'number') return [];
    const tags = Object.fromEntries(
      tagKeys.flatMap((k) => (typeof r[k] === 'string' && r[k] !== '' ? [[k, r[k] as string]] : [])),
    );
    const n = (k: string) => (typeof r[k] === 'number' ? (r[k] as number) : 0);
    return [
      {
        tags,
        sums: {
          dayStartMs: Number(r.time),
          amountMicro: n(D.fields.amountMicro),
          estimatedMicro: n(D.fields.estimatedMicro),
          readings: n(D.fields.readings),
          goodHours: n(D.fields.qGood),
          estimatedHours: n(D.fields.qEstimated),
          suspectHours: n(D.fields.qSuspect),
        },
      },
    ];
  });
}

async function writeLines(http: InfluxHttp, place: DailyPlace, lines: readonly string[]): Promise<void> {
  for (let i = 0; i < lines.length; i += WRITE_CHUNK_LINES)
    await http.write(lines.slice(i, i + WRITE_CHUNK_LINES), 'ms', place.rp);
}

const daySums = (where: string, timeZone: string) =>
  `SELECT ${DAILY_SUMS} FROM ${quoteIdent(H.measurement)} WHERE ${where} GROUP BY time(1d), * fill(none) tz(${quoteString(timeZone)})`;

/**
 * Recomputes the rollup's days of meters (`spans` of whole local days) from the hours stored now:
 * InfluxDB sums each hourly series by local day (integer sums: exact), the sums overwrite the days'
 * points, and days left without hours lose theirs. Idempotent, so a replayed op gives the same.
 * Another writer's hours stored between the read and the write are missed: see settle.ts.
 * `beforeWrite` (a test seam) is awaited between the read of the hours and the write of the days.
 */
export async function recomputeDaily(
  http: InfluxHttp,
  place: DailyPlace,
  spans: readonly HourRange[],
  timeZone: string,
  beforeWrite?: () => Promise<void>,
): Promise<void> {
  if (spans.length === 0) return;
  const statements: { sql: string; spans: HourRange[] }[] = [];
  for (const group of groupBy(spans, (s) => `${s.fromMs}/${s.toMs}`).values()) {
    for (let i = 0; i < group.length; i += METERS_PER_STATEMENT) {
      const chunk = group.slice(i, i + METERS_PER_STATEMENT);
      const first = chunk[0] as HourRange;
      const meters = chunk.map((s) => `${quoteIdent(H.tags.meter)} = ${quoteString(s.meterId)}`).join(' OR ');
      const where = `(${meters}) AND time >= ${msLiteral(first.fromMs)} AND time < ${msLiteral(first.toMs)}`;
      statements.push({ sql: daySums(where, timeZone), spans: chunk });
    }
  }
  const results = await queryMany(
    http,
    statements.map((s) => s.sql),
  );
  const lines: string[] = [];
  const found = new Set<string>();
  results.forEach((result) => {
    for (const { tags, sums } of dailyRows(result.series)) {
      lines.push(dailyLine(sums, tags));
      found.add(`${tags[H.tags.meter]}@${sums.dayStartMs}`);
    }
  });
  await beforeWrite?.();
  await writeLines(http, place, lines);
  // Days whose hours are all gone: delete their points, in runs of consecutive days (a 1.x DELETE
  // applies to every retention policy).
  const empty: { meterId: string; fromMs: number; toMs: number }[] = [];
  for (const s of spans) {
    for (const day of bucketStarts(s.fromMs, s.toMs, 'day', timeZone)) {
      if (found.has(`${s.meterId}@${day}`)) continue;
      const next = nextBucketStart(day, 'day', timeZone);
      const last = empty.at(-1);
      if (last !== undefined && last.meterId === s.meterId && last.toMs === day) last.toMs = next;
      else empty.push({ meterId: s.meterId, fromMs: day, toMs: next });
    }
  }
  await http.delete(
    D.measurement,
    empty.map((r) => ({ tags: { [H.tags.meter]: r.meterId }, fromMs: r.fromMs, toMs: r.toMs })),
  );
}

/**
 * [first, last] instants of the points of a measurement (`from`, as FROM names it), optionally of
 * one meter, or undefined when it has none.
 */
export async function timeSpan(
  http: InfluxHttp,
  from: string,
  meterId?: string,
): Promise<{ firstMs: number; lastMs: number } | undefined> {
  const where = meterId === undefined ? '' : ` WHERE ${quoteIdent(H.tags.meter)} = ${quoteString(meterId)}`;
  const field = quoteIdent(H.fields.amountMicro);
  const [first, last] = await http.query([
    `SELECT first(${field}) FROM ${from}${where}`,
    `SELECT last(${field}) FROM ${from}${where}`,
  ]);
  const [a] = rowsOf(first?.series ?? []);
  const [b] = rowsOf(last?.series ?? []);
  if (a === undefined || b === undefined) return undefined;
  return { firstMs: Number(a.time), lastMs: Number(b.time) };
}

/** Whether the stored rollup was built in `timeZone` and is in `place` (false when none was built). */
export async function rollupIsBuilt(http: InfluxHttp, place: DailyPlace, timeZone: string): Promise<boolean> {
  const { measurement, fields } = INFLUX.rollupZone;
  const [result] = await http.query([
    `SELECT ${quoteIdent(fields.zone)}, ${quoteIdent(fields.rp)} FROM ${quoteIdent(measurement)}`,
  ]);
  const [marker] = rowsOf(result?.series ?? []);
  return marker?.[fields.zone] === timeZone && (marker[fields.rp] ?? '') === (place.rp ?? '');
}

/**
 * Builds the whole rollup again in `timeZone` (TIMEZONE changed, or a database written before the
 * rollup existed): deletes every daily point, sums the hours a local month at a time, then records
 * the zone; until then the store answers from the hours. Replaying it after a crash starts over.
 */
export async function rebuildDaily(http: InfluxHttp, place: DailyPlace, timeZone: string): Promise<void> {
  // The marker goes first: a rebuild cut short must not pass for a complete one at the next start.
  await http.delete(INFLUX.rollupZone.measurement, [{ tags: {}, fromMs: 0, toMs: 1 }]);
  // Points of an earlier build may be in either policy; a DELETE reaches both.
  for (const from of new Set([DEFAULT_DAILY_PLACE.from, place.from])) {
    const old = await timeSpan(http, from);
    if (old !== undefined) {
      await http.delete(D.measurement, [{ tags: {}, fromMs: old.firstMs, toMs: old.lastMs + 1 }]);
    }
  }
  const hours = await timeSpan(http, quoteIdent(H.measurement));
  if (hours !== undefined) {
    for (const month of bucketStarts(hours.firstMs, hours.lastMs + HOUR_MS, 'month', timeZone)) {
      const where = `time >= ${msLiteral(month)} AND time < ${msLiteral(nextBucketStart(month, 'month', timeZone))}`;
      const [result] = await http.query([daySums(where, timeZone)]);
      await writeLines(
        http,
        place,
        dailyRows(result?.series ?? []).map((d) => dailyLine(d.sums, d.tags)),
      );
    }
  }
  await http.write([rollupZoneLine(timeZone, place.rp)], 'ms');
}
