/**
 * The scale bench's city in a real InfluxDB 1.x (issue 19, item 5): the same registry and the same
 * hourly amounts as the embedded store's cached city (scale-city.ts), read back from its DuckDB
 * file and written as line protocol in bulk, in the InfluxDB store's layout (scale-influx-lines.ts:
 * `hourly` tagged from the registry, the `daily` rollup in its retention policy, the rollup's zone
 * marker), so that the platform opens it as a store that ingest had filled. The loaded server
 * directory is cached in bench/.cache/ by size, by the source of the InfluxDB schema and rollup and
 * by LOADER_VERSION (not by the generator of scale-city.ts); each run works on a copy.
 */
import { createHash } from 'node:crypto';
import { access, cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Registry } from '../core/domain/registry.js';
import { HOUR_MS } from '../core/domain/time.js';
import { InfluxHttp } from '../core/storage/influx/http.js';
import { dailyPlace, ROLLUP_RP } from '../core/storage/influx/rollup.js';
import { rollupZoneLine } from '../core/storage/influx/schema.js';
import { progress } from './harness.js';
import { makeTempDir, removeTempDir } from './proc.js';
import type { ScaleSize } from './scale-city.js';
import { checkLines, DAILY_LINE_SQL, HOURLY_LINE_SQL, spanJoin, spansTable } from './scale-influx-lines.js';
import { type ScaleInfluxd, startInfluxdOn } from './scale-influx-server.js';

/** The database the city is loaded into. */
export const SCALE_INFLUX_DB = 'jieneng';
const CACHE_DIR = join(import.meta.dirname, '.cache');
/** Change it when the loader writes other points: cached cities of another version are not reused. */
const LOADER_VERSION = 'scale-influx-load 1';
/** Lines per /write request (InfluxDB's advice: 5,000 to 10,000 points). */
const LINES_PER_WRITE = 10_000;
/** Requests in flight: influxd parses on one core while the next batch is built on the other. */
const WRITES_IN_FLIGHT = 2;
/** Hours read from DuckDB per query (a week: time order, as ingest writes). */
const HOURS_PER_QUERY = 24 * 7;

/** How the cached InfluxDB city was made. */
export interface InfluxLoad {
  readonly hourlyPoints: number;
  readonly dailyPoints: number;
  /** Seconds writing the hours, the days, and waiting for influxd's compactions to finish. */
  readonly hoursS: number;
  readonly daysS: number;
  readonly compactS: number;
  /** influxd's CPU time over the load, s, and its peak resident memory, bytes. */
  readonly influxdCpuS: number;
  readonly influxdPeakRssBytes: number;
  readonly diskBytes: number;
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

async function sourceKey(): Promise<string> {
  const hash = createHash('sha256');
  const influx = join(import.meta.dirname, '..', 'core', 'storage', 'influx');
  for (const file of ['schema.ts', 'rollup.ts']) hash.update(await readFile(join(influx, file), 'utf8'));
  hash.update(LOADER_VERSION);
  return hash.digest('hex').slice(0, 10);
}

/** Writes bodies of lines to influxd, a few requests in flight, retrying what a busy server refuses for now. */
class BulkWriter {
  private readonly inFlight = new Set<Promise<void>>();
  written = 0;

  constructor(
    private readonly url: string,
    private readonly rp: string | undefined,
  ) {}

  /** Sends `body` (`lines` lines) once fewer than WRITES_IN_FLIGHT requests are in flight. */
  async write(body: string, lines: number): Promise<void> {
    while (this.inFlight.size >= WRITES_IN_FLIGHT) await Promise.race(this.inFlight);
    const p = this.post(body).then(() => {
      this.written += lines;
      this.inFlight.delete(p);
    });
    this.inFlight.add(p);
  }

  private async post(body: string): Promise<void> {
    const rp = this.rp === undefined ? '' : `&rp=${this.rp}`;
    for (let attempt = 1; ; attempt++) {
      const res = await fetch(`${this.url}/write?db=${SCALE_INFLUX_DB}${rp}&precision=ms`, {
        method: 'POST',
        body,
      }).catch((error: unknown) => ({ status: 0, text: async () => String(error) }));
      if (res.status === 204) return;
      const why = await res.text();
      // 500 "timeout" or "cache-max-memory-size exceeded": influxd is behind with its snapshots.
      if ((res.status === 0 || res.status >= 500) && attempt < 60) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 250 * attempt)));
        continue;
      }
      throw new Error(`bulk write to influxd: ${res.status} ${why.slice(0, 300)}`);
    }
  }

  async flush(): Promise<void> {
    await Promise.all(this.inFlight);
  }
}

/** Loads the hours and days of the DuckDB store at `duckdbPath` into influxd (database created here). */
async function load(
  server: ScaleInfluxd,
  duckdbPath: string,
  registry: Registry,
  size: ScaleSize,
): Promise<Omit<InfluxLoad, 'compactS' | 'diskBytes' | 'influxdCpuS' | 'influxdPeakRssBytes'>> {
  const http = new InfluxHttp({ api: 'v1', url: server.url, database: SCALE_INFLUX_DB, timeoutMs: 60_000 });
  await http.query([`CREATE DATABASE ${SCALE_INFLUX_DB}`]);
  const place = await dailyPlace(http);
  if (place.rp !== ROLLUP_RP) throw new Error('the rollup retention policy could not be created');
  const instance = await DuckDBInstance.create(duckdbPath);
  const conn = await instance.connect();
  // DuckDB joins the lines of each instant (an hour's or a day's points: their order within a
  // request does not matter to InfluxDB); requests take whole instants up to LINES_PER_WRITE lines.
  const send = async (writer: BulkWriter, lineSql: string, fromWhere: string, time: string) => {
    const result = await conn.stream(
      `SELECT string_agg(${lineSql}, chr(10)) AS body, count(*)::DOUBLE AS n ${fromWhere} GROUP BY ${time} ORDER BY ${time}`,
    );
    let [bodies, lines]: [string[], number] = [[], 0];
    for await (const rows of result.yieldRows()) {
      for (const [body, n] of rows) {
        bodies.push(body as string);
        lines += n as number;
        if (lines < LINES_PER_WRITE) continue;
        await writer.write(bodies.join('\n'), lines);
        [bodies, lines] = [[], 0];
      }
    }
    if (lines > 0) await writer.write(bodies.join('\n'), lines);
  };
  try {
    await spansTable(conn, registry);
    await checkLines(conn, registry);
    const t0 = performance.now();
    const hours = new BulkWriter(server.url, undefined);
    let nextShare = 0.1;
    for (let h0 = 0; h0 < size.hours; h0 += HOURS_PER_QUERY) {
      const [fromMs, toMs] = [
        size.fromMs + h0 * HOUR_MS,
        size.fromMs + Math.min(size.hours, h0 + HOURS_PER_QUERY) * HOUR_MS,
      ];
      await send(
        hours,
        HOURLY_LINE_SQL,
        `FROM hourly h ${spanJoin('h', 'hour_start')}
         WHERE h.hour_start >= make_timestamptz(${fromMs}::BIGINT * 1000) AND h.hour_start < make_timestamptz(${toMs}::BIGINT * 1000)`,
        'h.hour_start',
      );
      const share = Math.min(size.hours, h0 + HOURS_PER_QUERY) / size.hours;
      if (share >= nextShare) {
        const rate = hours.written / ((performance.now() - t0) / 1000);
        progress(
          `scale-influx: ${size.meters} meters, hours loaded ${Math.round(share * 100)} % (${Math.round(rate).toLocaleString('en')} points/s)`,
        );
        while (nextShare <= share) nextShare += 0.1;
      }
    }
    await hours.flush();
    const t1 = performance.now();
    const days = new BulkWriter(server.url, place.rp);
    await send(days, DAILY_LINE_SQL, `FROM daily d ${spanJoin('d', 'day_start')}`, 'd.day_start');
    await days.flush();
    // The marker last: the store rebuilds a rollup it finds without it.
    await http.write([rollupZoneLine(size.timeZone, place.rp)], 'ms');
    return {
      hourlyPoints: hours.written,
      dailyPoints: days.written,
      hoursS: (t1 - t0) / 1000,
      daysS: (performance.now() - t1) / 1000,
    };
  } finally {
    conn.closeSync();
    instance.closeSync();
    await http.close();
  }
}

async function diskBytes(dir: string): Promise<number> {
  const { readdir, stat } = await import('node:fs/promises');
  let total = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true }))
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  return total;
}

/** A private copy of the InfluxDB city of `size`, running; built and cached first when needed. */
export interface InfluxCity {
  readonly server: ScaleInfluxd;
  readonly dir: string;
  readonly load: InfluxLoad;
  readonly fresh: boolean;
  /** Seconds influxd took to start on the copy (its WAL replayed, its index loaded). */
  readonly startS: number;
  close(): Promise<void>;
}

/**
 * The InfluxDB city of `size`: loaded from `duckdbPath` (the embedded city, scale-city.ts, whose
 * registry is `registry`) the first time, then started from a copy of the cache.
 */
export async function influxCity(size: ScaleSize, duckdbPath: string, registry: Registry): Promise<InfluxCity> {
  const stem = `scale-influx-${registry.meters.length}m-${size.hours}h-from${size.fromMs}-seed${size.seed}-src`;
  const key = `${stem}${await sourceKey()}`;
  const cached = join(CACHE_DIR, key);
  const done = join(cached, 'complete.json');
  let fresh = false;
  if (!(await exists(done))) {
    fresh = true;
    await rm(cached, { recursive: true, force: true });
    await mkdir(cached, { recursive: true });
    const points = registry.meters.length * size.hours;
    progress(
      `scale-influx: loading ${points.toLocaleString('en')} hourly points into influxd (cached in bench/.cache/${key})`,
    );
    const server = await startInfluxdOn(cached);
    try {
      const cpu0 = await server.cpuMs();
      const loaded = await load(server, duckdbPath, registry, size);
      progress(`scale-influx: ${size.meters} meters loaded; waiting for influxd's compactions`);
      const t0 = performance.now();
      // Idle twice in a row 10 s apart: snapshots and full compactions of the cold shards are done.
      for (let idle = 0; idle < 2; ) {
        await new Promise((resolve) => setTimeout(resolve, 10_000));
        idle = (await server.busy()) === 0 ? idle + 1 : 0;
      }
      const compactS = (performance.now() - t0) / 1000;
      const influxdCpuS = ((await server.cpuMs()) - cpu0) / 1000;
      const { peakRssBytes } = await server.memory();
      await server.stop();
      const meta: InfluxLoad = {
        ...loaded,
        compactS,
        influxdCpuS,
        influxdPeakRssBytes: peakRssBytes,
        diskBytes: await diskBytes(cached),
      };
      await writeFile(done, `${JSON.stringify({ size, meters: registry.meters.length, load: meta })}\n`);
    } catch (error) {
      await server.stop();
      throw error;
    }
  } else progress(`scale-influx: reusing bench/.cache/${key}`);
  const meta = JSON.parse(await readFile(done, 'utf8')) as { load: InfluxLoad };
  const dir = await makeTempDir('jieneng-bench-scale-influx-');
  await cp(cached, dir, { recursive: true, filter: (src) => !src.endsWith('complete.json') });
  const t0 = performance.now();
  const server = await startInfluxdOn(dir);
  return {
    server,
    dir,
    load: meta.load,
    fresh,
    startS: (performance.now() - t0) / 1000,
    close: async () => {
      await server.stop();
      await removeTempDir(dir);
    },
  };
}
