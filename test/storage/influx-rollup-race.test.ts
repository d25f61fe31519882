import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { HourlyConsumption } from '../../core/domain/consumption.js';
import { InfluxStore } from '../../core/storage/influx/influx-store.js';
import type { RollupSettleOptions } from '../../core/storage/influx/settle.js';
import type { AggregateQuery } from '../../core/storage/store.js';
import { influxdSkipReason } from '../helpers/influxd.js';
import { influxdForSuite } from '../helpers/influxd-suite.js';
import { waitFor } from '../helpers/wait.js';
import { H, hour, REGISTRY, T0, TZ } from './contract-fixtures.js';

/**
 * The daily rollup of InfluxDB with two stores (two ingest workers) writing hours of the same
 * meter-day at once: worker A reads the hours before B's land and writes its stale day after B's
 * fresh one. The interleavings are forced with the `beforeWrite` seam, on a real influxd.
 */
const skip = influxdSkipReason();

const METER = 'hvac';
const DAY = Array.from({ length: 24 }, (_, h) => hour(METER, T0 + h * H, 1_000_000 + 37_001 * h));
const FIRST = DAY.slice(0, 12);
const SECOND = DAY.slice(12);
const FIRST_RANGE = [{ meterId: METER, fromMs: T0, toMs: T0 + 12 * H }];
const SECOND_RANGE = [{ meterId: METER, fromMs: T0 + 12 * H, toMs: T0 + 24 * H }];
const MONTH_END = Date.parse('2026-12-01T00:00:00+08:00');
const microOf = (hours: readonly HourlyConsumption[]) => hours.reduce((sum, h) => sum + h.amountMicro, 0);
const FULL = microOf(DAY);

/** A promise to await and the function that resolves it. */
function gate(): { open: () => void; opened: Promise<void> } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A `beforeWrite` that holds the first recompute of the kind given (op's or settle's) until `release`. */
function holdFirst(settle: boolean, onHold: () => Promise<void> | void = () => undefined) {
  const read = gate();
  const release = gate();
  let armed = true;
  const beforeWrite = async (_days: unknown, isSettle: boolean) => {
    if (!armed || isSettle !== settle) return;
    armed = false;
    read.open();
    await onHold();
    await release.opened;
  };
  return { read, release, beforeWrite };
}

describe.skipIf(skip !== undefined)('daily rollup of InfluxDB with two writers of one database', () => {
  const suite = influxdForSuite();
  const { dirs, open } = suite;

  const openStore = async (database: string, rollupSettle: RollupSettleOptions, logger?: pino.Logger) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'jieneng-influx-race-'));
    dirs.push(dataDir);
    const store = await InfluxStore.open({
      connection: { api: 'v1', url: suite.influxd().url, database, timeoutMs: 5000 },
      dataDir,
      timeZone: TZ,
      spoolMaxBytes: 16 * 1024 * 1024,
      rollupSettle,
      ...(logger === undefined ? {} : { logger }),
    });
    open.push(store);
    await store.saveRegistry(REGISTRY);
    return store;
  };
  /** Workers A and B on a fresh database, each with its own metadata (as in the shared-subscription test). */
  const pair = async (a: RollupSettleOptions, b: RollupSettleOptions, logger?: pino.Logger) => {
    const database = await suite.influxd().createDatabase('race');
    return [await openStore(database, a, logger), await openStore(database, b), database] as const;
  };
  /** The meter's month and day (from the rollup) and the sum of its hours (from the hours), in micro-units. */
  const totals = async (store: InfluxStore) => {
    const q = (interval: AggregateQuery['interval'], toMs: number): AggregateQuery => ({
      filter: { meterId: METER },
      fromMs: T0,
      toMs,
      interval,
      timeZone: TZ,
      groupBy: 'none',
    });
    const sum = async (query: AggregateQuery) =>
      (await store.aggregate(query)).reduce((total, r) => total + Math.round(r.amount * 1e6), 0);
    return {
      month: await sum(q('month', MONTH_END)),
      day: await sum(q('day', T0 + 24 * H)),
      hours: await sum(q('hour', T0 + 24 * H)),
    };
  };
  /** A's op reads the first half, B writes the second half and its day, then A writes its stale day. */
  const staleLast = async (a: InfluxStore, b: InfluxStore, held: ReturnType<typeof holdFirst>) => {
    const writing = a.replaceHourly(FIRST_RANGE, FIRST);
    await held.read.opened;
    await b.replaceHourly(SECOND_RANGE, SECOND);
    held.release.open();
    await writing;
  };

  it('reproduces the race: without settling, the day written last by the stale worker stays short', async () => {
    const held = holdFirst(false);
    const [a, b] = await pair({ delayMs: 0, beforeWrite: held.beforeWrite }, { delayMs: 0 });
    await staleLast(a, b, held);
    await sleep(300);
    const stale = microOf(FIRST);
    expect(await totals(a)).toEqual({ month: stale, day: stale, hours: FULL });
    expect(await totals(b)).toEqual({ month: stale, day: stale, hours: FULL });
  });

  it('settles: month and day equal the sum of the hours once the writes are quiet', async () => {
    const held = holdFirst(false);
    const [a, b] = await pair({ delayMs: 200, beforeWrite: held.beforeWrite }, { delayMs: 200 });
    await staleLast(a, b, held);
    await Promise.all([a.rollupSettled(), b.rollupSettled()]);
    for (const store of [a, b]) expect(await totals(store)).toEqual({ month: FULL, day: FULL, hours: FULL });
  });

  it('closing settles first: a store opened afterwards reads the converged rollup', async () => {
    const held = holdFirst(false);
    const [a, b, database] = await pair({ delayMs: 200, beforeWrite: held.beforeWrite }, { delayMs: 200 });
    await staleLast(a, b, held);
    for (const s of open.splice(0)) await s.close();
    const reader = await openStore(database, { delayMs: 0 });
    expect(await totals(reader)).toEqual({ month: FULL, day: FULL, hours: FULL });
  });

  /** A's settle reads the first half only, then B writes and settles the second half, then A's settle lands. */
  const staleSettle = async (maxRepeats: number) => {
    const logs: { msg?: string }[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => logs.push(JSON.parse(line)) });
    const held = holdFirst(true);
    const [a, b] = await pair({ delayMs: 200, maxRepeats, beforeWrite: held.beforeWrite }, { delayMs: 200 }, logger);
    try {
      await a.replaceHourly(FIRST_RANGE, FIRST);
      await held.read.opened;
      await b.replaceHourly(SECOND_RANGE, SECOND);
      await b.rollupSettled();
      expect(await totals(b)).toEqual({ month: FULL, day: FULL, hours: FULL });
      // Slower than the quiet time: A cannot tell whether another worker's settle landed meanwhile.
      await sleep(250);
    } finally {
      held.release.open();
    }
    await a.rollupSettled();
    return { a, logs };
  };

  it('repeats a settle that was slower than the quiet time: another worker may have written meanwhile', async () => {
    // (Under heavy load the repeats themselves may be slow too, and give up after 3: they are fresh.)
    const { a } = await staleSettle(3);
    expect(await totals(a)).toEqual({ month: FULL, day: FULL, hours: FULL });
  });

  it('gives up after maxRepeats slow settles, and says so', async () => {
    const { a, logs } = await staleSettle(0);
    const stale = microOf(FIRST);
    expect(await totals(a)).toEqual({ month: stale, day: stale, hours: FULL });
    expect(logs.map((l) => l.msg)).toContain(
      'daily rollup: settles stayed slow; with several writers these days may stay short until their next write',
    );
  });

  it('spools a settle that finds InfluxDB gone and replays it once InfluxDB is back', async () => {
    const held = holdFirst(false);
    const killed = holdFirst(true, () => suite.influxd().kill());
    // B does not settle: only A's settle, spooled and replayed, can repair A's stale day.
    const [a, b] = await pair(
      { delayMs: 200, beforeWrite: (days, s) => (s ? killed.beforeWrite(days, s) : held.beforeWrite(days, s)) },
      { delayMs: 0 },
    );
    await staleLast(a, b, held);
    await killed.read.opened;
    killed.release.open();
    await waitFor(
      async () => a.health().status,
      (s) => s === 'degraded',
    );
    await sleep(400);
    await suite.influxd().start();
    await waitFor(
      async () => [a.health().status, b.health().status],
      (s) => s.every((x) => x === 'ok'),
      30_000,
    );
    await Promise.all([a.rollupSettled(), b.rollupSettled()]);
    for (const store of [a, b]) expect(await totals(store)).toEqual({ month: FULL, day: FULL, hours: FULL });
  }, 60_000);
});
