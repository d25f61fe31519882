import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HourlyConsumption } from '../../core/domain/consumption.js';
import type { Registry } from '../../core/domain/registry.js';
import { bucketStart, localToEpochMs } from '../../core/domain/time.js';
import { EmbeddedStore } from '../../core/storage/duckdb/embedded-store.js';
import { aggregateStatements } from '../../core/storage/influx/aggregate.js';
import { InfluxStore } from '../../core/storage/influx/influx-store.js';
import type { AggregateQuery, AggregateRow, HourRange } from '../../core/storage/store.js';
import { type Influxd, influxdSkipReason, startInfluxd } from '../helpers/influxd.js';

/**
 * Both stores answer day, month, year and total queries from a daily rollup (the embedded store a
 * table, the InfluxDB store a measurement). It must give exactly what summing the hours gives, after
 * any sequence of replaces (late data, recomputes), and follow a change of the store's time zone.
 */
const H = 3_600_000;
const ZONE = 'Asia/Shanghai';
const FROM = localToEpochMs(ZONE, 2026, 1, 1);
const HOURS = 24 * 70; // two calendar months and a bit
const registry: Registry = {
  districts: [{ id: 'd', name: 'D' }],
  institutions: [{ id: 'i', name: 'I', districtId: 'd', type: 'office', floorAreaM2: 100, occupants: 1 }],
  buildings: [{ id: 'b', institutionId: 'i', name: 'B', floorAreaM2: 100 }],
  gateways: [{ id: 'g', secretHash: 'x' }],
  meters: ['m1', 'm2', 'm3'].map((id) => ({
    id,
    buildingId: 'b',
    gatewayId: 'g',
    energy: id === 'm3' ? ('water' as const) : ('electricity' as const),
    unit: id === 'm3' ? 'm3' : 'kWh',
    multiplier: 1,
    intervalS: 900,
  })),
};
const QUALITIES = ['good', 'estimated', 'suspect'] as const;

function hour(meterId: string, h: number, salt: number): HourlyConsumption {
  const amountMicro = ((h * 7919 + salt * 104_729) % 9_000_000) + 1;
  return {
    meterId,
    hourStartMs: FROM + h * H,
    amountMicro,
    estimatedMicro: salt % 3 === 1 ? amountMicro : 0,
    quality: QUALITIES[(h + salt) % 3] ?? 'good',
    readingsCount: (h + salt) % 4,
  };
}

/** Buckets of the hourly rows (a query the rollup cannot serve), summed into `interval` in JS. */
function bucketed(hours: readonly AggregateRow[], interval: 'day' | 'month' | 'year', zone: string): string[] {
  const sums = new Map<string, AggregateRow>();
  for (const r of hours) {
    const key = `${bucketStart(r.bucketStartMs, interval, zone)}|${r.energy}|${r.groupId}`;
    const s = sums.get(key);
    sums.set(
      key,
      s === undefined
        ? { ...r, bucketStartMs: bucketStart(r.bucketStartMs, interval, zone) }
        : {
            ...s,
            amount: s.amount + r.amount,
            estimated: s.estimated + r.estimated,
            readings: s.readings + r.readings,
            suspectHours: s.suspectHours + r.suspectHours,
            estimatedHours: s.estimatedHours + r.estimatedHours,
            goodHours: s.goodHours + r.goodHours,
          },
    );
  }
  return [...sums.values()].map(line).sort();
}

const line = (r: AggregateRow) =>
  [
    r.bucketStartMs,
    r.energy,
    r.groupId,
    r.amount.toFixed(6),
    r.estimated.toFixed(6),
    r.readings,
    r.suspectHours,
    r.estimatedHours,
    r.goodHours,
  ].join(' ');

/** What the rollup tests need of a store. */
interface RollupStore {
  saveRegistry(registry: Registry): Promise<void>;
  replaceHourly(ranges: readonly HourRange[], rows: readonly HourlyConsumption[]): Promise<void>;
  aggregate(query: AggregateQuery): Promise<AggregateRow[]>;
  close(): Promise<void>;
}

/** A backend: where a store's data lives (`place`: a directory, a database), and how to open it there. */
interface Backend {
  readonly name: string;
  readonly skip: string | undefined;
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
  /** A new empty place; `durable` when the test reopens it. */
  place(durable: boolean): Promise<string>;
  open(place: string, timeZone: string): Promise<RollupStore>;
}

function embeddedBackend(): Backend {
  const dirs: string[] = [];
  return {
    name: 'embedded store (DuckDB table)',
    skip: undefined,
    setUp: async () => undefined,
    tearDown: async () => {
      await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
    },
    place: async (durable) => {
      if (!durable) return ':memory:';
      const dir = await mkdtemp(join(tmpdir(), 'jieneng-rollup-'));
      dirs.push(dir);
      return dir;
    },
    open: (dataDir, timeZone) => EmbeddedStore.open({ dataDir, timeZone }),
  };
}

function influxBackend(): Backend {
  let influxd: Influxd | undefined;
  const dirs: string[] = [];
  return {
    name: 'InfluxDB store (measurement on a real influxd 1.x)',
    skip: influxdSkipReason(),
    setUp: async () => {
      influxd = await startInfluxd();
    },
    tearDown: async () => {
      await influxd?.stop();
      await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
    },
    place: async () => {
      if (influxd === undefined) throw new Error('influxd not started');
      return influxd.createDatabase('rollup');
    },
    open: async (database, timeZone) => {
      if (influxd === undefined) throw new Error('influxd not started');
      // Metadata in a fresh directory: the rollup lives in InfluxDB, beside the hours it sums.
      const dataDir = await mkdtemp(join(tmpdir(), 'jieneng-rollup-meta-'));
      dirs.push(dataDir);
      return InfluxStore.open({
        connection: { api: 'v1', url: influxd.url, database, timeoutMs: 10_000 },
        dataDir,
        timeZone,
        spoolMaxBytes: 64 * 1024 * 1024,
      });
    },
  };
}

async function compare(store: RollupStore, zone: string, fromMs: number, toMs: number): Promise<void> {
  const q = (interval: AggregateQuery['interval'], more: Partial<AggregateQuery> = {}): AggregateQuery => ({
    filter: {},
    fromMs,
    toMs,
    interval,
    timeZone: zone,
    groupBy: 'meter',
    ...more,
  });
  const hours = await store.aggregate(q('hour'));
  expect(hours.length).toBeGreaterThan(0);
  for (const interval of ['day', 'month', 'year'] as const) {
    const got = (await store.aggregate(q(interval))).map(line).sort();
    expect(got, interval).toEqual(bucketed(hours, interval, zone));
  }
  // Filters and groups run on the rollup's tags as on the hours'.
  const electricity = { filter: { energy: 'electricity' as const, buildingId: 'b' }, groupBy: 'institution' as const };
  const byInstitution = await store.aggregate(q('hour', electricity));
  expect((await store.aggregate(q('day', electricity))).map(line).sort()).toEqual(bucketed(byInstitution, 'day', zone));
}

/** Per meter and local day, the exact sums of the hours in `model` (micro-units, hour counts). */
function modelDays(model: ReadonlyMap<string, HourlyConsumption>, zone: string, toMs: number): string[] {
  const days = new Map<string, number[]>();
  for (const h of model.values()) {
    if (h.hourStartMs >= toMs) continue;
    const key = `${bucketStart(h.hourStartMs, 'day', zone)} ${h.meterId}`;
    const sums = days.get(key) ?? [0, 0, 0, 0, 0, 0];
    const add = [
      h.amountMicro,
      h.estimatedMicro,
      h.readingsCount,
      h.quality === 'suspect' ? 1 : 0,
      h.quality === 'estimated' ? 1 : 0,
      h.quality === 'good' ? 1 : 0,
    ];
    days.set(
      key,
      sums.map((v, k) => v + (add[k] ?? 0)),
    );
  }
  return [...days].map(([key, sums]) => `${key} ${sums.join(' ')}`).sort();
}

const dayLines = (rows: readonly AggregateRow[]) =>
  rows
    .map((r) =>
      [
        r.bucketStartMs,
        r.groupId,
        Math.round(r.amount * 1e6),
        Math.round(r.estimated * 1e6),
        r.readings,
        r.suspectHours,
        r.estimatedHours,
        r.goodHours,
      ].join(' '),
    )
    .sort();

const allHours = (m: string, salt: number) => Array.from({ length: HOURS }, (_, h) => hour(m, h, salt));

it('InfluxDB reads only the fields of the sums asked for, from the rollup', () => {
  const month = { filter: {}, fromMs: FROM, toMs: localToEpochMs(ZONE, 2026, 2, 1), timeZone: ZONE };
  const [statement] = aggregateStatements(
    { ...month, interval: 'total', groupBy: 'meter', sums: ['readings'] },
    { timeZone: ZONE, from: '"daily"' },
  );
  expect(statement?.sql).toMatch(
    /^SELECT sum\("amount_micro"\) AS amount, sum\("readings"\) AS readings FROM "daily" /,
  );
  const [all] = aggregateStatements({ ...month, interval: 'total', groupBy: 'meter' });
  for (const field of ['estimated_micro', 'q_suspect', 'q_estimated', 'q_good']) expect(all?.sql).toContain(field);
});

describe.each([embeddedBackend(), influxBackend()])('daily rollup: $name', (backend) => {
  let store: RollupStore | undefined;
  beforeAll(async () => {
    if (backend.skip === undefined) await backend.setUp();
  }, 60_000);
  afterAll(() => backend.tearDown());
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });
  const test = backend.skip === undefined ? it : it.skip;

  test('equals the sums of the hours after any sequence of replaces', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            meter: fc.constantFrom('m1', 'm2', 'm3'),
            from: fc.integer({ min: 0, max: HOURS - 1 }),
            length: fc.integer({ min: 1, max: 24 * 40 }),
            salt: fc.integer({ min: 0, max: 1000 }),
            drop: fc.integer({ min: 0, max: 5 }),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        async (writes) => {
          const s = await backend.open(await backend.place(false), ZONE);
          try {
            await s.saveRegistry(registry);
            const model = new Map<string, HourlyConsumption>();
            const initial = ['m1', 'm2', 'm3'].flatMap((m) => allHours(m, 0));
            await s.replaceHourly([], initial);
            for (const h of initial) model.set(`${h.meterId}@${h.hourStartMs}`, h);
            for (const w of writes) {
              const to = Math.min(HOURS, w.from + w.length);
              // Some hours of the range lose their row (as when a recompute finds no interval there).
              const rows = Array.from({ length: to - w.from }, (_, k) => w.from + k)
                .filter((h) => w.drop === 0 || h % (w.drop + 1) !== 0)
                .map((h) => hour(w.meter, h, w.salt));
              await s.replaceHourly([{ meterId: w.meter, fromMs: FROM + w.from * H, toMs: FROM + to * H }], rows);
              for (let h = w.from; h < to; h++) model.delete(`${w.meter}@${FROM + h * H}`);
              for (const h of rows) model.set(`${h.meterId}@${h.hourStartMs}`, h);
            }
            const toMs = localToEpochMs(ZONE, 2026, 3, 1);
            await compare(s, ZONE, FROM, toMs);
            const days = await s.aggregate({
              filter: {},
              fromMs: FROM,
              toMs,
              interval: 'day',
              timeZone: ZONE,
              groupBy: 'meter',
            });
            expect(dayLines(days)).toEqual(modelDays(model, ZONE, toMs));
          } finally {
            await s.close();
          }
        },
      ),
      { numRuns: 12, seed: 20261123 },
    );
    // 12 runs against a real influxd: 40–60 s on 2 cores, once over 120 s in a clean-clone CI run.
  }, 240_000);

  test('serves only whole days in its own zone; the answer is the same from hours or days', async () => {
    store = await backend.open(await backend.place(false), ZONE);
    await store.saveRegistry(registry);
    await store.replaceHourly([], allHours('m1', 3));
    // Days in another zone, and a range that starts mid-day: answered from the hours.
    await compare(store, 'Europe/London', Date.UTC(2026, 0, 2), Date.UTC(2026, 1, 20));
    await compare(store, ZONE, FROM + 5 * H, localToEpochMs(ZONE, 2026, 2, 20) + 7 * H);
    const total = await store.aggregate({
      filter: {},
      fromMs: FROM + 5 * H,
      toMs: FROM + 30 * H,
      interval: 'total',
      timeZone: ZONE,
      groupBy: 'none',
    });
    const want = Array.from({ length: 25 }, (_, k) => hour('m1', k + 5, 3).amountMicro).reduce((a, b) => a + b, 0);
    expect(total[0]?.amount).toBeCloseTo(want / 1e6, 6);
  });

  test('a total asking only for amounts and readings (the ranking) gives the hourly answer', async () => {
    store = await backend.open(await backend.place(false), ZONE);
    await store.saveRegistry(registry);
    await store.replaceHourly(
      [],
      ['m1', 'm2', 'm3'].flatMap((m, k) => allHours(m, k + 1)),
    );
    const month = { fromMs: FROM, toMs: localToEpochMs(ZONE, 2026, 2, 1), timeZone: ZONE, filter: {} };
    for (const groupBy of ['meter', 'institution'] as const) {
      const hours = await store.aggregate({ ...month, interval: 'hour', groupBy });
      const want = new Map<string, { amountMicro: number; readings: number }>();
      for (const r of hours) {
        const key = `${r.energy} ${r.groupId}`;
        const w = want.get(key) ?? { amountMicro: 0, readings: 0 };
        want.set(key, { amountMicro: w.amountMicro + Math.round(r.amount * 1e6), readings: w.readings + r.readings });
      }
      // Served by the daily rollup (whole local days), reading two of its six integer fields.
      const got = await store.aggregate({ ...month, interval: 'total', groupBy, sums: ['readings'] });
      const answer = new Map(
        got.map((r) => [`${r.energy} ${r.groupId}`, { amountMicro: Math.round(r.amount * 1e6), readings: r.readings }]),
      );
      expect(answer, groupBy).toEqual(want);
      expect(got.every((r) => r.bucketStartMs === FROM)).toBe(true);
    }
  });

  test('keeps local days across a daylight-saving change (Europe/London, 23- and 25-hour days)', async () => {
    const zone = 'Europe/London';
    store = await backend.open(await backend.place(false), zone);
    await store.saveRegistry(registry);
    await store.replaceHourly([], allHours('m2', 5));
    // Late data rewrites the hours around the change of 29 March.
    const from = Date.UTC(2026, 2, 27);
    const hours = Array.from({ length: 24 * 4 }, (_, k) => ({ ...hour('m2', k, 11), hourStartMs: from + k * H }));
    await store.replaceHourly([{ meterId: 'm2', fromMs: from, toMs: from + 24 * 4 * H }], hours);
    await compare(store, zone, Date.UTC(2026, 2, 1), Date.UTC(2026, 3, 1) - H);
  });

  test('is rebuilt in the new zone when its data is reopened with another TIMEZONE', async () => {
    const place = await backend.place(true);
    const first = await backend.open(place, ZONE);
    await first.saveRegistry(registry);
    await first.replaceHourly([], allHours('m2', 9));
    await first.close();
    store = await backend.open(place, 'UTC');
    await compare(store, 'UTC', Date.UTC(2026, 0, 1), Date.UTC(2026, 2, 1));
  });
});
