import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InfluxStore, type InfluxStoreOptions } from '../../core/storage/influx/influx-store.js';
import type { StoredReading } from '../../core/storage/store.js';
import { type Influxd, influxdSkipReason, startInfluxd } from '../helpers/influxd.js';
import { H, hour, LAST, query, REGISTRY, reading, T0, TZ } from './contract-fixtures.js';

const skip = influxdSkipReason();
const batch = (from: number, count: number): StoredReading[] =>
  Array.from({ length: count }, (_, i) => reading('light', 15 * (from + i), 100 + from + i));

describe.skipIf(skip !== undefined)('InfluxStore during InfluxDB outages (spool)', () => {
  let influxd: Influxd;
  const dirs: string[] = [];
  const stores: InfluxStore[] = [];
  let spoolBytes = 0;
  const options = async (database?: string, dataDir?: string): Promise<InfluxStoreOptions> => {
    const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'jieneng-influx-spool-')));
    dirs.push(dir);
    return {
      connection: {
        api: 'v1',
        url: influxd.url,
        database: database ?? (await influxd.createDatabase()),
        timeoutMs: 400,
      },
      dataDir: dir,
      timeZone: TZ,
      spoolMaxBytes: 4 * 1024 * 1024,
      onSpoolBytes: (bytes) => {
        spoolBytes = bytes;
      },
    };
  };
  const open = async (opts: InfluxStoreOptions) => {
    const store = await InfluxStore.open(opts);
    stores.push(store);
    return store;
  };
  const count = async (db: string) =>
    (await influxd.query(`SELECT count(value) FROM readings WHERE meter = 'light'`, db)).results[0]?.series?.[0]
      ?.values[0]?.[1];
  /** Appends readings with their hours (as the deriver's fast path does). */
  const append = (store: InfluxStore, readings: StoredReading[]) => {
    const first = readings[0] as StoredReading;
    const h = Math.floor(first.tsMs / H) * H;
    return store.replaceHourly([{ meterId: 'light', fromMs: h, toMs: h + H }], [hour('light', h, 1_000_000)], readings);
  };

  beforeAll(async () => {
    influxd = await startInfluxd();
  });
  afterEach(async () => {
    influxd.resume();
    for (const s of stores.splice(0)) await s.close();
  });
  afterAll(async () => {
    await influxd?.stop();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('spools while InfluxDB hangs (SIGSTOP), reports degraded, and drains in order when it answers again', async () => {
    const opts = await options();
    const store = await open(opts);
    await store.saveRegistry(REGISTRY);
    await append(store, batch(0, 4));
    influxd.pause();
    await append(store, batch(4, 4));
    expect(store.health()).toMatchObject({ status: 'degraded' });
    expect(store.health().spoolBytes).toBeGreaterThan(0);
    expect(spoolBytes).toBeGreaterThan(0);
    // Once spooling, writes no longer wait for the hung server.
    const started = Date.now();
    await append(store, batch(8, 4));
    expect(Date.now() - started).toBeLessThan(400);
    influxd.resume();
    await expect.poll(() => store.health().status, { timeout: 30_000 }).toBe('ok');
    // Health turns ok at the first successful write; the spool's last entries (settles) drain after it.
    await expect.poll(() => spoolBytes, { timeout: 30_000 }).toBe(0);
    const db = opts.connection.api === 'v1' ? opts.connection.database : '';
    expect(await count(db)).toBe(12);
    expect((await store.readings('light', T0, T0 + 10 * H)).map((r) => r.value)).toEqual(
      batch(0, 12).map((r) => r.value),
    );
    const hours = await store.aggregate(query({ filter: { meterId: 'light' }, interval: 'hour' }));
    expect(hours.map((r) => r.amount)).toEqual([1, 1, 1]);
  });

  it('keeps the spool on disk across a restart while InfluxDB is down (SIGKILL), and reads see spooled readings', async () => {
    const opts = await options();
    const db = opts.connection.api === 'v1' ? opts.connection.database : '';
    const first = await open(opts);
    await first.saveRegistry(REGISTRY);
    await append(first, batch(0, 4));
    await influxd.kill();
    await append(first, batch(4, 4));
    expect(first.health().status).toBe('degraded');
    await first.close();
    stores.splice(stores.indexOf(first), 1);
    await influxd.start();
    const second = await open(opts);
    // Whether or not the spool has drained yet, the spooled readings are stored.
    const outcome = await second.insertReadings([reading('light', 75, 105), reading('light', 90, 0)]);
    expect(outcome.duplicates).toBe(1);
    expect(outcome.conflicts).toEqual([{ reading: reading('light', 90, 0), storedValue: 106 }]);
    const window = (await second.readingWindows([{ meterId: 'light', fromMs: T0, toMs: LAST }], 3)).get('light');
    expect(window?.readings.map((r) => r.value)).toEqual(batch(0, 8).map((r) => r.value));
    await expect.poll(() => second.health().status, { timeout: 30_000 }).toBe('ok');
    expect(await count(db)).toBe(8);
  });

  it('refuses writes when the spool is full (back-pressure), and loses nothing it took', async () => {
    const opts = { ...(await options()), spoolMaxBytes: 3000 };
    const db = opts.connection.api === 'v1' ? opts.connection.database : '';
    const store = await open(opts);
    await store.saveRegistry(REGISTRY);
    await influxd.kill();
    let taken = 0;
    await expect(
      (async () => {
        for (;;) {
          await append(store, batch(taken, 1));
          taken++;
        }
      })(),
    ).rejects.toThrow(/spool is full/);
    expect(taken).toBeGreaterThan(2);
    await influxd.start();
    await expect.poll(() => store.health().status, { timeout: 30_000 }).toBe('ok');
    expect(await count(db)).toBe(taken);
  });
});
