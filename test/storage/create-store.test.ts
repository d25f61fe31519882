import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../core/config.js';
import { createMetrics } from '../../core/metrics.js';
import { createStore, influxConnection, storeHealth } from '../../core/storage/create-store.js';
import { influxdSkipReason, startInfluxd } from '../helpers/influxd.js';

const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
};

describe('STORE=influx configuration', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('names every missing variable at once, with the other problems', () => {
    expect(problems({ STORE: 'influx', PORT: 'eighty' }).map((p) => p.split(':')[0])).toEqual([
      'PORT',
      'INFLUX_URL',
      'INFLUX_DATABASE',
    ]);
    expect(
      problems({ STORE: 'influx', INFLUX_URL: 'http://influx:8086', INFLUX_API: 'v2', INFLUX_ORG: 'city' }),
    ).toEqual([
      'INFLUX_TOKEN: required with STORE=influx and INFLUX_API=v2 (InfluxDB 2.x/3.x)',
      'INFLUX_BUCKET: required with STORE=influx and INFLUX_API=v2 (InfluxDB 2.x/3.x)',
    ]);
    expect(problems({ STORE: 'influx', INFLUX_URL: 'not a url', INFLUX_DATABASE: 'j', INFLUX_PASSWORD: 'x' })).toEqual([
      'INFLUX_URL: Invalid URL',
      'INFLUX_USERNAME: required with INFLUX_PASSWORD',
    ]);
    expect(problems({ STORE: 'postgres' })[0]).toMatch(/^STORE:/);
    expect(problems({ INFLUX_URL: 'http://ignored:8086' })).toEqual([]);
  });

  it('picks the API flavour: v1 with a database only, v2 with a token, org and bucket', () => {
    const v1 = loadConfig({ STORE: 'influx', INFLUX_URL: 'http://i:8086', INFLUX_DATABASE: 'jieneng' });
    expect(influxConnection(v1)).toEqual({ api: 'v1', url: 'http://i:8086', database: 'jieneng', timeoutMs: 10_000 });
    const v2 = loadConfig({
      STORE: 'influx',
      INFLUX_URL: 'http://i:8086',
      INFLUX_TOKEN: 't',
      INFLUX_ORG: 'o',
      INFLUX_BUCKET: 'b',
      INFLUX_TIMEOUT_MS: '2500',
    });
    expect(influxConnection(v2)).toEqual({
      api: 'v2',
      url: 'http://i:8086',
      token: 't',
      org: 'o',
      bucket: 'b',
      timeoutMs: 2500,
    });
    expect(v2.INFLUX_SPOOL_MAX_BYTES).toBe(268_435_456);
  });

  it('opens the store STORE selects', async () => {
    const deps = { logger: pino({ level: 'silent' }), metrics: createMetrics() };
    const embeddedDir = await mkdtemp(join(tmpdir(), 'jieneng-create-'));
    dirs.push(embeddedDir);
    const embedded = await createStore(loadConfig({ DATA_DIR: embeddedDir }), deps);
    expect(embedded.kind).toBe('embedded');
    expect(storeHealth(embedded)).toEqual({ status: 'ok' });
    await embedded.close();
    if (influxdSkipReason() !== undefined) return;
    const influxd = await startInfluxd();
    try {
      const dataDir = await mkdtemp(join(tmpdir(), 'jieneng-create-'));
      dirs.push(dataDir);
      const config = loadConfig({
        DATA_DIR: dataDir,
        STORE: 'influx',
        INFLUX_URL: influxd.url,
        INFLUX_DATABASE: await influxd.createDatabase(),
      });
      const store = await createStore(config, deps);
      expect(store.kind).toBe('influx');
      expect(storeHealth(store)).toMatchObject({ status: 'ok', spoolBytes: 0 });
      expect(await deps.metrics.registry.getSingleMetricAsString('jieneng_store_spool_bytes')).toMatch(/ 0$/);
      await store.close();
    } finally {
      await influxd.stop();
    }
  });
});
