/**
 * The daily rollup of the scale bench's InfluxDB city, built from its cached hours by the store's
 * own `rebuildDaily` (what a store opened on a database of an earlier rollup version does), and
 * timed: cached by the source of the InfluxDB schema and rollup (`rollupKey`).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InfluxHttp, quoteIdent } from '../core/storage/influx/http.js';
import { dailyPlace, ROLLUP_RP, rebuildDaily } from '../core/storage/influx/rollup.js';
import { INFLUX } from '../core/storage/influx/schema.js';
import { rowsOf } from '../core/storage/influx/windows.js';
import { progress } from './harness.js';
import { type ScaleInfluxd, startInfluxdOn } from './scale-influx-server.js';

/** Waits until influxd is idle twice in a row 10 s apart (snapshots and compactions done); seconds. */
export async function compactions(server: ScaleInfluxd): Promise<number> {
  const t0 = performance.now();
  for (let idle = 0; idle < 2; ) {
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    idle = (await server.busy()) === 0 ? idle + 1 : 0;
  }
  return (performance.now() - t0) / 1000;
}

/** Hash of the source that writes the daily rollup. */
export async function rollupKey(): Promise<string> {
  const hash = createHash('sha256');
  const influx = join(import.meta.dirname, '..', 'core', 'storage', 'influx');
  for (const file of ['schema.ts', 'rollup.ts', 'daily-fold.ts'])
    hash.update(await readFile(join(influx, file), 'utf8'));
  return hash.digest('hex').slice(0, 10);
}

/** Runs `rebuildDaily` on the influxd data directory `dir` (database `database`), then waits for its compactions. */
export async function buildRollup(
  dir: string,
  timeZone: string,
  database: string,
): Promise<{ dailyPoints: number; daysS: number; rollupInfluxdCpuS: number }> {
  const server = await startInfluxdOn(dir);
  const http = new InfluxHttp({ api: 'v1', url: server.url, database, timeoutMs: 600_000 });
  try {
    const place = await dailyPlace(http);
    if (place.rp !== ROLLUP_RP) throw new Error('the rollup retention policy could not be created');
    const cpu0 = await server.cpuMs();
    const t0 = performance.now();
    await rebuildDaily(http, place, timeZone);
    const daysS = (performance.now() - t0) / 1000;
    const rollupInfluxdCpuS = ((await server.cpuMs()) - cpu0) / 1000;
    progress(`scale-influx: rebuildDaily took ${daysS.toFixed(0)} s (influxd CPU ${rollupInfluxdCpuS.toFixed(0)} s)`);
    const [count] = await http.query([
      `SELECT count(${quoteIdent(INFLUX.daily.fields.amountMicro)}) AS n FROM ${place.from}`,
    ]);
    const dailyPoints = Number(rowsOf(count?.series ?? [])[0]?.n ?? 0);
    await compactions(server);
    return { dailyPoints, daysS, rollupInfluxdCpuS };
  } finally {
    await http.close();
    await server.stop();
  }
}
