/**
 * A city of any size with a year of hourly data, for the scale bench (issue 19, item 5). Ingest
 * (or `replaceHourly`) would take hours for 96,000 meters × 8,760 h = 841 M rows: the hours are
 * generated inside DuckDB by SQL, one week at a time in time order as ingest writes them, and the
 * daily and monthly rollups are then built by the store's own rebuild (`ensureDailyRollup`), so the
 * store holds what ingest would have left. Cached under bench/.cache/ by size, seed and store
 * schema; a cache of an older schema is brought up to date by the store's own migrations.
 */
import { createHash } from 'node:crypto';
import { access, cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { type Registry, RegistryInputSchema } from '../core/domain/registry.js';
import { HOUR_MS } from '../core/domain/time.js';
import { hashSecret } from '../core/security.js';
import { EmbeddedStore } from '../core/storage/duckdb/embedded-store.js';
import { appendRows, query } from '../core/storage/duckdb/sql-util.js';
import { buildFleet } from '../simulator/fleet.js';
import type { Fleet } from '../simulator/model.js';
import { progress } from './harness.js';
import { makeTempDir } from './proc.js';

/** Which city and which hours. */
export interface ScaleSize {
  readonly seed: number;
  readonly meters: number;
  /** First hour (epoch ms, local midnight of a Wednesday: the weekly shape counts from it). */
  readonly fromMs: number;
  readonly hours: number;
  readonly timeZone: string;
}

/** How the hours were made, printed with the figures. */
export const PROVENANCE =
  'synthetic: registry from the simulator fleet builder (≈10 meters per institution, 1 district per 100 institutions); ' +
  'hours generated in DuckDB by SQL (mean = the meter model’s annual consumption / 8,760; ×1.7 on weekdays 08–18 h local, ×0.6 otherwise; ±10 % deterministic ripple), ' +
  'quality good, readings = 3,600 / interval; inserted a week at a time in time order, all meters of an hour together; ' +
  'daily and monthly rollups built by the store’s own rebuild (ensureDailyRollup); no raw readings; ' +
  'the bench tariffs (cost-seed.ts) set on each run’s copy, no bills';

const CACHE_DIR = join(import.meta.dirname, '.cache');
const HOURS_PER_INSERT = 24 * 7;
/** Hour 0 is a Wednesday (2025-01-01): day-of-week index, Monday 0. */
const FIRST_DOW = 2;

/** Institutions, districts and the fleet of a size: the ratio of 10 meters per institution. */
export function scaleFleet(size: ScaleSize): Fleet {
  const institutions = Math.max(1, Math.round(size.meters / 10));
  return buildFleet({
    seed: size.seed,
    districts: Math.max(4, Math.round(institutions / 100)),
    institutions,
    metersTarget: size.meters,
  });
}

/** The schema's source text, and this generator's: a cache built by either of another version is not reused. */
async function schemaKey(): Promise<string> {
  const dir = join(import.meta.dirname, '..', 'core', 'storage', 'duckdb');
  const hash = createHash('sha256');
  for (const file of ['schema.ts', 'hourly-tables.ts', 'rollup-cluster.ts', 'migrations.ts'])
    hash.update(await readFile(join(dir, file), 'utf8').catch(() => ''));
  return hash.digest('hex').slice(0, 10);
}

/** The registry as stored; every gateway gets one scrypt hash (nobody logs in). */
async function storedRegistry(fleet: Fleet): Promise<Registry> {
  const input = RegistryInputSchema.parse(fleet.registry);
  const secretHash = await hashSecret('bench-gateways-do-not-log-in');
  return { ...input, gateways: input.gateways.map(({ secret: _unused, ...g }) => ({ ...g, secretHash })) };
}

/** One hour's amount of meter `m` at hour `t.h` from the start, in SQL (see PROVENANCE). */
const AMOUNT_SQL = `round(m.mean_per_hour
  * (CASE WHEN t.h % 24 BETWEEN 8 AND 18 AND ((t.h // 24 + ${FIRST_DOW}) % 7) < 5 THEN 1.7 ELSE 0.6 END)
  * (0.9 + ((t.h * 7919 + m.k * 104729) % 1000) / 5000.0), 6)::DECIMAL(18,6)`;

async function generateHours(path: string, size: ScaleSize, fleet: Fleet): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const conn = await instance.connect();
  try {
    await conn.run(`SET TimeZone = '${size.timeZone}'`);
    await conn.run('CREATE TEMP TABLE gen_meters (meter_id VARCHAR, k BIGINT, mean_per_hour DOUBLE, readings INTEGER)');
    const intervalOf = new Map((fleet.registry.meters ?? []).map((m) => [m.id, m.intervalS ?? 900]));
    await appendRows(
      conn,
      'gen_meters',
      fleet.meters.map((m, k) => [k, m] as const),
      (a, [k, m]) => {
        a.appendVarchar(m.id);
        a.appendBigInt(BigInt(k));
        a.appendDouble((m.annualNative * m.multiplier) / 8760);
        a.appendInteger(Math.max(1, Math.round(3600 / (intervalOf.get(m.id) ?? 900))));
      },
    );
    // Each week is its own transaction: an interrupted build resumes after the last one written.
    const [done] = await query(
      conn,
      `SELECT coalesce((epoch_ms(max(hour_start)) - ${size.fromMs}) // ${HOUR_MS} + 1, 0) AS h FROM hourly`,
    );
    const first = Number(done?.h ?? 0);
    if (first > 0) progress(`scale: ${size.meters} meters, resuming after ${first} hours`);
    let nextShare = 0.1;
    for (let h0 = first; h0 < size.hours; h0 += HOURS_PER_INSERT) {
      const h1 = Math.min(size.hours, h0 + HOURS_PER_INSERT);
      await conn.run(
        `INSERT INTO hourly SELECT m.meter_id, make_timestamptz((${size.fromMs}::BIGINT + t.h * ${HOUR_MS}) * 1000),
           ${AMOUNT_SQL}, 0::DECIMAL(18,6), 'good', m.readings
         FROM range(${h0}, ${h1}) t(h) CROSS JOIN gen_meters m ORDER BY t.h, m.meter_id`,
      );
      if (h1 / size.hours >= nextShare) {
        progress(`scale: ${size.meters} meters, hours generated ${Math.round((h1 / size.hours) * 100)} %`);
        while (nextShare <= h1 / size.hours) nextShare += 0.1;
      }
    }
    // The rollups are the store's to build: rebuilt from the hours when the store next opens.
    await conn.run(`DELETE FROM rollup_meta WHERE name IN ('daily_zone', 'clustered_before')`);
    await conn.run('CHECKPOINT');
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/**
 * Builds the store of `size` in `dir` (resuming a build that was interrupted): the registry, the
 * hours, then the rollups by the store's own rebuild. Exported for the test of its invariants.
 */
export async function buildScaleStore(
  dir: string,
  size: ScaleSize,
  fleet: Fleet,
): Promise<{ hoursS: number; rollupS: number }> {
  const first = await EmbeddedStore.open({ dataDir: dir, timeZone: size.timeZone });
  try {
    const stored = await first.loadRegistry();
    if (stored.meters.length !== fleet.meters.length) await first.saveRegistry(await storedRegistry(fleet));
  } finally {
    await first.close();
  }
  const t0 = performance.now();
  await generateHours(join(dir, 'jieneng.duckdb'), size, fleet);
  const t1 = performance.now();
  progress(`scale: ${size.meters} meters, building the rollups (the store's rebuild)`);
  await (await EmbeddedStore.open({ dataDir: dir, timeZone: size.timeZone })).close();
  return { hoursS: (t1 - t0) / 1000, rollupS: (performance.now() - t1) / 1000 };
}

/** A scale city ready to open: a private copy of the cached store (the platform writes to its store). */
export interface ScaleCity {
  readonly dataDir: string;
  readonly fleet: Fleet;
  readonly rows: number;
  /** How the cache was made: seconds to generate the hours and build the rollups (when built). */
  readonly built: { readonly hoursS: number; readonly rollupS: number; readonly upgradeS: number };
  /** Whether the cache was built or upgraded in this run. */
  readonly fresh: boolean;
  readonly diskBytes: number;
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** Builds (once) and copies the city of `size`. */
export async function scaleCity(size: ScaleSize): Promise<ScaleCity> {
  const fleet = scaleFleet(size);
  const stem = `scale-${fleet.meters.length}m-${size.hours}h-from${size.fromMs}-seed${size.seed}-schema`;
  const key = `${stem}${await schemaKey()}`;
  const cached = join(CACHE_DIR, key);
  const done = join(cached, 'complete.json');
  let fresh = false;
  if (!(await exists(done))) {
    fresh = true;
    await mkdir(CACHE_DIR, { recursive: true });
    const older = (await readdir(CACHE_DIR)).filter((d) => d.startsWith(stem));
    const usable: string[] = [];
    for (const d of older) if (await exists(join(CACHE_DIR, d, 'complete.json'))) usable.push(d);
    const [old, ...rest] = usable;
    for (const d of [...rest, ...older.filter((d) => !usable.includes(d) && d !== key)])
      await rm(join(CACHE_DIR, d), { recursive: true, force: true });
    if (old !== undefined && !(await exists(cached))) {
      // Another schema: migrate it as an operator's upgrade would (the store's own migrations).
      progress(`scale: upgrading bench/.cache/${old} to the current schema`);
      const t0 = performance.now();
      const meta = JSON.parse(await readFile(join(CACHE_DIR, old, 'complete.json'), 'utf8'));
      const store = await EmbeddedStore.open({ dataDir: join(CACHE_DIR, old), timeZone: size.timeZone });
      // What the nightly `cluster-rollups` job does to an upgraded store (the bench runs no jobs).
      const clustered = await store.clusterRollups().finally(() => store.close());
      progress(
        `scale: clustered ${clustered.dailyMonths} daily months, ${clustered.monthlyYears} monthly years in ${clustered.elapsedMs} ms`,
      );
      await rename(join(CACHE_DIR, old), cached);
      const upgradeS = (performance.now() - t0) / 1000;
      await writeFile(done, `${JSON.stringify({ ...meta, built: { ...meta.built, upgradeS }, from: old })}\n`);
    } else {
      progress(
        `scale: building ${key} (${(fleet.meters.length * size.hours).toLocaleString('en')} hourly rows; cached for later runs)`,
      );
      await mkdir(cached, { recursive: true });
      try {
        const built = await buildScaleStore(cached, size, fleet);
        await writeFile(
          done,
          `${JSON.stringify({ size, meters: fleet.meters.length, built: { ...built, upgradeS: 0 } })}\n`,
        );
      } catch (error) {
        progress(`scale: the build of ${key} failed; it resumes from its last week on the next run`);
        throw error;
      }
    }
  } else progress(`scale: reusing bench/.cache/${key}`);
  const meta = JSON.parse(await readFile(done, 'utf8')) as { built: ScaleCity['built'] };
  const file = join(cached, 'jieneng.duckdb');
  const diskBytes = (await stat(file)).size;
  progress(`scale: copying the ${(diskBytes / 2 ** 30).toFixed(1)} GiB store for this run`);
  const dataDir = await makeTempDir('jieneng-bench-scale-');
  await cp(file, join(dataDir, 'jieneng.duckdb'));
  return { dataDir, fleet, rows: fleet.meters.length * size.hours, built: meta.built, fresh, diskBytes };
}
