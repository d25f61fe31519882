import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type DuckDBConnection, DuckDBDecimalValue, DuckDBInstance, DuckDBTimestampTZValue } from '@duckdb/node-api';
import { groupBy } from '../../collections.js';
import type { HourlyConsumption, RegisterReading } from '../../domain/consumption.js';
import type { Registry } from '../../domain/registry.js';
import type {
  AggregateQuery,
  AggregateRow,
  DeadLetter,
  InsertOutcome,
  Store,
  StoredReading,
  TokenRecord,
} from '../store.js';
import { aggregateSql } from './aggregate-sql.js';
import { readRegistry, writeRegistry } from './registry-tables.js';
import { SCHEMA_SQL } from './schema.js';

type Row = Record<string, unknown>;

const tstz = (ms: number) => new DuckDBTimestampTZValue(BigInt(Math.round(ms)) * 1000n);

/** Serialises writers: DuckDB allows one writing transaction per connection at a time. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/** Options of the embedded store. */
export interface EmbeddedStoreOptions {
  /** Directory of the database file; `:memory:` for a throw-away store. */
  readonly dataDir: string;
  readonly timeZone: string;
}

/**
 * The default store: DuckDB in `DATA_DIR/jieneng.duckdb`, zero set-up. One connection writes
 * (serialised), another reads, so API queries never wait behind ingest.
 */
export class EmbeddedStore implements Store {
  readonly kind = 'embedded';
  readonly location: string;
  private readonly writeLock = new Mutex();
  private readonly readLock = new Mutex();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly reader: DuckDBConnection,
    location: string,
    private readerTimeZone: string,
  ) {
    this.location = location;
  }

  /** Opens (creating when needed) the store. */
  static async open(options: EmbeddedStoreOptions): Promise<EmbeddedStore> {
    let path = ':memory:';
    if (options.dataDir !== ':memory:') {
      await mkdir(options.dataDir, { recursive: true });
      path = resolve(join(options.dataDir, 'jieneng.duckdb'));
    }
    const instance = await DuckDBInstance.create(path);
    const writer = await instance.connect();
    for (const sql of SCHEMA_SQL) await writer.run(sql);
    const reader = await instance.connect();
    for (const conn of [writer, reader]) await conn.run(`SET TimeZone = '${options.timeZone.replace(/'/g, '')}'`);
    return new EmbeddedStore(instance, writer, reader, path, options.timeZone);
  }

  async close(): Promise<void> {
    await this.writeLock.run(async () => {
      await this.readLock.run(async () => {
        this.reader.closeSync();
        this.writer.closeSync();
        this.instance.closeSync();
      });
    });
  }

  private write<T>(fn: (conn: DuckDBConnection) => Promise<T>, transaction = false): Promise<T> {
    return this.writeLock.run(async () => {
      if (!transaction) return fn(this.writer);
      await this.writer.run('BEGIN TRANSACTION');
      try {
        const out = await fn(this.writer);
        await this.writer.run('COMMIT');
        return out;
      } catch (error) {
        await this.writer.run('ROLLBACK');
        throw error;
      }
    });
  }

  private read(sql: string, params: unknown[] = []): Promise<Row[]> {
    return this.readLock.run(async () => {
      const result = await this.reader.runAndReadAll(sql, params as never);
      return result.getRowObjectsJS() as Row[];
    });
  }

  loadRegistry(): Promise<Registry> {
    return this.readLock.run(() => readRegistry(this.reader));
  }

  saveRegistry(registry: Registry): Promise<void> {
    return this.write((conn) => writeRegistry(conn, registry), true);
  }

  private async appendTo(conn: DuckDBConnection, table: string, readings: readonly StoredReading[]): Promise<void> {
    const appender = await conn.createAppender(table);
    for (const r of readings) {
      appender.appendVarchar(r.meterId);
      appender.appendTimestampTZ(tstz(r.tsMs));
      appender.appendDouble(r.value);
      appender.appendVarchar(r.gatewayId);
      appender.appendTimestampTZ(tstz(r.receivedAtMs));
      appender.endRow();
    }
    appender.closeSync();
  }

  appendReadings(readings: readonly StoredReading[]): Promise<void> {
    if (readings.length === 0) return Promise.resolve();
    return this.write((conn) => this.appendTo(conn, 'readings', readings));
  }

  insertReadings(readings: readonly StoredReading[]): Promise<InsertOutcome> {
    if (readings.length === 0) return Promise.resolve({ inserted: [], duplicates: 0, conflicts: [] });
    return this.write(async (conn) => {
      await conn.run(
        'CREATE OR REPLACE TEMP TABLE staging (meter_id VARCHAR, ts TIMESTAMPTZ, value DOUBLE, gateway_id VARCHAR, received_at TIMESTAMPTZ)',
      );
      await this.appendTo(conn, 'staging', readings);
      const existing = (
        await conn.runAndReadAll(
          `SELECT s.meter_id, epoch_ms(s.ts) AS ts_ms, r.value
           FROM (SELECT DISTINCT meter_id, ts FROM staging) s
           JOIN readings r ON r.meter_id = s.meter_id AND r.ts = s.ts
           WHERE r.ts BETWEEN (SELECT min(ts) FROM staging) AND (SELECT max(ts) FROM staging)`,
        )
      ).getRowObjectsJS() as Row[];
      const stored = new Map(existing.map((r) => [`${r.meter_id}\u0000${Number(r.ts_ms)}`, Number(r.value)]));
      const inserted: StoredReading[] = [];
      const conflicts: InsertOutcome['conflicts'] = [];
      let duplicates = 0;
      for (const reading of readings) {
        const key = `${reading.meterId}\u0000${reading.tsMs}`;
        const storedValue = stored.get(key);
        if (storedValue === undefined) {
          stored.set(key, reading.value);
          inserted.push(reading);
        } else if (storedValue === reading.value) duplicates++;
        else conflicts.push({ reading, storedValue });
      }
      await this.appendTo(conn, 'readings', inserted);
      return { inserted, duplicates, conflicts };
    }, true);
  }

  async readings(meterId: string, fromMs: number, toMs: number): Promise<StoredReading[]> {
    const rows = await this.read(
      `SELECT meter_id, epoch_ms(ts) AS ts_ms, value, gateway_id, epoch_ms(received_at) AS recv_ms FROM readings
       WHERE meter_id = $1 AND ts >= make_timestamptz($2::BIGINT * 1000) AND ts < make_timestamptz($3::BIGINT * 1000)
       ORDER BY ts`,
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

  async readingWindow(meterId: string, fromMs: number, toMs: number): Promise<RegisterReading[]> {
    const rows = await this.read(
      `WITH m AS (SELECT ts, value FROM readings WHERE meter_id = $1),
            lo AS (SELECT coalesce(max(ts), make_timestamptz($2::BIGINT * 1000)) AS t FROM m WHERE ts <= make_timestamptz($2::BIGINT * 1000)),
            hi AS (SELECT coalesce(min(ts), make_timestamptz($3::BIGINT * 1000)) AS t FROM m WHERE ts >= make_timestamptz($3::BIGINT * 1000))
       SELECT epoch_ms(ts) AS ts_ms, value FROM m WHERE ts >= (SELECT t FROM lo) AND ts <= (SELECT t FROM hi) ORDER BY ts`,
      [meterId, fromMs, toMs],
    );
    return rows.map((r) => ({ tsMs: Number(r.ts_ms), value: Number(r.value) }));
  }

  async readingTails(): Promise<Map<string, RegisterReading[]>> {
    const rows = await this.read(
      `WITH last AS (SELECT meter_id, max(ts) AS t FROM readings GROUP BY meter_id),
            anchor AS (SELECT r.meter_id, max(r.ts) AS a FROM readings r JOIN last l USING (meter_id)
                       WHERE r.ts <= date_trunc('hour', l.t) GROUP BY r.meter_id)
       SELECT r.meter_id, epoch_ms(r.ts) AS ts_ms, r.value FROM readings r JOIN last l USING (meter_id)
       LEFT JOIN anchor a USING (meter_id) WHERE r.ts >= coalesce(a.a, l.t) ORDER BY r.meter_id, r.ts`,
    );
    const byMeter = groupBy(rows, (r) => String(r.meter_id));
    const tails = new Map<string, RegisterReading[]>();
    for (const [id, list] of byMeter)
      tails.set(
        id,
        list.map((r) => ({ tsMs: Number(r.ts_ms), value: Number(r.value) })),
      );
    return tails;
  }

  replaceHourly(
    ranges: readonly { meterId: string; fromMs: number; toMs: number }[],
    rows: readonly HourlyConsumption[],
    appendReadings: readonly StoredReading[] = [],
  ): Promise<void> {
    if (ranges.length === 0 && rows.length === 0 && appendReadings.length === 0) return Promise.resolve();
    return this.write(async (conn) => {
      if (appendReadings.length > 0) await this.appendTo(conn, 'readings', appendReadings);
      if (ranges.length > 0) {
        await conn.run(
          'CREATE OR REPLACE TEMP TABLE hourly_ranges (meter_id VARCHAR, from_ts TIMESTAMPTZ, to_ts TIMESTAMPTZ)',
        );
        const appender = await conn.createAppender('hourly_ranges');
        let minFrom = Number.POSITIVE_INFINITY;
        for (const r of ranges) {
          appender.appendVarchar(r.meterId);
          appender.appendTimestampTZ(tstz(r.fromMs));
          appender.appendTimestampTZ(tstz(r.toMs));
          appender.endRow();
          minFrom = Math.min(minFrom, r.fromMs);
        }
        appender.closeSync();
        // The bound on hour_start lets DuckDB skip row groups by their zone maps.
        await conn.run(
          `DELETE FROM hourly h USING hourly_ranges r
           WHERE h.hour_start >= make_timestamptz($1::BIGINT * 1000)
             AND h.meter_id = r.meter_id AND h.hour_start >= r.from_ts AND h.hour_start < r.to_ts`,
          [minFrom],
        );
      }
      const appender = await conn.createAppender('hourly');
      for (const h of rows) {
        appender.appendVarchar(h.meterId);
        appender.appendTimestampTZ(tstz(h.hourStartMs));
        appender.appendDecimal(new DuckDBDecimalValue(BigInt(h.amountMicro), 18, 6));
        appender.appendDecimal(new DuckDBDecimalValue(BigInt(h.estimatedMicro), 18, 6));
        appender.appendVarchar(h.quality);
        appender.appendInteger(h.readingsCount);
        appender.endRow();
      }
      appender.closeSync();
    }, true);
  }

  async aggregate(query: AggregateQuery): Promise<AggregateRow[]> {
    const { sql, params } = aggregateSql(query);
    return this.readLock.run(async () => {
      if (query.timeZone !== this.readerTimeZone) {
        await this.reader.run(`SET TimeZone = '${query.timeZone.replace(/'/g, '')}'`);
        this.readerTimeZone = query.timeZone;
      }
      const rows = (await this.reader.runAndReadAll(sql, params as never)).getRowObjectsJS() as Row[];
      return rows.map((r) => ({
        bucketStartMs: Number(r.bucket_ms),
        energy: String(r.energy) as AggregateRow['energy'],
        groupId: String(r.group_id ?? ''),
        amount: Number(r.amount),
        estimated: Number(r.estimated),
        hoursWithData: Number(r.hours),
      }));
    });
  }

  addDeadLetters(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return Promise.resolve();
    return this.write(async (conn) => {
      const appender = await conn.createAppender('dead_letters');
      for (const d of letters) {
        appender.appendTimestampTZ(tstz(d.receivedAtMs));
        appender.appendVarchar(d.reason);
        appender.appendVarchar(d.raw);
        for (const v of [d.gatewayId, d.topic, d.meterId]) {
          if (v === undefined) appender.appendNull();
          else appender.appendVarchar(v);
        }
        if (d.tsMs === undefined) appender.appendNull();
        else appender.appendTimestampTZ(tstz(d.tsMs));
        appender.endRow();
      }
      appender.closeSync();
    });
  }

  async deadLetters(fromMs: number, toMs: number, limit: number): Promise<DeadLetter[]> {
    const rows = await this.read(
      `SELECT epoch_ms(received_at) AS recv_ms, reason, raw, gateway_id, topic, meter_id, epoch_ms(ts) AS ts_ms
       FROM dead_letters WHERE received_at >= make_timestamptz($1::BIGINT * 1000) AND received_at < make_timestamptz($2::BIGINT * 1000)
       ORDER BY received_at LIMIT $3`,
      [fromMs, toMs, limit],
    );
    return rows.map((r) => ({
      receivedAtMs: Number(r.recv_ms),
      reason: String(r.reason),
      raw: String(r.raw),
      ...(r.gateway_id === null ? {} : { gatewayId: String(r.gateway_id) }),
      ...(r.topic === null ? {} : { topic: String(r.topic) }),
      ...(r.meter_id === null ? {} : { meterId: String(r.meter_id) }),
      ...(r.ts_ms === null ? {} : { tsMs: Number(r.ts_ms) }),
    }));
  }

  saveToken(token: TokenRecord): Promise<void> {
    return this.write(async (conn) => {
      await conn.run('INSERT INTO tokens VALUES ($1, $2, $3, $4, make_timestamptz($5::BIGINT * 1000))', [
        token.id,
        token.name,
        token.role,
        token.hash,
        token.createdAtMs,
      ]);
    });
  }

  async findTokenByHash(hash: string): Promise<TokenRecord | undefined> {
    const [r] = await this.read('SELECT id, name, role, hash, epoch_ms(created_at) AS c FROM tokens WHERE hash = $1', [
      hash,
    ]);
    if (r === undefined) return undefined;
    return {
      id: String(r.id),
      name: String(r.name),
      role: String(r.role) as TokenRecord['role'],
      hash: String(r.hash),
      createdAtMs: Number(r.c),
    };
  }

  async countTokens(): Promise<number> {
    const [r] = await this.read('SELECT count(*) AS n FROM tokens');
    return Number(r?.n ?? 0);
  }
}
