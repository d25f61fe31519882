import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../core/config.js';
import { memoryLimitBytes } from '../../core/memory-size.js';
import { createMetrics } from '../../core/metrics.js';
import { createStore } from '../../core/storage/create-store.js';
import { EmbeddedStore } from '../../core/storage/duckdb/embedded-store.js';
import { createDuckDbInstance } from '../../core/storage/duckdb/settings.js';

const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
};

type Rows = Record<string, unknown>[];

/** DuckDB's own view of its settings, read on the store's (private) reading connection. */
async function settingsOf(store: EmbeddedStore): Promise<{ memoryLimit: string; threads: string }> {
  const { read } = store as unknown as { read: (fn: (c: DuckDBConnection) => Promise<Rows>) => Promise<Rows> };
  const rows = await read.call(store, async (conn) =>
    (
      await conn.runAndReadAll(
        "SELECT current_setting('memory_limit') AS m, CAST(current_setting('threads') AS VARCHAR) AS t",
      )
    ).getRowObjects(),
  );
  return { memoryLimit: String(rows[0]?.m), threads: String(rows[0]?.t) };
}

describe('DuckDB settings (DUCKDB_MEMORY_LIMIT, DUCKDB_THREADS)', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('reach DuckDB through the configuration, default 2GB', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jieneng-duckdb-settings-'));
    dirs.push(dir);
    const deps = { logger: pino({ level: 'silent' }), metrics: createMetrics() };
    const set = await createStore(
      loadConfig({ DATA_DIR: dir, DUCKDB_MEMORY_LIMIT: '300MiB', DUCKDB_THREADS: '1', DEMO: 'off' }),
      deps,
    );
    try {
      expect(set).toBeInstanceOf(EmbeddedStore);
      expect(await settingsOf(set as EmbeddedStore)).toEqual({ memoryLimit: '300.0 MiB', threads: '1' });
    } finally {
      await set.close();
    }
    const byDefault = await createStore(loadConfig({ DATA_DIR: dir, DEMO: 'off' }), deps);
    try {
      // 2 GB = 2·10⁹ bytes, which DuckDB prints in binary units.
      expect((await settingsOf(byDefault as EmbeddedStore)).memoryLimit).toBe('1.8 GiB');
    } finally {
      await byDefault.close();
    }
  });

  it('refuses a bad value at start, naming the variable', () => {
    for (const bad of ['lots', '50%', '-1', '2', '64MB', '1.5 XB', ' GB'])
      expect(problems({ DUCKDB_MEMORY_LIMIT: bad }), bad).toEqual([
        'DUCKDB_MEMORY_LIMIT: a size of at least 128 MiB, e.g. 2GB, 1.5GiB or 512MB',
      ]);
    expect(problems({ DUCKDB_THREADS: '0' }).map((p) => p.split(':')[0])).toEqual(['DUCKDB_THREADS']);
    expect(problems({ DUCKDB_MEMORY_LIMIT: '1.5 GiB', DUCKDB_THREADS: '2' })).toEqual([]);
    expect(memoryLimitBytes('2GB')).toBe(2e9);
    expect(memoryLimitBytes('512 mib')).toBe(512 * 2 ** 20);
  });

  it('names the settings when DuckDB itself refuses them', async () => {
    await expect(createDuckDbInstance(':memory:', { memoryLimit: 'lots' })).rejects.toThrow(
      /memory_limit 'lots' \(DUCKDB_MEMORY_LIMIT\)/,
    );
  });
});
