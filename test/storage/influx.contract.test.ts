import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { InfluxStore } from '../../core/storage/influx/influx-store.js';
import type { Store } from '../../core/storage/store.js';
import { type Influxd, influxdSkipReason, startInfluxd } from '../helpers/influxd.js';
import { TZ } from './contract-fixtures.js';
import { storeContract } from './store-contract.js';

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

  storeContract('influx (InfluxDB 1.x + embedded metadata)', async (): Promise<Store> => {
    const dataDir = await mkdtemp(join(tmpdir(), 'jieneng-influx-meta-'));
    dirs.push(dataDir);
    const database = await influxd.createDatabase();
    return InfluxStore.open({
      connection: { api: 'v1', url: influxd.url, database, timeoutMs: 5000 },
      dataDir,
      timeZone: TZ,
      spoolMaxBytes: 16 * 1024 * 1024,
    });
  });
});
