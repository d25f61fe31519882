import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { InfluxStore } from '../../core/storage/influx/influx-store.js';
import type { Store } from '../../core/storage/store.js';
import { type Influxd, influxdSkipReason, startInfluxd } from '../helpers/influxd.js';
import { TZ } from './contract-fixtures.js';
import { metadataContract, seriesContract } from './store-contract.js';

const skip = influxdSkipReason();

describe.skipIf(skip !== undefined)('InfluxStore on a real InfluxDB 1.x (Debian influxd)', () => {
  let influxd: Influxd;
  const dirs: string[] = [];
  beforeAll(async () => {
    influxd = await startInfluxd();
  });
  afterAll(async () => {
    await influxd?.stop();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  const open = async (): Promise<Store> => {
    const dataDir = await mkdtemp(join(tmpdir(), 'jieneng-influx-meta-'));
    dirs.push(dataDir);
    const database = await influxd.createDatabase();
    return InfluxStore.open({
      connection: { api: 'v1', url: influxd.url, database, timeoutMs: 5000 },
      dataDir,
      timeZone: TZ,
      spoolMaxBytes: 16 * 1024 * 1024,
    });
  };
  seriesContract('influx (InfluxDB 1.x)', open);
  // Its metadata members delegate to DuckDB, except those that also write InfluxDB (dead letters, corrections).
  metadataContract('influx (delegating to DuckDB metadata)', open);
});
