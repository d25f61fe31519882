import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import type { HourlyConsumption } from '../../core/domain/consumption.js';
import type { Registry } from '../../core/domain/registry.js';
import { localToEpochMs } from '../../core/domain/time.js';
import { EmbeddedStore } from '../../core/storage/duckdb/embedded-store.js';
import type { AggregateQuery } from '../../core/storage/store.js';

/**
 * Schema 19 (issue 19, item 1): the rollups and the meter spans carry an integer key per meter id,
 * joined on and clustered by, because DuckDB's zone maps keep only 8 bytes of a text's min and max
 * and real ids share longer prefixes. Keys must never change or move to another id, whatever the
 * registry does, and an upgraded store must answer as before.
 */
const H = 3_600_000;
const ZONE = 'Asia/Shanghai';
const FROM = localToEpochMs(ZONE, 2026, 1, 1);
const FEB = localToEpochMs(ZONE, 2026, 2, 1);
const TO = localToEpochMs(ZONE, 2026, 2, 20);
// Ids sharing a 20-byte prefix, with awkward characters: what defeated text zone maps.
const P = 'gaochun-2-school-029-';
const ids = (inst: string, n: number) => Array.from({ length: n }, (_, k) => `${P}${inst}-b1-电表'${k}`);

function city(meterIds: readonly string[]): Registry {
  const institutions = [...new Set(meterIds.map((id) => id.slice(P.length, P.length + 1)))];
  return {
    districts: [{ id: 'd', name: 'D' }],
    institutions: institutions.map((id) => ({
      id,
      name: id,
      districtId: 'd',
      type: 'office' as const,
      floorAreaM2: 100,
      occupants: 1,
    })),
    buildings: institutions.map((id) => ({ id: `${id}-b`, institutionId: id, name: id, floorAreaM2: 100 })),
    gateways: [{ id: 'g', secretHash: 'x' }],
    meters: meterIds.map((id) => ({
      id,
      buildingId: `${id.slice(P.length, P.length + 1)}-b`,
      gatewayId: 'g',
      energy: 'electricity' as const,
      unit: 'kWh',
      multiplier: 1,
      intervalS: 900,
    })),
  };
}

const hour = (meterId: string, t: number): HourlyConsumption => ({
  meterId,
  hourStartMs: t,
  amountMicro: ((t / H) * 7919 + meterId.length * 104_729 + meterId.charCodeAt(meterId.length - 1)) % 5_000_000,
  estimatedMicro: 0,
  quality: 'good',
  readingsCount: 4,
});

async function ingest(store: EmbeddedStore, meterIds: readonly string[], fromMs: number, toMs: number): Promise<void> {
  for (let start = fromMs; start < toMs; start += 7 * 24 * H) {
    const end = Math.min(toMs, start + 7 * 24 * H);
    await store.replaceHourly(
      meterIds.map((meterId) => ({ meterId, fromMs: start, toMs: end })),
      meterIds.flatMap((m) => Array.from({ length: (end - start) / H }, (_, k) => hour(m, start + k * H))),
    );
  }
}

/** Days, months and a year by meter, institution and one institution, and the hours of day: what the rollups serve. */
async function answers(store: EmbeddedStore): Promise<unknown[]> {
  const q = (more: Partial<AggregateQuery>): AggregateQuery => ({
    filter: {},
    fromMs: FROM,
    toMs: FEB,
    interval: 'day',
    timeZone: ZONE,
    groupBy: 'meter',
    ...more,
  });
  const hours = await store.hourOfDayAmounts({
    filter: { institutionId: 'a' },
    boundariesMs: [FROM, FEB],
    timeZone: ZONE,
  });
  return [
    await store.aggregate(q({})),
    await store.aggregate(q({ interval: 'month', groupBy: 'institution', toMs: localToEpochMs(ZONE, 2026, 3, 1) })),
    await store.aggregate(q({ interval: 'year', filter: { institutionId: 'b' }, groupBy: 'none' })),
    [...hours].sort((x, y) => x.meterId.localeCompare(y.meterId) || x.segment - y.segment),
  ];
}

/** Runs `sql` on the closed store's file; its rows. */
async function onFile(dir: string, sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(join(dir, 'jieneng.duckdb'));
  const conn = await instance.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

const keysOf = async (dir: string) =>
  new Map(
    (await onFile(dir, 'SELECT meter_id, meter_key FROM meter_keys')).map((r) => [
      String(r.meter_id),
      Number(r.meter_key),
    ]),
  );

describe('meter keys (schema 19)', () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jieneng-keys-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('upgrades a store of schema 18: same answers, every rollup row keyed, clustered by key after the job', async () => {
    const dir = await tempDir();
    const meters = [...ids('b', 3), ...ids('a', 4)];
    let store = await EmbeddedStore.open({ dataDir: dir, timeZone: ZONE });
    await store.saveRegistry(city(meters));
    await ingest(store, meters, FROM, TO);
    await store.clusterRollups();
    const want = await answers(store);
    await store.close();
    // As a store of schema 18 was: no keys anywhere, clustered by id.
    await onFile(
      dir,
      `DROP TABLE meter_keys;
       ALTER TABLE daily DROP COLUMN meter_key; ALTER TABLE monthly DROP COLUMN meter_key;
       ALTER TABLE meter_spans DROP COLUMN meter_key;
       DELETE FROM schema_migrations WHERE version >= 19`,
    );
    store = await EmbeddedStore.open({ dataDir: dir, timeZone: ZONE });
    expect(await answers(store)).toEqual(want);
    // The upgrade leaves the months to cluster again, by key.
    expect(await store.clusterRollups()).toMatchObject({ dailyMonths: 1, monthlyYears: 1 });
    expect(await answers(store)).toEqual(want);
    await store.close();
    const keys = await keysOf(dir);
    expect([...keys.keys()].sort()).toEqual([...meters].sort());
    // Keys follow the ids' order, so a store clustered by id stays clustered by key.
    expect([...keys.entries()].sort((x, y) => x[1] - y[1]).map(([id]) => id)).toEqual([...meters].sort());
    const unkeyed = await onFile(
      dir,
      `SELECT (SELECT count(*) FROM daily WHERE meter_key IS NULL) + (SELECT count(*) FROM monthly WHERE meter_key IS NULL)
         + (SELECT count(*) FROM meter_spans WHERE meter_key IS NULL) AS n`,
    );
    expect(Number(unkeyed[0]?.n)).toBe(0);
    const january = await onFile(
      dir,
      `SELECT meter_key FROM daily WHERE day_start < make_timestamptz(${FEB}::BIGINT * 1000) ORDER BY rowid`,
    );
    const order = january.map((r) => Number(r.meter_key));
    expect(order).toEqual([...order].sort((x, y) => x - y));
  });

  it('gives one key per new meter when registry saves race each other', async () => {
    const store = await EmbeddedStore.open({ dataDir: ':memory:', timeZone: ZONE });
    const first = ids('a', 2);
    await store.saveRegistry(city(first));
    const more = [...first, ...ids('b', 3)];
    // Saved at once, each adding the same new meters: the second must see the first's keys.
    await Promise.all([store.saveRegistry(city(more)), store.saveRegistry(city(more)), store.saveRegistry(city(more))]);
    await ingest(store, more, FROM, FROM + 48 * H);
    const byMeter = await store.aggregate({
      filter: {},
      fromMs: FROM,
      toMs: FROM + 48 * H,
      interval: 'day',
      timeZone: ZONE,
      groupBy: 'meter',
    });
    expect(new Set(byMeter.map((r) => r.groupId))).toEqual(new Set(more));
    await store.close();
  });

  it('never changes or reuses a key: removed and re-added meters, new meters, history loaded before registration', async () => {
    const dir = await tempDir();
    const first = ids('a', 3);
    const store = await EmbeddedStore.open({ dataDir: dir, timeZone: ZONE });
    await store.saveRegistry(city(first));
    // History of a meter not registered yet: its rows wait without a key, and count once it is.
    const late = `${P}b-b1-late`;
    await ingest(store, [late], FROM, FEB);
    await store.saveRegistry(city(first.slice(1)));
    const added = [...ids('b', 2), late];
    await store.saveRegistry(city([...first, ...added]));
    await ingest(store, first, FROM, FEB);
    const of = (interval: 'month' | 'hour') =>
      store.aggregate({
        filter: { institutionId: 'b' },
        fromMs: FROM,
        toMs: FEB,
        interval,
        timeZone: ZONE,
        groupBy: 'none',
      });
    // The month from the rollup, against the same month summed from the hours.
    const total = await of('month');
    const fromHours = await of('hour');
    await store.close();
    const keys = await keysOf(dir);
    // The removed meter kept its key; the three new ones came after, in id order; no key twice.
    expect(keys.get(first[0] as string)).toBe(1);
    expect(new Set(keys.values()).size).toBe(keys.size);
    expect([...added].sort().map((id) => keys.get(id))).toEqual([4, 5, 6]);
    const sum = (rows: readonly { amount: number }[]) => rows.reduce((s, r) => s + Math.round(r.amount * 1e6), 0);
    expect(sum(total)).toBe(sum(fromHours));
    expect(sum(total)).toBeGreaterThan(0);
  });
});
