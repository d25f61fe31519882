/**
 * Province scale on InfluxDB (issue 19, item 5: "for the embedded store and for InfluxDB where it
 * can run"): at each size, the scale bench's city (scale-city.ts) is loaded into a real InfluxDB 1.6
 * (scale-influx-load.ts, cached), and the scale bench's questions (scale.ts) are asked over HTTP of
 * the platform started with `STORE=influx`, then of the platform on the embedded store of the same
 * city, in the same run: each InfluxDB figure beside the embedded one, with its growth against the
 * smallest size.
 */
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../core/config.js';
import { localToEpochMs } from '../core/domain/time.js';
import { EmbeddedStore } from '../core/storage/duckdb/embedded-store.js';
import { startPlatform } from '../server/platform.js';
import { BENCH_TARIFFS } from './cost-seed.js';
import { type Figure, percentile, progress } from './harness.js';
import { apiClient } from './platform-child.js';
import { makeTempDir, removeTempDir } from './proc.js';
import { type Question, questions, scalePlatformEnv, TIME_ZONE, YEAR } from './scale.js';
import { type ScaleSize, scaleCity } from './scale-city.js';
import { influxCity, SCALE_INFLUX_DB } from './scale-influx-load.js';

/** Sizes measured by default (a year each): 13 M and 53 M hourly points. */
const DEFAULT_METERS = [1500, 6000];
/** A question whose first (unmeasured) call takes longer than this is asked once more only. */
const SLOW_CALL_MS = 30_000;
/** InfluxDB's request timeout in the platform (the default 10 s would cut the slowest answers short). */
const INFLUX_TIMEOUT_MS = 900_000;

interface Measured {
  readonly p95Ms: number;
  readonly p50Ms: number;
  readonly calls: number;
  /** CPU per call, median: of the bench process (platform and client; DuckDB's threads too). */
  readonly cpuP50Ms: number;
  /** CPU per call of influxd, median (0 on the embedded store). */
  readonly influxdCpuP50Ms: number;
  readonly error?: string;
}

/** Asks each question `runs` times after a warm-up; `influxdCpuMs` reads influxd's CPU when it runs. */
async function measure(
  apiUrl: string,
  qs: readonly Question[],
  label: string,
  influxdCpuMs?: () => Promise<number>,
): Promise<Map<string, Measured>> {
  const api = apiClient(apiUrl);
  const out = new Map<string, Measured>();
  const influxCpu = influxdCpuMs ?? (async () => 0);
  for (const q of qs) {
    const w0 = performance.now();
    try {
      await api.json('GET', q.path(q.runs)); // warm-up, unmeasured
    } catch (error) {
      const why = String(error).slice(0, 300);
      progress(
        `scale-influx: ${label}: ${q.name} failed after ${((performance.now() - w0) / 1000).toFixed(1)} s: ${why}`,
      );
      out.set(q.key, { p95Ms: Number.NaN, p50Ms: Number.NaN, calls: 0, cpuP50Ms: 0, influxdCpuP50Ms: 0, error: why });
      continue;
    }
    const runs = performance.now() - w0 > SLOW_CALL_MS ? 1 : q.runs;
    progress(`scale-influx: ${label}: ${runs} × ${q.name}`);
    const [sample, cpu, influxd]: [number[], number[], number[]] = [[], [], []];
    for (let i = 0; i < runs; i++) {
      const [s, c, d] = [performance.now(), process.cpuUsage(), await influxCpu()];
      await api.json('GET', q.path(i));
      sample.push(performance.now() - s);
      const used = process.cpuUsage(c);
      cpu.push((used.user + used.system) / 1000);
      influxd.push((await influxCpu()) - d);
    }
    out.set(q.key, {
      p95Ms: percentile(sample, 95),
      p50Ms: percentile(sample, 50),
      calls: runs,
      cpuP50Ms: percentile(cpu, 50),
      influxdCpuP50Ms: percentile(influxd, 50),
    });
  }
  return out;
}

const commonEnv = (dataDir: string) => ({
  ...scalePlatformEnv(dataDir),
  // The slowest InfluxDB answers take minutes: measured, not cut at the default 120 s.
  HTTP_REQUEST_TIMEOUT_MS: String(INFLUX_TIMEOUT_MS),
});

/** Starts the platform with `env`, measures, stops it. */
async function onPlatform(
  env: Record<string, string>,
  qs: readonly Question[],
  label: string,
  influxdCpuMs?: () => Promise<number>,
): Promise<{ measured: Map<string, Measured>; startS: number }> {
  const t0 = performance.now();
  const platform = await startPlatform(loadConfig(env), pino({ level: 'silent' }));
  const startS = (performance.now() - t0) / 1000;
  try {
    return { measured: await measure(platform.apiUrl, qs, label, influxdCpuMs), startS };
  } finally {
    await platform.stop();
  }
}

/** One size: the embedded store's figures, then InfluxDB's, on the same city. */
async function measureSize(size: ScaleSize) {
  const city = await scaleCity(size);
  try {
    const seeded = await EmbeddedStore.open({ dataDir: city.dataDir, timeZone: TIME_ZONE });
    const registry = await seeded.loadRegistry().finally(() => seeded.close());
    const institutions = registry.institutions.map((i) => i.id);
    const qs = questions(institutions, 12, false);
    const influx = await influxCity(size, join(city.dataDir, 'jieneng.duckdb'), registry);
    try {
      // The registry and the tariffs in the metadata store (DuckDB in DATA_DIR), as the embedded city has them.
      const metaDir = await makeTempDir('jieneng-bench-scale-influx-meta-');
      try {
        const meta = await EmbeddedStore.open({ dataDir: metaDir, timeZone: TIME_ZONE });
        await meta
          .saveRegistry(registry)
          .then(() => meta.replaceTariffs(BENCH_TARIFFS))
          .finally(() => meta.close());
        const rss0 = await influx.server.memory();
        const influxEnv = {
          ...commonEnv(metaDir),
          STORE: 'influx',
          INFLUX_URL: influx.server.url,
          INFLUX_DATABASE: SCALE_INFLUX_DB,
          INFLUX_TIMEOUT_MS: String(INFLUX_TIMEOUT_MS),
        };
        const label = `${size.meters} meters, InfluxDB`;
        const onInflux = await onPlatform(influxEnv, qs, label, () => influx.server.cpuMs());
        const rss1 = await influx.server.memory();
        await influx.close();
        const seededCity = await EmbeddedStore.open({ dataDir: city.dataDir, timeZone: TIME_ZONE });
        await seededCity.replaceTariffs(BENCH_TARIFFS).finally(() => seededCity.close());
        const onEmbedded = await onPlatform(commonEnv(city.dataDir), qs, `${size.meters} meters, embedded`);
        return { city, institutions: institutions.length, influx, onInflux, onEmbedded, influxdRss: { rss0, rss1 } };
      } finally {
        await removeTempDir(metaDir);
      }
    } finally {
      await influx.close().catch(() => undefined);
    }
  } finally {
    await removeTempDir(city.dataDir);
  }
}

const ms = (x: number) => (Number.isNaN(x) ? 'n/a' : `${x.toFixed(x >= 100 ? 0 : 1)} ms`);
const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

/** The InfluxDB scale bench: `npm run bench -- --only scale-influx --meters 1500,6000`. Full runs only. */
export async function benchScaleInflux(opts: { quick: boolean; meters?: readonly number[] }): Promise<Figure[]> {
  if (opts.quick) {
    progress('scale-influx: full runs only (loading a year of a city into InfluxDB takes minutes)');
    return [];
  }
  const fromMs = localToEpochMs(TIME_ZONE, YEAR, 1, 1);
  const toMs = localToEpochMs(TIME_ZONE, YEAR + 1, 1, 1);
  const figures: Figure[] = [];
  let smallest: { meters: number; measured: Map<string, Measured> } | undefined;
  for (const meters of opts.meters ?? DEFAULT_METERS) {
    const size: ScaleSize = { seed: 19, meters, fromMs, hours: (toMs - fromMs) / 3_600_000, timeZone: TIME_ZONE };
    const r = await measureSize(size);
    const n = r.city.fleet.meters.length;
    smallest ??= { meters: n, measured: r.onInflux.measured };
    const label = `${n.toLocaleString('en')} meters, ${r.institutions.toLocaleString('en')} institutions`;
    const l = r.influx.load;
    figures.push({
      name: `load into InfluxDB 1.6, hourly points per second (${label}, ${l.hourlyPoints.toLocaleString('en')} points)`,
      value: l.hourlyPoints / l.hoursS,
      unit: 'points/s',
      note:
        `${r.influx.fresh ? 'loaded in this run' : 'cached'}: hours ${l.hoursS.toFixed(0)} s (9 fields each, line protocol over /write, ` +
        `10,000 lines per request, 2 in flight), compactions after the load ${l.compactS.toFixed(0)} s; influxd CPU ${l.influxdCpuS.toFixed(0)} s, ` +
        `peak RSS ${gib(l.influxdPeakRssBytes)}; daily rollup ${l.dailyPoints.toLocaleString('en')} points by the store's rebuildDaily from the hours ` +
        `in ${l.daysS.toFixed(0)} s (influxd CPU ${l.rollupInfluxdCpuS.toFixed(0)} s; ${r.influx.freshRollup ? 'built in this run' : 'cached'}); ` +
        `on disk ${gib(l.diskBytes)} (embedded store ${gib(r.city.diskBytes)}); influxd started on the copy in ${r.influx.startS.toFixed(1)} s, ` +
        `RSS ${gib(r.influxdRss.rss0.rssBytes)} before the questions, ${gib(r.influxdRss.rss1.rssBytes)} after (peak ${gib(r.influxdRss.rss1.peakRssBytes)}); ` +
        `platform start ${r.onInflux.startS.toFixed(1)} s (embedded ${r.onEmbedded.startS.toFixed(1)} s)`,
    });
    for (const q of questions([], 12, false)) {
      const m = r.onInflux.measured.get(q.key);
      const e = r.onEmbedded.measured.get(q.key);
      if (m === undefined || e === undefined) continue;
      const base = smallest.meters === n ? undefined : smallest.measured.get(q.key);
      const growth =
        base === undefined
          ? ''
          : `; growth against ${smallest.meters.toLocaleString('en')} meters: p95 ${(m.p95Ms / base.p95Ms).toFixed(2)}, CPU ${((m.cpuP50Ms + m.influxdCpuP50Ms) / (base.cpuP50Ms + base.influxdCpuP50Ms)).toFixed(2)}`;
      figures.push({
        name: `${q.name}, InfluxDB, API p95 (${label})`,
        value: m.p95Ms,
        unit: 'ms',
        baseline: { name: 'embedded store p95, same city', value: e.p95Ms },
        ratio: m.p95Ms / e.p95Ms,
        note:
          m.error !== undefined
            ? `failed: ${m.error}`
            : `${m.calls} calls, p50 ${ms(m.p50Ms)} (embedded ${ms(e.p50Ms)}); CPU per call p50: platform ${ms(m.cpuP50Ms)} + influxd ${ms(m.influxdCpuP50Ms)} ` +
              `(embedded ${ms(e.cpuP50Ms)})${growth}; ratio = InfluxDB / embedded`,
      });
    }
  }
  return figures;
}
