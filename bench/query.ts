/**
 * API latency on a city's hourly data: a month of daily totals of one institution, and the monthly
 * ranking of all institutions, both over HTTP, each beside a store query of the same month without
 * the work under test.
 */
import pino from 'pino';
import { loadConfig } from '../core/config.js';
import { localToEpochMs } from '../core/domain/time.js';
import { startPlatform } from '../server/platform.js';
import { type CitySize, cityStore } from './city-store.js';
import { type Figure, percentile, progress } from './harness.js';
import { apiClient, BENCH_TOKEN, UNLIMITED_RATES } from './platform-child.js';
import { removeTempDir } from './proc.js';

const TIME_ZONE = 'Asia/Shanghai';
const YEAR = 2025;

function size(quick: boolean): CitySize & { label: string; months: number } {
  const fromMs = localToEpochMs(TIME_ZONE, YEAR, 1, 1);
  return quick
    ? {
        seed: 7,
        districts: 12,
        institutions: 60,
        metersTarget: 600,
        fromMs,
        hours: (localToEpochMs(TIME_ZONE, YEAR, 2, 1) - fromMs) / 3_600_000,
        timeZone: TIME_ZONE,
        months: 1,
        label: 'small city, quick: 600 meters × 1 month of hours',
      }
    : {
        seed: 7,
        districts: 12,
        institutions: 600,
        metersTarget: 6000,
        fromMs,
        hours: (localToEpochMs(TIME_ZONE, YEAR + 1, 1, 1) - fromMs) / 3_600_000,
        timeZone: TIME_ZONE,
        months: 12,
        label: 'city-year: 6,000 meters × 8,760 hours',
      };
}

/**
 * Wall-clock ms of `n` calls of `a(i)` and of `b(i)`, alternated so that both see the same machine
 * (other work on it comes and goes), after `warmUp` unmeasured rounds.
 */
async function timedPair(
  n: number,
  a: (i: number) => Promise<unknown>,
  b: (i: number) => Promise<unknown>,
  warmUp = 5,
): Promise<[number[], number[]]> {
  const time = async (fn: (i: number) => Promise<unknown>, i: number) => {
    const t0 = performance.now();
    await fn(i);
    return performance.now() - t0;
  };
  const [as, bs]: [number[], number[]] = [[], []];
  for (let i = -warmUp; i < n; i++) {
    const ta = await time(a, Math.abs(i));
    const tb = await time(b, Math.abs(i));
    if (i < 0) continue;
    as.push(ta);
    bs.push(tb);
  }
  return [as, bs];
}

const p = (sample: number[], q: number) => `p${q} ${percentile(sample, q).toFixed(1)} ms`;

export async function benchQuery(opts: { quick: boolean }): Promise<Figure[]> {
  const city = size(opts.quick);
  const built = await cityStore(city);
  progress(`query: starting the platform on ${built.rows.toLocaleString('en')} hourly rows`);
  const config = loadConfig({
    DATA_DIR: built.dataDir,
    PORT: '0',
    MQTT_PORT: '0',
    HOST: '127.0.0.1',
    MQTT_HOST: '127.0.0.1',
    DEMO: 'off',
    ADMIN_TOKEN: BENCH_TOKEN,
    LOG_LEVEL: 'silent',
    TIMEZONE: TIME_ZONE,
    ...UNLIMITED_RATES,
  });
  const platform = await startPlatform(config, pino({ level: 'silent' })).catch(async (error: unknown) => {
    await removeTempDir(built.dataDir);
    throw error;
  });
  try {
    const api = apiClient(platform.apiUrl);
    const institutions = built.fleet.registry.institutions.map((i) => i.id);
    const month = (i: number) => {
      const m = 1 + (i % city.months);
      const pad = (n: number) => String(n).padStart(2, '0');
      const next = m === 12 ? `${YEAR + 1}-01-01` : `${YEAR}-${pad(m + 1)}-01`;
      return {
        from: `${YEAR}-${pad(m)}-01`,
        to: next,
        fromMs: localToEpochMs(TIME_ZONE, YEAR, m, 1),
        toMs: m === 12 ? localToEpochMs(TIME_ZONE, YEAR + 1, 1, 1) : localToEpochMs(TIME_ZONE, YEAR, m + 1, 1),
      };
    };
    // Institutions and months vary from call to call, so no answer is served from a warm cache only.
    const inst = (i: number) => institutions[(i * 7) % institutions.length] as string;
    const n = opts.quick ? 100 : 300;
    progress(`query: ${n} × a month of daily totals of one institution, over HTTP`);
    const [daily, dailyStore] = await timedPair(
      n,
      (i) => {
        const { from, to } = month(i);
        return api.json(
          'GET',
          `/api/v1/consumption?scope=institution:${inst(i)}&from=${from}&to=${to}&interval=day&energy=electricity`,
        );
      },
      (i) => {
        const { fromMs, toMs } = month(i);
        return platform.store.aggregate({
          filter: { institutionId: inst(i), energy: 'electricity' },
          fromMs,
          toMs,
          interval: 'day',
          timeZone: TIME_ZONE,
          groupBy: 'none',
        });
      },
    );

    const rankingRuns = opts.quick ? 30 : 60;
    progress(`query: ${rankingRuns} × the monthly ranking of all institutions, over HTTP`);
    const [ranking, cityTotal] = await timedPair(
      rankingRuns,
      (i) => api.json('GET', `/api/v1/reports/ranking?month=${month(i).from.slice(0, 7)}&metric=kgce_per_m2`),
      (i) =>
        platform.store.aggregate({
          filter: {},
          fromMs: month(i).fromMs,
          toMs: month(i).toMs,
          interval: 'total',
          timeZone: TIME_ZONE,
          groupBy: 'none',
        }),
    );

    const dailyP95 = percentile(daily, 95);
    const dailyStoreP95 = percentile(dailyStore, 95);
    const rankingP95 = percentile(ranking, 95);
    const cityP95 = percentile(cityTotal, 95);
    const built_ = built.buildS > 0 ? `; the store was built in this run in ${built.buildS.toFixed(0)} s` : '';
    return [
      {
        name: `month of daily totals, one institution, API p95 (${city.label})`,
        value: dailyP95,
        unit: 'ms',
        baseline: { name: 'same aggregate on the store, no HTTP, p95', value: dailyStoreP95 },
        ratio: dailyStoreP95 / dailyP95,
        target: '≤ 20 ms',
        met: dailyP95 <= 20,
        note: `GET /api/v1/consumption?scope=institution:…&interval=day&energy=electricity, ${n} calls over ${institutions.length} institutions and ${city.months} month(s); ${p(daily, 50)}; ratio = baseline / value${built_}`,
      },
      {
        name: `monthly ranking of all ${institutions.length} institutions, API p95 (${city.label})`,
        value: rankingP95,
        unit: 'ms',
        baseline: { name: 'city total of the same month, store query, p95', value: cityP95 },
        ratio: cityP95 / rankingP95,
        target: '≤ 100 ms',
        met: rankingP95 <= 100,
        note: `GET /api/v1/reports/ranking?month=…&metric=kgce_per_m2 (all energy types, kgce, per m², peer groups), ${rankingRuns} calls over ${city.months} month(s); ${p(ranking, 50)}; ratio = baseline / value`,
      },
    ];
  } finally {
    await platform.stop();
    await removeTempDir(built.dataDir);
  }
}
