import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HourlyConsumption } from '../../core/domain/consumption.js';
import type { Registry } from '../../core/domain/registry.js';
import { localToEpochMs } from '../../core/domain/time.js';
import { EmbeddedStore } from '../../core/storage/duckdb/embedded-store.js';
import type { AggregateQuery, HourOfDayRow } from '../../core/storage/store.js';
import { clusterRollupsJob } from '../../ingest/jobs/cluster-rollups.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { smallCity } from '../helpers/registry.js';

/**
 * The rollups are clustered by meter once their month is closed (issue 19, item 1): by the nightly
 * `cluster-rollups` job, not inside ingest's writes. Answers must not depend on whether a month is
 * clustered yet, on late data written into a clustered month, or on a second run.
 */
const H = 3_600_000;
const ZONE = 'Asia/Shanghai';
const FROM = localToEpochMs(ZONE, 2026, 1, 1);
const MARCH = localToEpochMs(ZONE, 2026, 3, 1);
const TO = localToEpochMs(ZONE, 2026, 3, 10);
const METERS = ['a-1', 'a-2', 'b-1', 'b-2', 'c-1'];
const registry: Registry = {
  districts: [{ id: 'd', name: 'D' }],
  institutions: ['a', 'b', 'c'].map((id) => ({
    id,
    name: id,
    districtId: 'd',
    type: 'office' as const,
    floorAreaM2: 100,
    occupants: 1,
  })),
  buildings: ['a', 'b', 'c'].map((id) => ({ id: `${id}-b`, institutionId: id, name: id, floorAreaM2: 100 })),
  gateways: [{ id: 'g', secretHash: 'x' }],
  meters: METERS.map((id) => ({
    id,
    buildingId: `${id.slice(0, 1)}-b`,
    gatewayId: 'g',
    energy: 'electricity' as const,
    unit: 'kWh',
    multiplier: 1,
    intervalS: 900,
  })),
};

const hour = (meterId: string, t: number, salt: number): HourlyConsumption => ({
  meterId,
  hourStartMs: t,
  amountMicro: ((t / H) * 7919 + salt * 104_729 + meterId.charCodeAt(0)) % 5_000_000,
  estimatedMicro: 0,
  quality: 'good',
  readingsCount: 4,
});

/** Writes [fromMs, toMs) in time order as ingest does: a week at a time, every meter of the week together. */
async function ingest(store: EmbeddedStore, fromMs: number, toMs: number, salt = 0): Promise<void> {
  for (let start = fromMs; start < toMs; start += 7 * 24 * H) {
    const end = Math.min(toMs, start + 7 * 24 * H);
    const rows = METERS.flatMap((m) =>
      Array.from({ length: (end - start) / H }, (_, k) => hour(m, start + k * H, salt)),
    );
    await store.replaceHourly(
      METERS.map((meterId) => ({ meterId, fromMs: start, toMs: end })),
      rows,
    );
  }
}

const sorted = (rows: readonly HourOfDayRow[]) =>
  [...rows].sort((x, y) => x.meterId.localeCompare(y.meterId) || x.segment - y.segment);

/** Every answer the rollups serve: days, months and the year by meter and institution, a scope, the hours of day. */
async function answers(store: EmbeddedStore): Promise<unknown[]> {
  const q = (more: Partial<AggregateQuery>): AggregateQuery => ({
    filter: {},
    fromMs: FROM,
    toMs: MARCH,
    interval: 'day',
    timeZone: ZONE,
    groupBy: 'meter',
    ...more,
  });
  return [
    await store.aggregate(q({})),
    await store.aggregate(q({ interval: 'month', groupBy: 'institution' })),
    await store.aggregate(q({ interval: 'year', filter: { institutionId: 'b' }, groupBy: 'none' })),
    await store.aggregate(q({ interval: 'total', groupBy: 'institution', sums: ['readings'] })),
    sorted(await store.hourOfDayAmounts({ filter: {}, boundariesMs: [FROM, MARCH], timeZone: ZONE })),
    sorted(
      await store.hourOfDayAmounts({ filter: { institutionId: 'a' }, boundariesMs: [FROM, MARCH], timeZone: ZONE }),
    ),
  ];
}

/** The same answers from the hours (no rollup serves an hourly query): the reference. */
async function fromHours(store: EmbeddedStore): Promise<number> {
  const rows = await store.aggregate({
    filter: {},
    fromMs: FROM,
    toMs: MARCH,
    interval: 'hour',
    timeZone: ZONE,
    groupBy: 'none',
  });
  return rows.reduce((s, r) => s + Math.round(r.amount * 1e6), 0);
}

/** The physical order of a rollup's rows in [fromMs, toMs): meter ids and starts, by row id. */
async function physical(dir: string, table: 'daily' | 'monthly', fromMs: number, toMs: number): Promise<string[]> {
  const instance = await DuckDBInstance.create(join(dir, 'jieneng.duckdb'));
  const conn = await instance.connect();
  try {
    const time = table === 'daily' ? 'day_start' : 'month_start';
    const reader = await conn.runAndReadAll(
      `SELECT meter_id || ' ' || epoch_ms(${time}) AS k FROM ${table}
       WHERE ${time} >= make_timestamptz(${fromMs}::BIGINT * 1000) AND ${time} < make_timestamptz(${toMs}::BIGINT * 1000)
       ORDER BY rowid`,
    );
    return reader.getRowObjectsJS().map((r) => String(r.k));
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

const byMeterThenTime = (keys: readonly string[]) =>
  [...keys].sort((x, y) => {
    const [mx = '', tx = '0'] = x.split(' ');
    const [my = '', ty = '0'] = y.split(' ');
    return mx.localeCompare(my) || Number(tx) - Number(ty);
  });

describe('clustering the rollups (cluster-rollups)', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('orders the closed months by meter, leaves answers unchanged, and is idempotent', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jieneng-cluster-'));
    dirs.push(dir);
    let store = await EmbeddedStore.open({ dataDir: dir, timeZone: ZONE });
    await store.saveRegistry(registry);
    await ingest(store, FROM, TO);
    // Ingest no longer clusters: January is still in time order.
    const before = await answers(store);
    const total = await fromHours(store);
    await store.close();
    const january = await physical(dir, 'daily', FROM, localToEpochMs(ZONE, 2026, 2, 1));
    expect(january).not.toEqual(byMeterThenTime(january));

    store = await EmbeddedStore.open({ dataDir: dir, timeZone: ZONE });
    const job = clusterRollupsJob(store);
    expect(await job.run()).toMatchObject({ dailyMonths: 2, monthlyYears: 1, clusteredBeforeMs: MARCH });
    expect(await answers(store)).toEqual(before);
    expect(await fromHours(store)).toBe(total);
    await store.close();
    for (const [table, from, to] of [
      ['daily', FROM, localToEpochMs(ZONE, 2026, 2, 1)],
      ['daily', localToEpochMs(ZONE, 2026, 2, 1), MARCH],
      ['monthly', FROM, MARCH],
    ] as const) {
      const rows = await physical(dir, table, from, to);
      expect(rows, `${table} ${from}`).toEqual(byMeterThenTime(rows));
    }

    store = await EmbeddedStore.open({ dataDir: dir, timeZone: ZONE });
    // Late data into a clustered month: appended, answered, and not clustered again.
    await ingest(store, FROM + 10 * 24 * H, FROM + 12 * 24 * H, 7);
    const late = await answers(store);
    expect(late).not.toEqual(before);
    expect(await store.clusterRollups()).toMatchObject({ dailyMonths: 0, monthlyYears: 0, clusteredBeforeMs: MARCH });
    expect(await answers(store)).toEqual(late);
    await store.close();
  });

  it('answers the same whether a month is clustered or not (a store rebuilt in another zone is)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jieneng-cluster-'));
    dirs.push(dir);
    const first = await EmbeddedStore.open({ dataDir: dir, timeZone: 'UTC' });
    await first.saveRegistry(registry);
    await ingest(first, FROM, TO);
    await first.close();
    // Reopened in the rollup's zone: rebuilt month by month in meter order, nothing left to cluster.
    const rebuilt = await EmbeddedStore.open({ dataDir: dir, timeZone: ZONE });
    const clusteredAnswers = await answers(rebuilt);
    expect(await rebuilt.clusterRollups()).toMatchObject({ dailyMonths: 0, monthlyYears: 0 });
    await rebuilt.close();
    const plain = await EmbeddedStore.open({ dataDir: ':memory:', timeZone: ZONE });
    await plain.saveRegistry(registry);
    await ingest(plain, FROM, TO);
    expect(await answers(plain)).toEqual(clusteredAnswers);
    await plain.close();
  });
});

it('schema 17 gives the meter spans of an older store their energy, sub-item, institution and district', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'jieneng-spans-'));
  try {
    const store = await EmbeddedStore.open({ dataDir: dir, timeZone: ZONE });
    await store.saveRegistry(registry);
    await ingest(store, FROM, MARCH);
    const want = await answers(store);
    await store.close();
    // As a store of schema 16 was: spans without the columns' values, version 17 not applied.
    const instance = await DuckDBInstance.create(join(dir, 'jieneng.duckdb'));
    const conn = await instance.connect();
    await conn.run('UPDATE meter_spans SET energy = NULL, sub_item = NULL, institution_id = NULL, district_id = NULL');
    await conn.run('DELETE FROM schema_migrations WHERE version >= 17');
    conn.closeSync();
    instance.closeSync();
    const upgraded = await EmbeddedStore.open({ dataDir: dir, timeZone: ZONE });
    expect(await answers(upgraded)).toEqual(want);
    await upgraded.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

describe('POST /api/v1/jobs/cluster-rollups/run', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
    expect((await t.api('PUT', '/api/v1/registry', smallCity())).status).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('runs on demand and reports what it clustered', async () => {
    const res = await t.api<{ lastRun: { outcome: string; detail: unknown } }>(
      'POST',
      '/api/v1/jobs/cluster-rollups/run',
    );
    expect(res.status).toBe(200);
    expect(res.body.lastRun).toMatchObject({ outcome: 'ok', detail: { dailyMonths: 0, monthlyYears: 0 } });
  });
});
