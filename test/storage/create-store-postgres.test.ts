import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../core/config.js';
import { createMetrics } from '../../core/metrics.js';
import { createStore, storeHealth } from '../../core/storage/create-store.js';
import { influxdSkipReason, startInfluxd } from '../helpers/influxd.js';
import { postgresSkipReason, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { REGISTRY, T0 } from './contract-fixtures.js';

const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
};

describe('METADATA_URL configuration', () => {
  it('takes a postgres:// URL and refuses anything else, naming the variable', () => {
    expect(problems({ METADATA_URL: 'mysql://db/jieneng' })[0]).toMatch(/^METADATA_URL: a postgres:\/\/ URL/);
    expect(loadConfig({ METADATA_URL: 'postgresql://u:p@db:5432/jieneng' }).METADATA_URL).toBe(
      'postgresql://u:p@db:5432/jieneng',
    );
    expect(loadConfig({}).METADATA_URL).toBeUndefined();
  });
});

const skip = postgresSkipReason();

describe.skipIf(skip !== undefined)('createStore with METADATA_URL (real PostgreSQL)', () => {
  let server: TestPostgres;
  const dirs: string[] = [];
  const deps = { logger: pino({ level: 'silent' }), metrics: createMetrics() };
  const dataDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jieneng-create-pg-'));
    dirs.push(dir);
    return dir;
  };
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('keeps the metadata of STORE=embedded in PostgreSQL, the series in DuckDB', async () => {
    const url = await server.createDatabase();
    // The test server trusts local connections: the password is only there to be kept out of logs.
    const withPassword = url.replace('postgres@', 'postgres:pw-secret@');
    const store = await createStore(loadConfig({ DATA_DIR: await dataDir(), METADATA_URL: withPassword }), deps);
    try {
      expect(store.kind).toBe('embedded');
      expect(store.location).toContain('postgres:***@');
      expect(store.location).not.toContain('pw-secret');
      expect(storeHealth(store)).toEqual({ status: 'ok', metadata: 'postgres' });
      await store.saveRegistry(REGISTRY);
      await store.saveToken({ id: 'tok-1', name: 'admin', role: 'admin', hash: 'h-1', createdAtMs: T0 });
      const meters = await server.query(url, 'SELECT id FROM meters ORDER BY id');
      expect(meters.map((r) => r.id)).toEqual(REGISTRY.meters.map((m) => m.id));
      expect(await server.query(url, 'SELECT id FROM tokens')).toEqual([{ id: 'tok-1' }]);
    } finally {
      await store.close();
    }
  });

  it('gives STORE=influx the PostgreSQL metadata store: no DuckDB file in DATA_DIR', async () => {
    if (influxdSkipReason() !== undefined) return;
    const influxd = await startInfluxd();
    try {
      const url = await server.createDatabase();
      const dir = await dataDir();
      const config = loadConfig({
        DATA_DIR: dir,
        STORE: 'influx',
        INFLUX_URL: influxd.url,
        INFLUX_DATABASE: await influxd.createDatabase(),
        METADATA_URL: url,
      });
      const store = await createStore(config, deps);
      try {
        expect(store.kind).toBe('influx');
        await store.saveRegistry(REGISTRY);
        expect(await server.query(url, 'SELECT count(*)::int AS n FROM meters')).toEqual([
          { n: REGISTRY.meters.length },
        ]);
        expect(existsSync(join(dir, 'jieneng.duckdb'))).toBe(false);
      } finally {
        await store.close();
      }
    } finally {
      await influxd.stop();
    }
  });

  it('refuses to start on a metadata database of a newer release, leaving DATA_DIR untouched', async () => {
    const url = await server.createDatabase();
    const dir = await dataDir();
    const config = loadConfig({ DATA_DIR: dir, METADATA_URL: url });
    await (await createStore(config, deps)).close();
    await server.query(url, `INSERT INTO schema_migrations (version, description) VALUES (999, 'future')`);
    await expect(createStore(config, deps)).rejects.toMatchObject({ code: 'JN_STORE_SCHEMA_NEWER' });
    // The series store was not opened: the DuckDB file can be opened again at once.
    await server.query(url, 'DELETE FROM schema_migrations WHERE version = 999');
    await (await createStore(config, deps)).close();
  });
});
