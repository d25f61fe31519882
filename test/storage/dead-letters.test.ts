import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../core/storage/duckdb/embedded-store.js';
import { SCHEMA_SQL } from '../../core/storage/duckdb/schema.js';
import type { DeadLetter } from '../../core/storage/store.js';

const T0 = Date.parse('2026-11-01T00:00:00Z');

/** Letters of two gateways, one second apart, oldest first. */
const LETTERS: DeadLetter[] = [
  { receivedAtMs: T0, reason: 'unknown meter "nope"', raw: '{"meter":"nope"}', gatewayId: 'g1', meterId: 'nope' },
  { receivedAtMs: T0 + 1000, reason: 'payload: not valid JSON', raw: '{x', gatewayId: 'g2' },
  {
    id: 'dl-given',
    code: 'store_failed',
    receivedAtMs: T0 + 2000,
    reason: 'store_failed: disk full',
    raw: '{"meter":"m1","ts":1,"value":2}',
    gatewayId: 'g1',
    meterId: 'm1',
    tsMs: T0,
  },
  {
    receivedAtMs: T0 + 3000,
    reason: 'value: expected a number',
    raw: '{"meter":"m2"}',
    gatewayId: 'g2',
    meterId: 'm2',
  },
];

describe('dead letters in the embedded store', () => {
  let store: EmbeddedStore;
  beforeEach(async () => {
    store = await EmbeddedStore.open({ dataDir: ':memory:', timeZone: 'Asia/Shanghai' });
    await store.addDeadLetters(LETTERS);
  });
  afterEach(async () => {
    await store?.close();
  });

  it('gives each letter a unique id and a code (its own, or the one its reason shows)', async () => {
    const got = await store.deadLetters(T0, T0 + 10_000, 10);
    expect(got.map((d) => d.code)).toEqual(['unknown_meter', 'invalid_payload', 'store_failed', 'invalid_reading']);
    expect(got[2]).toEqual(LETTERS[2]);
    const ids = got.map((d) => d.id);
    expect(new Set(ids).size).toBe(4);
    for (const id of ids) expect(id).toMatch(/^dl-/);
    expect(await store.deadLetter(ids[0] as string)).toEqual(got[0]);
    expect(await store.deadLetter('dl-none')).toBeUndefined();
  });

  it('lists newest first, by pages that continue after the last letter of the previous one', async () => {
    const all = { fromMs: T0, toMs: T0 + 10_000 };
    const first = await store.findDeadLetters({ ...all, limit: 3 });
    expect(first.map((d) => d.receivedAtMs)).toEqual([T0 + 3000, T0 + 2000, T0 + 1000]);
    const last = first[2] as DeadLetter;
    const next = await store.findDeadLetters({
      ...all,
      limit: 3,
      after: { receivedAtMs: last.receivedAtMs, id: last.id as string },
    });
    expect(next.map((d) => d.receivedAtMs)).toEqual([T0]);
    expect((await store.findDeadLetters({ fromMs: T0 + 1000, toMs: T0 + 3000, limit: 10 })).length).toBe(2);
  });

  it('filters by code, meter, gateway, and by the meters or gateways of a scope', async () => {
    const all = { fromMs: T0, toMs: T0 + 10_000, limit: 10 };
    const at = async (q: Partial<Parameters<EmbeddedStore['findDeadLetters']>[0]>) =>
      (await store.findDeadLetters({ ...all, ...q })).map((d) => d.receivedAtMs - T0);
    expect(await at({ code: 'store_failed' })).toEqual([2000]);
    expect(await at({ meterId: 'm2' })).toEqual([3000]);
    expect(await at({ gatewayId: 'g1' })).toEqual([2000, 0]);
    expect(await at({ within: { meterIds: ['m1', 'm2'], gatewayIds: [] } })).toEqual([3000, 2000]);
    expect(await at({ within: { meterIds: ['m1'], gatewayIds: ['g2'] } })).toEqual([3000, 2000, 1000]);
    expect(await at({ within: { meterIds: [], gatewayIds: [] } })).toEqual([]);
    expect(await at({ within: { meterIds: [], gatewayIds: ['g2'] }, code: 'invalid_payload' })).toEqual([1000]);
  });

  it('marks a letter retried once', async () => {
    expect(await store.markDeadLetterRetried('dl-given', T0 + 5000)).toBe(true);
    expect(await store.markDeadLetterRetried('dl-given', T0 + 6000)).toBe(false);
    expect(await store.markDeadLetterRetried('dl-none', T0 + 6000)).toBe(false);
    expect((await store.deadLetter('dl-given'))?.retriedAtMs).toBe(T0 + 5000);
  });
});

describe('dead letters stored by an earlier version', () => {
  let dir: string;
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('get an id and the code their reason shows when the store opens', async () => {
    dir = await mkdtemp(join(tmpdir(), 'jieneng-dl-'));
    const old = await DuckDBInstance.create(join(dir, 'jieneng.duckdb'));
    const conn = await old.connect();
    for (const sql of SCHEMA_SQL) await conn.run(sql);
    await conn.run(
      `INSERT INTO dead_letters VALUES (make_timestamptz(${T0}::BIGINT * 1000), 'unknown meter "x"', '{}', 'g1', NULL, 'x', NULL),
       (make_timestamptz(${T0}::BIGINT * 1000), 'payload of 300000 bytes exceeds 262144', 'x', 'g1', NULL, NULL, NULL)`,
    );
    conn.closeSync();
    old.closeSync();
    const store = await EmbeddedStore.open({ dataDir: dir, timeZone: 'Asia/Shanghai' });
    try {
      const got = await store.findDeadLetters({ fromMs: T0, toMs: T0 + 1, limit: 10 });
      expect(got.map((d) => d.code).sort()).toEqual(['oversized', 'unknown_meter']);
      expect(new Set(got.map((d) => d.id)).size).toBe(2);
      for (const d of got) expect(d.id).toMatch(/^dl-[0-9a-f]{32}$/);
    } finally {
      await store.close();
    }
  });
});
