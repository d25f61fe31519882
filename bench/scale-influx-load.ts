/**
 * The scale bench's city in a real InfluxDB 1.x (issue 19, item 5): the same registry and the same
 * hourly amounts as the embedded store's cached city (scale-city.ts), read back from its DuckDB
 * file and written as line protocol in bulk, in the InfluxDB store's layout (scale-influx-lines.ts:
 * `hourly` tagged from the registry), so that the platform opens it as a store that ingest had
 * filled. Two caches in bench/.cache/: the hours (~35 min at 1,500 meters), keyed by size and by what
 * shapes the hourly points (`hoursKey`); and from a copy of them, the daily rollup built by the
 * store's own `rebuildDaily` (scale-influx-rollup.ts), keyed by the source of the InfluxDB schema and
 * rollup. Each run works on a copy.
 */
import { createHash } from 'node:crypto';
import { access, cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Registry } from '../core/domain/registry.js';
import { HOUR_MS } from '../core/domain/time.js';
import { InfluxHttp } from '../core/storage/influx/http.js';
import { hourlyLine, hourlySpans, INFLUX } from '../core/storage/influx/schema.js';
import { progress } from './harness.js';
import { makeTempDir, removeTempDir } from './proc.js';
import type { ScaleSize } from './scale-city.js';
import { checkLines, HOURLY_LINE_SQL, spanJoin, spansTable } from './scale-influx-lines.js';
import { buildRollup, compactions, rollupKey } from './scale-influx-rollup.js';
import { type ScaleInfluxd, startInfluxdOn } from './scale-influx-server.js';

/** The database the city is loaded into. */
export const SCALE_INFLUX_DB = 'jieneng';
const CACHE_DIR = join(import.meta.dirname, '.cache');
/** Change it when the loader writes other hourly points: cached hours of another version are not reused. */
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
  /** Seconds writing the hours, and waiting for influxd's compactions to finish after them. */
  readonly hoursS: number;
  readonly compactS: number;
  /** influxd's CPU time over the load of the hours, s, and its peak resident memory, bytes. */
  readonly influxdCpuS: number;
  readonly influxdPeakRssBytes: number;
  /** Seconds of the store's `rebuildDaily` from the cached hours, influxd's CPU time over it, s. */
  readonly daysS: number;
  readonly rollupInfluxdCpuS: number;
  readonly diskBytes: number;
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * What shapes the hourly points: the SQL of their lines and series keys, the store's hourly names,
 * `hourlyLine` and `hourlySpans` (`checkLines` compares the SQL with them at a load), the loader.
 */
export function hoursKey(): string {
  const hash = createHash('sha256');
  for (const part of [HOURLY_LINE_SQL, spanJoin, spansTable, hourlyLine, hourlySpans, JSON.stringify(INFLUX.hourly)])
    hash.update(String(part));
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
): Promise<Pick<InfluxLoad, 'hourlyPoints' | 'hoursS'>> {
  const http = new InfluxHttp({ api: 'v1', url: server.url, database: SCALE_INFLUX_DB, timeoutMs: 60_000 });
  await http.query([`CREATE DATABASE ${SCALE_INFLUX_DB}`]);
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
    return { hourlyPoints: hours.written, hoursS: (performance.now() - t0) / 1000 };
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
  /** Whether the hours, and the rollup, were built in this run. */
  readonly fresh: boolean;
  readonly freshRollup: boolean;
  /** Seconds influxd took to start on the copy (its WAL replayed, its index loaded). */
  readonly startS: number;
  close(): Promise<void>;
}

type HoursLoad = Pick<InfluxLoad, 'hourlyPoints' | 'hoursS' | 'compactS' | 'influxdCpuS' | 'influxdPeakRssBytes'>;

/** The cached hours of `stem` (loaded the first time): their directory. */
async function cachedHours(stem: string, size: ScaleSize, duckdbPath: string, registry: Registry) {
  const key = hoursKey();
  const cached = join(CACHE_DIR, `${stem}-hours${key}`);
  const done = join(cached, 'complete.json');
  if (await exists(done))
    return { cached, fresh: false, load: (JSON.parse(await readFile(done, 'utf8')) as { load: HoursLoad }).load };
  await rm(cached, { recursive: true, force: true });
  await mkdir(cached, { recursive: true });
  const points = registry.meters.length * size.hours;
  progress(
    `scale-influx: loading ${points.toLocaleString('en')} hourly points into influxd (cached in bench/.cache/${stem}-hours${key})`,
  );
  const server = await startInfluxdOn(cached);
  try {
    const cpu0 = await server.cpuMs();
    const loaded = await load(server, duckdbPath, registry, size);
    progress(`scale-influx: ${size.meters} meters loaded; waiting for influxd's compactions`);
    const compactS = await compactions(server);
    const influxdCpuS = ((await server.cpuMs()) - cpu0) / 1000;
    const { peakRssBytes } = await server.memory();
    const load_: HoursLoad = { ...loaded, compactS, influxdCpuS, influxdPeakRssBytes: peakRssBytes };
    await server.stop();
    await writeFile(done, `${JSON.stringify({ size, meters: registry.meters.length, load: load_ })}\n`);
    return { cached, fresh: true, load: load_ };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/**
 * The InfluxDB city of `size`: its hours loaded from `duckdbPath` (the embedded city, scale-city.ts,
 * whose registry is `registry`) the first time, its daily rollup built from a copy of them by the
 * store's `rebuildDaily` whenever the rollup's source changes, then started from a copy of the cache.
 */
export async function influxCity(size: ScaleSize, duckdbPath: string, registry: Registry): Promise<InfluxCity> {
  const stem = `scale-influx-${registry.meters.length}m-${size.hours}h-from${size.fromMs}-seed${size.seed}`;
  const hours = await cachedHours(stem, size, duckdbPath, registry);
  const rollupDir = `${hours.cached}-rollup${await rollupKey()}`;
  const done = join(rollupDir, 'complete.json');
  let freshRollup = false;
  if (!(await exists(done))) {
    freshRollup = true;
    await rm(rollupDir, { recursive: true, force: true });
    await cp(hours.cached, rollupDir, { recursive: true, filter: (src) => !src.endsWith('complete.json') });
    progress(
      `scale-influx: building the daily rollup with rebuildDaily (cached in bench/.cache/${basename(rollupDir)})`,
    );
    const built = await buildRollup(rollupDir, size.timeZone, SCALE_INFLUX_DB);
    const load_: InfluxLoad = { ...hours.load, ...built, diskBytes: await diskBytes(rollupDir) };
    await writeFile(done, `${JSON.stringify({ size, meters: registry.meters.length, load: load_ })}\n`);
  } else progress(`scale-influx: reusing bench/.cache/${basename(rollupDir)}`);
  const meta = JSON.parse(await readFile(done, 'utf8')) as { load: InfluxLoad };
  const dir = await makeTempDir('jieneng-bench-scale-influx-');
  await cp(rollupDir, dir, { recursive: true, filter: (src) => !src.endsWith('complete.json') });
  const t0 = performance.now();
  const server = await startInfluxdOn(dir);
  return {
    server,
    dir,
    load: meta.load,
    fresh: hours.fresh,
    freshRollup,
    startS: (performance.now() - t0) / 1000,
    close: async () => {
      await server.stop();
      await removeTempDir(dir);
    },
  };
}
