import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../core/storage/duckdb/embedded-store.js';
import { DUCKDB_MIGRATIONS } from '../../core/storage/duckdb/migrations.js';
import { SCHEMA_SQL } from '../../core/storage/duckdb/schema.js';

// The dead-letter cases every metadata backend passes are in contract-dead-letters.ts.
const T0 = Date.parse('2026-11-01T00:00:00Z');

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
    // A file from before schema versions is brought to version 1, then to the newest, and recorded so.
    const file = await DuckDBInstance.create(join(dir, 'jieneng.duckdb'));
    const check = await file.connect();
    try {
      const rows = (await check.runAndReadAll('SELECT version FROM schema_migrations')).getRowObjectsJS();
      expect(rows.map((r) => Number(r.version))).toEqual(DUCKDB_MIGRATIONS.map((m) => m.version));
    } finally {
      check.closeSync();
      file.closeSync();
    }
  });
});
