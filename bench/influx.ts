import { rm } from 'node:fs/promises';
import type { Platform } from '../server/platform.js';
import { influxdSkipReason, startInfluxd } from '../test/helpers/influxd.js';
import { city, H, ingest, latencies, startBenchPlatform, T0 } from './bench-city.js';
import { type Figure, percentile } from './harness.js';

const p50 = (influx: number[], embedded: number[]) =>
  `p50 ${percentile(influx, 50).toFixed(1)} ms (embedded ${percentile(embedded, 50).toFixed(1)} ms)`;

/**
 * InfluxDB backend: ingest throughput into a real influxd beside a bulk write of the same raw
 * readings as line protocol over plain HTTP, and query latency beside the embedded store.
 */
export async function benchInflux(opts: { quick: boolean; log: (s: string) => void }): Promise<Figure[]> {
  const skip = influxdSkipReason();
  if (skip !== undefined) {
    opts.log(`influx: skipped (${skip})`);
    return [];
  }
  const institutions = opts.quick ? 10 : 50;
  const metersPer = 20;
  const hours = opts.quick ? 24 * 3 : 24 * 31;
  const reg = city(institutions, metersPer);
  const readings = (reg.meters?.length ?? 0) * (hours + 1);
  const influxd = await startInfluxd();
  const dirs: string[] = [];
  const platforms: Platform[] = [];
  try {
    const start = async (env: Record<string, string>) => {
      const { platform, dir } = await startBenchPlatform(reg, env);
      platforms.push(platform);
      dirs.push(dir);
      return platform;
    };
    const db = await influxd.createDatabase('bench');
    const influx = await start({ STORE: 'influx', INFLUX_URL: influxd.url, INFLUX_DATABASE: db });
    opts.log(`influx: ingesting ${readings.toLocaleString('en')} readings into InfluxDB`);
    const influxS = await ingest(influx, reg, hours);
    // Baseline: the same raw readings as line protocol, bulk-written over plain HTTP.
    const bulkDb = await influxd.createDatabase('bulk');
    const lines: string[] = [];
    for (let h = 0; h <= hours; h++)
      for (const m of reg.meters ?? [])
        lines.push(`readings,meter=${m.id},gateway=${m.gatewayId} value=${h * 2},received_ms=${T0} ${T0 + h * H}`);
    const bulkStart = performance.now();
    for (let i = 0; i < lines.length; i += 5000) {
      const res = await fetch(`${influxd.url}/write?db=${bulkDb}&precision=ms`, {
        method: 'POST',
        body: lines.slice(i, i + 5000).join('\n'),
      });
      if (res.status !== 204) throw new Error(`bulk write: ${res.status} ${await res.text()}`);
    }
    const bulkS = (performance.now() - bulkStart) / 1000;
    const embedded = await start({});
    opts.log('influx: the same readings into the embedded store');
    await ingest(embedded, reg, hours);
    const runs = opts.quick ? 30 : 100;
    const month = (n: number) =>
      `/api/v1/consumption?scope=institution:i${String(n % institutions).padStart(4, '0')}&from=2026-10-01&to=2026-11-01&interval=day&energy=electricity`;
    const ranking = () => '/api/v1/reports/ranking?month=2026-10&metric=kgce_per_m2';
    const [monthInflux, monthEmbedded, rankInflux, rankEmbedded] = [
      await latencies(influx, month, runs),
      await latencies(embedded, month, runs),
      await latencies(influx, ranking, Math.ceil(runs / 3)),
      await latencies(embedded, ranking, Math.ceil(runs / 3)),
    ];
    const size = `${(reg.meters?.length ?? 0).toLocaleString('en')} meters × ${hours + 1} hourly readings`;
    return [
      {
        name: `ingest into a real InfluxDB 1.6 (readings and derived hours; ${size})`,
        value: readings / influxS,
        unit: 'readings/s',
        baseline: { name: 'bulk /write of the same raw readings', value: readings / bulkS },
        ratio: readings / influxS / (readings / bulkS),
        note: 'the platform also derives and writes hourly consumption, recomputes the daily rollup of the days it touched (one query and one write per op) and checks duplicates; the baseline writes raw points only',
      },
      {
        name: `month of daily totals, one institution, InfluxDB (${size}), p95`,
        value: percentile(monthInflux, 95),
        unit: 'ms',
        baseline: { name: 'embedded store p95', value: percentile(monthEmbedded, 95) },
        ratio: percentile(monthEmbedded, 95) / percentile(monthInflux, 95),
        note: `both stores answer from their daily rollup (InfluxDB: measurement daily); ${p50(monthInflux, monthEmbedded)}`,
      },
      {
        name: `monthly ranking of ${institutions} institutions, InfluxDB, p95`,
        value: percentile(rankInflux, 95),
        unit: 'ms',
        baseline: { name: 'embedded store p95', value: percentile(rankEmbedded, 95) },
        ratio: percentile(rankEmbedded, 95) / percentile(rankInflux, 95),
        note: `sums of the month by institution from the daily rollup; ${p50(rankInflux, rankEmbedded)}`,
      },
    ];
  } finally {
    for (const p of platforms) await p.stop();
    await influxd.stop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  }
}
