import { rm } from 'node:fs/promises';
import type { Platform } from '../server/platform.js';
import { city, ingest, latencies, startBenchPlatform } from './bench-city.js';
import { type Figure, percentile, progress } from './harness.js';

/**
 * Meter trees (issue "The meter model"): the same meters and readings as a flat fleet and as trees
 * (a main meter above 19 sub-meters per institution); city consumption by day, a sub-item, and the
 * monthly ranking, each beside the flat fleet. Totals of a tree read its main meters only, sub-items
 * the remainders.
 */
export async function benchTree(opts: { quick: boolean }): Promise<Figure[]> {
  const institutions = opts.quick ? 10 : 50;
  const hours = opts.quick ? 24 * 3 : 24 * 31;
  const runs = opts.quick ? 30 : 100;
  const platforms: Platform[] = [];
  const dirs: string[] = [];
  try {
    const fleet = async (tree: boolean) => {
      const reg = city(institutions, 20, tree);
      const { platform, dir } = await startBenchPlatform(reg);
      platforms.push(platform);
      dirs.push(dir);
      progress(`tree: ${tree ? 'trees' : 'flat fleet'} of ${reg.meters?.length} meters × ${hours + 1} hours`);
      await ingest(platform, reg, hours);
      return platform;
    };
    const [flat, tree] = [await fleet(false), await fleet(true)];
    const paths = {
      'city consumption by day, kgce': () =>
        '/api/v1/consumption?scope=city&from=2026-10-01&to=2026-11-01&interval=day&unit=kgce',
      'city HVAC sub-item by day': () =>
        '/api/v1/consumption?scope=city&from=2026-10-01&to=2026-11-01&interval=day&subItem=01B',
      'monthly ranking': () => '/api/v1/reports/ranking?month=2026-10&metric=kgce_per_m2',
    };
    const out: Figure[] = [];
    for (const [name, path] of Object.entries(paths)) {
      const a = await latencies(tree, path, runs);
      const b = await latencies(flat, path, runs);
      out.push({
        name: `${name}, meter trees (${institutions * 20} meters), p95`,
        value: percentile(a, 95),
        unit: 'ms',
        baseline: { name: 'the same meters flat, p95', value: percentile(b, 95) },
        ratio: percentile(b, 95) / percentile(a, 95),
        note: `p50 ${percentile(a, 50).toFixed(1)} ms (flat ${percentile(b, 50).toFixed(1)} ms)`,
      });
    }
    return out;
  } finally {
    for (const p of platforms) await p.stop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  }
}
