/**
 * Metadata-heavy API routes with the metadata in PostgreSQL (`METADATA_URL`) beside the default
 * DuckDB, on the same city (issue "Production parity", speed). The platform runs as users run it,
 * twice side by side: each in turn gets the same registry and targets over the API, three hours
 * of readings over MQTT (one meter in ten stays silent), and its detection jobs run on demand, so
 * that it holds offline and over-target anomalies found the way production finds them. Then each
 * route is called on both platforms in turn, so that both see the same machine.
 */
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Target } from '../core/domain/targets.js';
import { formatLocalIso, HOUR_MS, localParts } from '../core/domain/time.js';
import { buildFleet } from '../simulator/fleet.js';
import type { Fleet } from '../simulator/model.js';
import { FleetPublisher } from '../simulator/publisher.js';
import { startPostgres, type TestPostgres } from '../test/helpers/postgres.js';
import { type Figure, percentile, progress } from './harness.js';
import { regroup } from './memory.js';
import { type PlatformChild, startPlatformChild, UNLIMITED_RATES } from './platform-child.js';
import { waitUntil } from './proc.js';

const TIME_ZONE = 'Asia/Shanghai';
const INTERVAL_MS = 900_000;
const DAY_MS = 24 * HOUR_MS;
/** One meter in this many never reports: the offline detector finds it. */
const SILENT_EVERY = 10;
/** One scope in this many has a current-month target far below its use: over target. */
const OVER_EVERY = 3;
/** Hours of readings published before the detection jobs run. */
const PUBLISHED_HOURS = 3;
const WARM_UP_CALLS = 5;
/**
 * Targets per PUT: DuckDB upserts them one statement at a time, and the full city's ~11,000 in one
 * request outlast the 120 s HTTP_REQUEST_TIMEOUT_MS on a busy machine.
 */
const TARGETS_PER_PUT = 1000;

interface CitySize {
  readonly institutions: number;
  readonly metersTarget: number;
  /** Gateways the meters are regrouped behind (one scrypt hash per secret at registration). */
  readonly gateways: number;
  /** Measured calls per route and platform. */
  readonly calls: number;
  readonly label: string;
}

const size = (quick: boolean): CitySize =>
  quick
    ? { institutions: 150, metersTarget: 1500, gateways: 50, calls: 20, label: 'quick' }
    : { institutions: 760, metersTarget: 6000, gateways: 100, calls: 50, label: 'full' };

const pad = (n: number) => String(n).padStart(2, '0');

/** Every meter installed two days ago, so that one that never reported counts as offline. */
function installed(fleet: Fleet, atMs: number): Fleet {
  const installedAt = new Date(atMs).toISOString();
  return {
    ...fleet,
    registry: { ...fleet.registry, meters: fleet.registry.meters.map((m) => ({ ...m, installedAt })) },
  };
}

/**
 * Annual electricity and kgce-per-m² targets and twelve monthly electricity targets of the city,
 * each district and each institution; one scope in OVER_EVERY is far over this month's.
 */
function cityTargets(fleet: Fleet, year: number, month: number): Target[] {
  const scopes = [
    'city',
    ...fleet.registry.districts.map((d) => `district:${d.id}`),
    ...fleet.registry.institutions.map((i) => `institution:${i.id}`),
  ];
  return scopes.flatMap((scope, k): Target[] => [
    { scope, energy: 'electricity', period: String(year), value: 1e9, unit: 'kWh' },
    { scope, energy: 'all', period: String(year), value: 60, unit: 'kgce/m2' },
    ...Array.from({ length: 12 }, (_, m): Target => {
      const over = m + 1 === month && k % OVER_EVERY === 0;
      return { scope, energy: 'electricity', period: `${year}-${pad(m + 1)}`, value: over ? 1 : 1e8, unit: 'kWh' };
    }),
  ]);
}

/** What a platform holds once populated. */
interface Populated {
  readonly readings: number;
  readonly anomalies: number;
  /** Wall-clock ms of the upload of every target. */
  readonly targetsMs: number;
}

/** A failure with the platform's own last words (its 500s say no more than "internal error"). */
const withOutput =
  (platform: PlatformChild) =>
  (error: unknown): never => {
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\nplatform output:\n${platform.output()}`,
    );
  };

/** Registry, targets, readings and the anomalies its detection jobs find, all through its own interfaces. */
async function populate(platform: PlatformChild, fleet: Fleet, targets: Target[], name: string): Promise<Populated> {
  progress(`metadata (${name}): registry of ${fleet.registry.meters.length.toLocaleString('en')} meters`);
  await platform.api.json('PUT', '/api/v1/registry', fleet.registry);
  const t0 = performance.now();
  for (let i = 0; i < targets.length; i += TARGETS_PER_PUT)
    await platform.api.json('PUT', '/api/v1/targets', { targets: targets.slice(i, i + TARGETS_PER_PUT) });
  const targetsMs = performance.now() - t0;
  const reporting = { ...fleet, meters: fleet.meters.filter((_, i) => i % SILENT_EVERY !== 0) };
  const publisher = new FleetPublisher({
    fleet: reporting,
    brokerUrl: platform.mqttUrl,
    maxClients: fleet.registry.gateways.length,
    maxInFlight: 200,
    connectTimeoutMs: 300_000,
  });
  try {
    const toMs = Math.floor(Date.now() / INTERVAL_MS) * INTERVAL_MS;
    progress(`metadata (${name}): ${PUBLISHED_HOURS} h of readings of ${reporting.meters.length} meters over MQTT`);
    const result = await publisher.backfill(toMs - PUBLISHED_HOURS * HOUR_MS, toMs);
    await waitUntil(
      'the readings to be stored',
      async () => (await platform.acceptedReadings()) >= result.readings,
      120_000,
      100,
    );
    progress(`metadata (${name}): detection jobs on demand`);
    for (const job of ['detect-hourly', 'detect-daily', 'detect-targets'])
      await platform.api.json('POST', `/api/v1/jobs/${job}/run`);
    const { anomalies } = await platform.api.json<{ anomalies: unknown[] }>('GET', anomaliesPath());
    return { readings: result.readings, anomalies: anomalies.length, targetsMs };
  } finally {
    await publisher.close().catch(() => undefined);
  }
}

/** The anomalies of the last 30 days (a month) up to tomorrow, local dates. */
function anomaliesPath(): string {
  const day = (ms: number) => formatLocalIso(ms, TIME_ZONE).slice(0, 10);
  return `/api/v1/anomalies?from=${day(Date.now() - 30 * DAY_MS)}&to=${day(Date.now() + DAY_MS)}`;
}

/**
 * A PostgreSQL server that is also stopped when the bench exits without reaching its `finally`
 * (main.ts exits on SIGINT and SIGTERM): SIGQUIT is PostgreSQL's immediate shutdown.
 */
async function startBenchPostgres(): Promise<TestPostgres> {
  const server = await startPostgres();
  try {
    const [row] = await server.query(server.url(), 'SHOW data_directory');
    const dataDir = String(row?.data_directory);
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const kill = () => {
      try {
        process.kill(pid, 'SIGQUIT');
        rmSync(dirname(dataDir), { recursive: true, force: true, maxRetries: 5 });
      } catch {
        // Already gone.
      }
    };
    process.once('exit', kill);
    return {
      ...server,
      stop: async () => {
        process.off('exit', kill);
        await server.stop();
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** Wall-clock ms of `n` calls on each platform, alternated, after WARM_UP_CALLS unmeasured rounds. */
async function timedAlternately(
  n: number,
  platforms: readonly PlatformChild[],
  call: (platform: PlatformChild, i: number) => Promise<unknown>,
): Promise<number[][]> {
  const samples = platforms.map((): number[] => []);
  for (let i = 0; i < WARM_UP_CALLS + n; i++) {
    for (const [k, platform] of platforms.entries()) {
      const t0 = performance.now();
      await call(platform, i);
      if (i >= WARM_UP_CALLS) samples[k]?.push(performance.now() - t0);
    }
  }
  return samples;
}

export async function benchMetadata(opts: { quick: boolean }): Promise<Figure[]> {
  const city = size(opts.quick);
  const nowMs = Date.now();
  const built = buildFleet({
    seed: 13,
    districts: 12,
    institutions: city.institutions,
    metersTarget: city.metersTarget,
  });
  const fleet = installed(regroup(built, city.gateways), nowMs - 2 * DAY_MS);
  const { year, month } = localParts(nowMs, TIME_ZONE);
  const targets = cityTargets(fleet, year, month);
  const stops: (() => Promise<void>)[] = [];
  try {
    progress('metadata: starting PostgreSQL and two platforms (DuckDB metadata, PostgreSQL metadata)');
    const postgres = await startBenchPostgres();
    stops.push(() => postgres.stop());
    const env = { ...UNLIMITED_RATES, TIMEZONE: TIME_ZONE };
    const duck = await startPlatformChild(env);
    stops.push(() => duck.stop());
    const pg = await startPlatformChild({ ...env, METADATA_URL: await postgres.createDatabase('jieneng_bench') });
    stops.push(() => pg.stop());
    // One after the other, so that the uploads are timed on an otherwise idle machine.
    const duckCity = await populate(duck, fleet, targets, 'DuckDB').catch(withOutput(duck));
    const pgCity = await populate(pg, fleet, targets, 'PostgreSQL').catch(withOutput(pg));

    const meters = fleet.registry.meters;
    const routes: { route: string; call: (p: PlatformChild, i: number) => Promise<unknown> }[] = [
      { route: 'GET /api/v1/registry', call: (p) => p.api.json('GET', '/api/v1/registry') },
      { route: 'GET /api/v1/anomalies?from&to (30 days)', call: (p) => p.api.json('GET', anomaliesPath()) },
      { route: 'GET /api/v1/targets', call: (p) => p.api.json('GET', '/api/v1/targets') },
      {
        route: `GET /api/v1/targets/progress?scope=city&year=${year}`,
        call: (p) => p.api.json('GET', `/api/v1/targets/progress?scope=city&year=${year}`),
      },
      {
        route: 'PUT /api/v1/registry (one meter renamed)',
        call: (p, i) => {
          const meter = meters[(i * 37) % meters.length] as (typeof meters)[number];
          return p.api.json('PUT', '/api/v1/registry', { meters: [{ ...meter, name: `${meter.name} #${i}` }] });
        },
      },
    ];
    const cityLabel = `${city.label}: ${fleet.registry.institutions.length} institutions, ${meters.length.toLocaleString('en')} meters`;
    const held = `the city holds ${fleet.registry.gateways.length} gateways, ${targets.length.toLocaleString('en')} targets and the anomalies detect-hourly/-daily/-targets found on ${PUBLISHED_HOURS} h of readings (1 meter in ${SILENT_EVERY} silent, 1 scope in ${OVER_EVERY} over its monthly target): ${pgCity.anomalies} on PostgreSQL, ${duckCity.anomalies} on DuckDB`;
    const run = `both platforms run as npm start runs them, with UNLIMITED_RATES (API rate limit raised out of the way); ratio = baseline / value`;
    const figures: Figure[] = [
      {
        name: `PUT /api/v1/targets, ${targets.length.toLocaleString('en')} targets in PUTs of ${TARGETS_PER_PUT}, PostgreSQL metadata, total (${cityLabel})`,
        value: pgCity.targetsMs / 1000,
        unit: 's',
        baseline: { name: 'same upload, DuckDB metadata (default)', value: duckCity.targetsMs / 1000 },
        ratio: duckCity.targetsMs / pgCity.targetsMs,
        note: `the set-up's upload, once per platform, one platform after the other; ${run}`,
      },
    ];
    for (const { route, call } of routes) {
      progress(`metadata: ${city.calls} × ${route} on each platform, alternately`);
      const [duckMs = [], pgMs = []] = await timedAlternately(city.calls, [duck, pg], call);
      const [duckP95, pgP95] = [percentile(duckMs, 95), percentile(pgMs, 95)];
      const p50 = (sample: number[]) => `${percentile(sample, 50).toFixed(1)} ms`;
      figures.push({
        name: `${route}, PostgreSQL metadata, p95 (${cityLabel})`,
        value: pgP95,
        unit: 'ms',
        baseline: { name: 'same route, DuckDB metadata (default), p95', value: duckP95 },
        ratio: duckP95 / pgP95,
        note: `${city.calls} sequential calls per platform after ${WARM_UP_CALLS} warm-up calls, the two platforms alternated; p50 ${p50(pgMs)} (PostgreSQL) vs ${p50(duckMs)} (DuckDB); ${held}; ${run}`,
      });
    }
    return figures;
  } finally {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => progress(`metadata: ${error}`));
  }
}
