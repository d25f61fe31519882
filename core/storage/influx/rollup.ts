import type { Logger } from 'pino';
import { groupBy } from '../../collections.js';
import type { HourlyConsumption } from '../../domain/consumption.js';
import { bucketStart, bucketStarts, HOUR_MS, nextBucketStart } from '../../domain/time.js';
import type { HourRange } from '../store.js';
import { DayFolder, dayLines, rawHours } from './daily-fold.js';
import { InfluxError, type InfluxHttp, quoteIdent, quoteString } from './http.js';
import { INFLUX, ROLLUP_VERSION, rollupZoneLine } from './schema.js';
import { msLiteral, rowsOf } from './windows.js';

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

async function writeLines(http: InfluxHttp, place: DailyPlace, lines: readonly string[]): Promise<void> {
  for (let i = 0; i < lines.length; i += WRITE_CHUNK_LINES)
    await http.write(lines.slice(i, i + WRITE_CHUNK_LINES), 'ms', place.rp);
}

/** Raw hourly rows per statement of a recompute (a JSON answer of a few MB). */
const RECOMPUTE_SLICE_ROWS = 50_000;
/** Raw hourly rows per request (statements are batched up to it). */
const REQUEST_ROWS = 200_000;
/** Raw hourly rows per slice of a rebuild: its days are read, summed and written a slice at a time. */
export const REBUILD_SLICE_ROWS = 200_000;

/** Runs statements of about `rows` raw rows each, a request of up to REQUEST_ROWS at a time, into `folder`. */
async function foldAll(
  http: InfluxHttp,
  statements: readonly { sql: string; rows: number }[],
  folder: DayFolder,
): Promise<void> {
  let batch: string[] = [];
  let rows = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    for (const result of await http.query(batch)) folder.add(result.series ?? []);
    [batch, rows] = [[], 0];
  };
  for (const s of statements) {
    if (rows + s.rows > REQUEST_ROWS) await flush();
    batch.push(s.sql);
    rows += s.rows;
  }
  await flush();
}

/**
 * Recomputes the rollup's days of meters (`spans` of whole local days) from the hours stored now:
 * the raw hours are read per series (in slices of about RECOMPUTE_SLICE_ROWS) and summed here by
 * local day and clock hour (`DayFolder`, integer sums: exact), the sums overwrite the days' points,
 * and days left without hours lose theirs. Idempotent, so a replayed op gives the same.
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
  const statements: { sql: string; rows: number }[] = [];
  for (const group of groupBy(spans, (s) => `${s.fromMs}/${s.toMs}`).values()) {
    for (let i = 0; i < group.length; i += METERS_PER_STATEMENT) {
      const chunk = group.slice(i, i + METERS_PER_STATEMENT);
      const first = chunk[0] as HourRange;
      const meters = chunk.map((s) => `${quoteIdent(H.tags.meter)} = ${quoteString(s.meterId)}`).join(' OR ');
      const sliceMs = Math.max(1, Math.floor(RECOMPUTE_SLICE_ROWS / chunk.length)) * HOUR_MS;
      for (let fromMs = first.fromMs; fromMs < first.toMs; fromMs += sliceMs) {
        const toMs = Math.min(first.toMs, fromMs + sliceMs);
        const where = `(${meters}) AND time >= ${msLiteral(fromMs)} AND time < ${msLiteral(toMs)}`;
        statements.push({ sql: rawHours(where), rows: (chunk.length * (toMs - fromMs)) / HOUR_MS });
      }
    }
  }
  const folder = new DayFolder(timeZone);
  await foldAll(http, statements, folder);
  const days = folder.take();
  const found = new Set(days.map(({ tags, sums }) => `${tags[H.tags.meter]}@${sums.dayStartMs}`));
  await beforeWrite?.();
  await writeLines(http, place, dayLines(days));
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

/**
 * Whether the stored rollup was built in `timeZone`, is in `place` and has this version's fields
 * (`ROLLUP_VERSION`; false when none was built).
 */
export async function rollupIsBuilt(http: InfluxHttp, place: DailyPlace, timeZone: string): Promise<boolean> {
  const { measurement, fields } = INFLUX.rollupZone;
  const [result] = await http.query([
    `SELECT ${quoteIdent(fields.zone)}, ${quoteIdent(fields.rp)}, ${quoteIdent(fields.version)} FROM ${quoteIdent(measurement)}`,
  ]);
  const [marker] = rowsOf(result?.series ?? []);
  return (
    marker?.[fields.zone] === timeZone &&
    (marker[fields.rp] ?? '') === (place.rp ?? '') &&
    marker[fields.version] === ROLLUP_VERSION
  );
}

/** Meters with hours (one point per meter and hour: the rows of an hour). */
async function hourlyMeters(http: InfluxHttp): Promise<number> {
  const [result] = await http.query([
    `SHOW TAG VALUES FROM ${quoteIdent(H.measurement)} WITH KEY = ${quoteIdent(H.tags.meter)}`,
  ]);
  return rowsOf(result?.series ?? []).length;
}

/**
 * Builds the whole rollup again in `timeZone` (TIMEZONE changed, a database written before the
 * rollup existed or by an earlier `ROLLUP_VERSION`): deletes every daily point, then reads the raw
 * hours in slices of whole local days of about REBUILD_SLICE_ROWS rows (the next slice is read
 * while one is summed and written), then records the zone and version; until then the store
 * answers from the hours. Replaying it after a crash starts over.
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
    const daysPerSlice = Math.max(1, Math.floor(REBUILD_SLICE_ROWS / (Math.max(1, await hourlyMeters(http)) * 24)));
    const days = bucketStarts(hours.firstMs, hours.lastMs + HOUR_MS, 'day', timeZone);
    const slices: { fromMs: number; toMs: number }[] = [];
    for (let i = 0; i < days.length; i += daysPerSlice) {
      const last = days[Math.min(days.length, i + daysPerSlice) - 1] as number;
      slices.push({ fromMs: days[i] as number, toMs: nextBucketStart(last, 'day', timeZone) });
    }
    const read = (s: { fromMs: number; toMs: number }) =>
      http.query([rawHours(`time >= ${msLiteral(s.fromMs)} AND time < ${msLiteral(s.toMs)}`)]);
    let next = slices.length > 0 ? read(slices[0] as { fromMs: number; toMs: number }) : undefined;
    for (let i = 0; next !== undefined; i++) {
      const [result] = await next;
      const following = slices[i + 1];
      next = following === undefined ? undefined : read(following);
      // Awaited at the next turn; if this slice's write fails first, its failure is not unhandled.
      next?.catch(() => undefined);
      const folder = new DayFolder(timeZone);
      folder.add(result?.series ?? []);
      await writeLines(http, place, dayLines(folder.take()));
    }
  }
  await http.write([rollupZoneLine(timeZone, place.rp)], 'ms');
}
