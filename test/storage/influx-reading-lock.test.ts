import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.js';
import { createMetrics } from '../../core/metrics.js';
import { createStore } from '../../core/storage/create-store.js';
import { InfluxStore } from '../../core/storage/influx/influx-store.js';
import { PostgresMetadataStore } from '../../core/storage/postgres/postgres-metadata-store.js';
import { meterLockKey } from '../../core/storage/postgres/reading-key-lock.js';
import type { InsertOutcome, SeriesStore, StoredReading } from '../../core/storage/store.js';
import { type Influxd, influxdSkipReason, startInfluxd } from '../helpers/influxd.js';
import { postgresSkipReason, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { reading, TZ } from './contract-fixtures.js';

const skip = postgresSkipReason() ?? influxdSkipReason();

/** Meters × instants of the race: 200 (meter, timestamp) keys. */
const METERS = 20;
const INSTANTS = 10;
/** Concurrent `insertReadings` calls per store. */
const CALLS = 4;

const keyOf = (r: StoredReading) => `${r.meterId}@${r.tsMs}`;

/** Every key of the race once, with the value `base + index` (each worker has its own base). */
function keys(base: number): StoredReading[] {
  const out: StoredReading[] = [];
  for (let m = 0; m < METERS; m++)
    for (let t = 0; t < INSTANTS; t++) out.push(reading(`m${m}`, t * 15, base + m * INSTANTS + t));
  return out;
}

/**
 * Two workers send different values for every key at once, each in `CALLS` concurrent calls that
 * cut the keys differently (worker A: every CALLS-th key; worker B: blocks of meters, newest meter
 * first), so that calls of both stores hold overlapping meter sets in different orders.
 */
async function race(a: SeriesStore, b: SeriesStore): Promise<{ a: InsertOutcome[]; b: InsertOutcome[] }> {
  const fromA = keys(1000);
  const fromB = keys(2000).reverse();
  const callsA = Array.from({ length: CALLS }, (_, k) => fromA.filter((_, i) => i % CALLS === k));
  const size = fromB.length / CALLS;
  const callsB = Array.from({ length: CALLS }, (_, k) => fromB.slice(k * size, (k + 1) * size));
  const outcomes = await Promise.all(
    callsA.flatMap((list, k) => [a.insertReadings(list), b.insertReadings(callsB[k] ?? [])]),
  );
  return { a: outcomes.filter((_, i) => i % 2 === 0), b: outcomes.filter((_, i) => i % 2 === 1) };
}

describe.skipIf(skip !== undefined)('the duplicate check across workers (real PostgreSQL and InfluxDB)', () => {
  let server: TestPostgres;
  let influxd: Influxd;
  const dirs: string[] = [];
  const open: { close(): Promise<void> }[] = [];
  const dataDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jieneng-reading-lock-'));
    dirs.push(dir);
    return dir;
  };
  beforeAll(async () => {
    [server, influxd] = await Promise.all([startPostgres(), startInfluxd()]);
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await Promise.all([server?.stop(), influxd?.stop()]);
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  /** A worker: its own InfluxDB store and PostgreSQL metadata store, on the shared databases. */
  const worker = async (url: string, database: string) => {
    const metadata = await PostgresMetadataStore.open({ url });
    const store = await InfluxStore.open({
      connection: { api: 'v1', url: influxd.url, database, timeoutMs: 5000 },
      dataDir: await dataDir(),
      timeZone: TZ,
      spoolMaxBytes: 1 << 20,
      metadata,
      readingKeyLock: metadata.readingKeyLock,
    });
    open.push(store);
    return store;
  };

  /** The value InfluxDB holds for every key. */
  const storedValues = async (database: string) => {
    const [result] = await influxd.statements(database, 'SELECT "value" FROM "readings" GROUP BY "meter"');
    const values = new Map<string, number[]>();
    for (const s of result?.series ?? [])
      for (const [time, value] of s.values) {
        const key = `${s.tags?.meter}@${Number(time)}`;
        values.set(key, [...(values.get(key) ?? []), Number(value)]);
      }
    return values;
  };

  /** Every key has one stored value, written by the call that inserted it; the other value is one conflict. */
  const expectOneWinnerPerKey = async (database: string, outcomes: { a: InsertOutcome[]; b: InsertOutcome[] }) => {
    const all = [...outcomes.a, ...outcomes.b];
    const inserted = all.flatMap((o) => o.inserted);
    const conflicts = all.flatMap((o) => o.conflicts);
    expect(all.reduce((n, o) => n + o.duplicates, 0)).toBe(0);
    expect(conflicts).toHaveLength(METERS * INSTANTS);
    expect(inserted).toHaveLength(METERS * INSTANTS);
    const stored = await storedValues(database);
    expect(stored.size).toBe(METERS * INSTANTS);
    const winners = new Map(inserted.map((r) => [keyOf(r), r.value]));
    expect(winners.size).toBe(METERS * INSTANTS);
    for (const [key, values] of stored) expect([key, values]).toEqual([key, [winners.get(key)]]);
    for (const c of conflicts) {
      expect(c.storedValue).toBe(winners.get(keyOf(c.reading)));
      expect(c.reading.value).not.toBe(c.storedValue);
    }
  };

  it('keeps the first value of every key and reports the other as a conflict, once', async () => {
    const url = await server.createDatabase();
    const database = await influxd.createDatabase();
    const [a, b] = await Promise.all([worker(url, database), worker(url, database)]);
    await expectOneWinnerPerKey(database, await race(a, b));
    // Each worker's redeliveries of its own values: the winners' are duplicates, the others conflicts again.
    const again = await Promise.all([a.insertReadings(keys(1000)), b.insertReadings(keys(2000))]);
    expect(again.flatMap((o) => o.inserted)).toEqual([]);
    expect(again.reduce((n, o) => n + o.duplicates + o.conflicts.length, 0)).toBe(2 * METERS * INSTANTS);
  });

  it('is wired by createStore for STORE=influx with METADATA_URL', async () => {
    const env = {
      STORE: 'influx',
      INFLUX_URL: influxd.url,
      INFLUX_DATABASE: await influxd.createDatabase(),
      METADATA_URL: await server.createDatabase(),
    };
    const deps = { logger: pino({ level: 'silent' }), metrics: createMetrics() };
    const open2 = async () => createStore(loadConfig({ ...env, DATA_DIR: await dataDir() }), deps);
    const [a, b] = await Promise.all([open2(), open2()]);
    open.push(a, b);
    await expectOneWinnerPerKey(env.INFLUX_DATABASE, await race(a, b));
  });

  it('makes a second holder of a meter wait until the first releases it', async () => {
    const url = await server.createDatabase();
    const [one, two] = await Promise.all([PostgresMetadataStore.open({ url }), PostgresMetadataStore.open({ url })]);
    open.push(one, two);
    const releaseOne = await one.readingKeyLock.lockMeters(['m1', 'm2']);
    let got = false;
    const second = two.readingKeyLock.lockMeters(['m3', 'm2']).then((release) => {
      got = true;
      return release;
    });
    const waiting = async () =>
      (
        await server.query(url, `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`)
      )[0]?.n;
    await expect.poll(waiting).toBe(1);
    expect(got).toBe(false);
    await releaseOne();
    await releaseOne(); // a second release does nothing
    const releaseTwo = await second;
    await releaseTwo();
    expect(await waiting()).toBe(0);
  });

  it('keys a meter by a stable 64-bit hash', () => {
    // The keys are shared by every process and release of a cluster: they must never change.
    expect(meterLockKey('m-001')).toBe('4726623498623484867');
    expect(meterLockKey('m1')).toBe('1801285538095176727');
  });
});
