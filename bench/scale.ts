/**
 * Province scale (issue 19, item 5): at each fleet size, a year of hourly data (scale-city.ts) and
 * the issue's questions over HTTP against the platform started on it: one institution's month of
 * days, the monthly ranking of all institutions, the city's month of days and the annual
 * statistics (JSON); each figure beside the same question at the smallest size (the growth ratio).
 */
import pino from 'pino';
import { loadConfig } from '../core/config.js';
import { localToEpochMs } from '../core/domain/time.js';
import { EmbeddedStore } from '../core/storage/duckdb/embedded-store.js';
import { startPlatform } from '../server/platform.js';
import { BENCH_TARIFFS } from './cost-seed.js';
import { type Figure, percentile, progress } from './harness.js';
import { apiClient, BENCH_TOKEN, UNLIMITED_RATES } from './platform-child.js';
import { removeTempDir } from './proc.js';
import { PROVENANCE, type ScaleSize, scaleCity } from './scale-city.js';

export const TIME_ZONE = 'Asia/Shanghai';
export const YEAR = 2025;
/** The sizes of the issue's table, meters, and 35,000 (3,500 institutions: the size the annual statistics' target names). */
export const DEFAULT_SCALE_METERS = [1500, 6000, 24_000, 35_000, 96_000];
const QUICK_SCALE_METERS = [300, 1200];

/** The platform's settings for a scale city in `dataDir`: local ports, no demo or jobs, no rate limits. */
export const scalePlatformEnv = (dataDir: string) => ({
  DATA_DIR: dataDir,
  PORT: '0',
  MQTT_PORT: '0',
  HOST: '127.0.0.1',
  MQTT_HOST: '127.0.0.1',
  DEMO: 'off',
  JOBS: 'off',
  ADMIN_TOKEN: BENCH_TOKEN,
  LOG_LEVEL: 'silent',
  TIMEZONE: TIME_ZONE,
  ...UNLIMITED_RATES,
});

/** One question of the bench, asked `runs` times (path by call number). */
export interface Question {
  readonly key: string;
  readonly name: string;
  readonly runs: number;
  readonly path: (i: number) => string;
  readonly target?: {
    text: string;
    met: (p95Ms: number, growth: number | undefined, institutions: number) => boolean;
    /** The target speaks of this many institutions: a smaller city is not judged by it (nothing to meet yet). */
    fromInstitutions?: number;
    /** The target speaks of a city of exactly this many institutions (a larger one has more to compile). */
    onlyInstitutions?: number;
  };
}

interface Measured {
  readonly p95Ms: number;
  readonly p50Ms: number;
  /** CPU time of the bench process (platform, DuckDB threads and client) per call, median: less sensitive to a busy machine. */
  readonly cpuP50Ms: number;
}

const pad = (n: number) => String(n).padStart(2, '0');
const monthOf = (i: number, months: number) => {
  const m = 1 + (i % months);
  return {
    month: `${YEAR}-${pad(m)}`,
    from: `${YEAR}-${pad(m)}-01`,
    to: m === 12 ? `${YEAR + 1}-01-01` : `${YEAR}-${pad(m + 1)}-01`,
  };
};

export function questions(institutions: readonly string[], months: number, quick: boolean): Question[] {
  // Institutions and months vary from call to call, so no answer is only ever served warm.
  const inst = (i: number) => institutions[(i * 7919) % institutions.length] as string;
  return [
    {
      key: 'institution-month',
      name: "one institution's month of days",
      runs: quick ? 30 : 100,
      path: (i) => {
        const { from, to } = monthOf(i, months);
        return `/api/v1/consumption?scope=institution:${inst(i)}&from=${from}&to=${to}&interval=day&energy=electricity`;
      },
      target: { text: '≤ 20 ms, growth ≤ 1.2', met: (p95, growth) => p95 <= 20 && (growth ?? 1) <= 1.2 },
    },
    {
      key: 'ranking',
      name: 'monthly ranking of all institutions',
      runs: quick ? 10 : 20,
      path: (i) => `/api/v1/reports/ranking?month=${monthOf(i, months).month}&metric=kgce_per_m2`,
      target: { text: '≤ 300 ms at 9,600 institutions', met: (p95) => p95 <= 300, fromInstitutions: 9_600 },
    },
    {
      key: 'city-month',
      name: "the city's month of days",
      runs: quick ? 20 : 40,
      path: (i) => {
        const { from, to } = monthOf(i, months);
        return `/api/v1/consumption?scope=city&from=${from}&to=${to}&interval=day&energy=electricity`;
      },
    },
    {
      key: 'statistics',
      name: `annual statistics ${YEAR}, city, JSON`,
      runs: quick ? 2 : 3,
      path: () => `/api/v1/statistics/annual?year=${YEAR}&scope=city`,
      target: { text: '≤ 2,000 ms at 3,500 institutions', met: (p95) => p95 <= 2000, onlyInstitutions: 3_500 },
    },
  ];
}

/** Measures every question on the platform started on one size's store. */
async function measureSize(size: ScaleSize, quick: boolean, months: number) {
  const city = await scaleCity(size);
  const institutions = city.fleet.registry.institutions.map((i) => i.id);
  // A city prices its energy: with tariffs every meter is costed (no count of uncosted hours).
  const seeded = await EmbeddedStore.open({ dataDir: city.dataDir, timeZone: TIME_ZONE });
  await seeded.replaceTariffs(BENCH_TARIFFS).finally(() => seeded.close());
  progress(`scale: ${size.meters} meters: starting the platform on ${city.rows.toLocaleString('en')} hourly rows`);
  const t0 = performance.now();
  const config = loadConfig(scalePlatformEnv(city.dataDir));
  const platform = await startPlatform(config, pino({ level: 'silent' })).catch(async (error: unknown) => {
    await removeTempDir(city.dataDir);
    throw error;
  });
  const startS = (performance.now() - t0) / 1000;
  try {
    const api = apiClient(platform.apiUrl);
    const out = new Map<string, Measured>();
    for (const q of questions(institutions, months, quick)) {
      progress(`scale: ${size.meters} meters: ${q.runs} × ${q.name}`);
      await api.json('GET', q.path(q.runs)); // warm-up, unmeasured
      const [sample, cpu]: [number[], number[]] = [[], []];
      for (let i = 0; i < q.runs; i++) {
        const [s, c] = [performance.now(), process.cpuUsage()];
        await api.json('GET', q.path(i));
        sample.push(performance.now() - s);
        const used = process.cpuUsage(c);
        cpu.push((used.user + used.system) / 1000);
      }
      out.set(q.key, { p95Ms: percentile(sample, 95), p50Ms: percentile(sample, 50), cpuP50Ms: percentile(cpu, 50) });
    }
    return { city, institutions: institutions.length, measured: out, startS };
  } finally {
    await platform.stop();
    await removeTempDir(city.dataDir);
  }
}

/** The scale bench: `npm run bench -- --only scale --meters 1500,6000,24000,96000` (default: also 35,000). */
export async function benchScale(opts: { quick: boolean; meters?: readonly number[] }): Promise<Figure[]> {
  const sizes = opts.meters ?? (opts.quick ? QUICK_SCALE_METERS : DEFAULT_SCALE_METERS);
  const fromMs = localToEpochMs(TIME_ZONE, YEAR, 1, 1);
  const toMs = opts.quick ? localToEpochMs(TIME_ZONE, YEAR, 3, 1) : localToEpochMs(TIME_ZONE, YEAR + 1, 1, 1);
  const months = opts.quick ? 2 : 12;
  const figures: Figure[] = [];
  let smallest: { meters: number; measured: Map<string, Measured> } | undefined;
  for (const meters of sizes) {
    const size: ScaleSize = { seed: 19, meters, fromMs, hours: (toMs - fromMs) / 3_600_000, timeZone: TIME_ZONE };
    const r = await measureSize(size, opts.quick, months);
    smallest ??= { meters: r.city.fleet.meters.length, measured: r.measured };
    const label = `${r.city.fleet.meters.length.toLocaleString('en')} meters, ${r.institutions.toLocaleString('en')} institutions`;
    const b = r.city.built;
    const made = r.city.fresh
      ? b.upgradeS > 0
        ? `cache upgraded to the current schema in this run in ${b.upgradeS.toFixed(0)} s`
        : `built in this run: hours ${b.hoursS.toFixed(0)} s, rollups ${b.rollupS.toFixed(0)} s`
      : `cached (built in hours ${b.hoursS.toFixed(0)} s + rollups ${b.rollupS.toFixed(0)} s${b.upgradeS > 0 ? `, upgraded in ${b.upgradeS.toFixed(0)} s` : ''})`;
    const sizeNote = `${r.city.rows.toLocaleString('en')} hourly rows (${months} months), store ${(r.city.diskBytes / 2 ** 30).toFixed(2)} GiB, ${made}; platform start ${r.startS.toFixed(1)} s`;
    for (const q of questions([], months, opts.quick)) {
      const m = r.measured.get(q.key);
      if (m === undefined) continue;
      const base = smallest.meters === r.city.fleet.meters.length ? undefined : smallest.measured.get(q.key);
      const growth = base === undefined ? undefined : m.p95Ms / base.p95Ms;
      figures.push({
        name: `${q.name}, API p95 (${label})`,
        value: m.p95Ms,
        unit: 'ms',
        ...(base === undefined
          ? {}
          : {
              baseline: { name: `same at ${smallest.meters.toLocaleString('en')} meters`, value: base.p95Ms },
              ratio: growth,
            }),
        ...(q.target === undefined ||
        r.institutions < (q.target.fromInstitutions ?? 0) ||
        (q.target.onlyInstitutions !== undefined && r.institutions !== q.target.onlyInstitutions)
          ? {}
          : { target: q.target.text, met: q.target.met(m.p95Ms, growth, r.institutions) }),
        note: `${q.runs} calls, p50 ${m.p50Ms.toFixed(1)} ms, CPU per call p50 ${m.cpuP50Ms.toFixed(1)} ms${base === undefined ? '' : ` (growth ${(m.cpuP50Ms / base.cpuP50Ms).toFixed(2)})`}; ${q.key === 'institution-month' ? `${sizeNote}; ratio = growth (value / baseline, lower is better); data: ${PROVENANCE}` : 'ratio = growth (value / baseline)'}`,
      });
    }
  }
  return figures;
}
