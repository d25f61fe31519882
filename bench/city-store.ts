/**
 * A city's hourly consumption loaded straight into the embedded store (MQTT would take hours for
 * a city-year), cached under bench/.cache/ by size, seed and store schema so that it is built once.
 */
import { createHash } from 'node:crypto';
import { access, cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HourlyConsumption } from '../core/domain/consumption.js';
import { type Registry, RegistryInputSchema } from '../core/domain/registry.js';
import { HOUR_MS } from '../core/domain/time.js';
import { hashSecret } from '../core/security.js';
import { EmbeddedStore } from '../core/storage/duckdb/embedded-store.js';
import { buildFleet } from '../simulator/fleet.js';
import type { Fleet } from '../simulator/model.js';
import { consumptionInInterval } from '../simulator/profiles.js';
import { progress } from './harness.js';
import { makeTempDir } from './proc.js';

/** Which city and which hours. */
export interface CitySize {
  readonly seed: number;
  readonly districts: number;
  readonly institutions: number;
  readonly metersTarget: number;
  /** First hour (epoch ms, local midnight). */
  readonly fromMs: number;
  readonly hours: number;
  readonly timeZone: string;
}

const CACHE_DIR = join(import.meta.dirname, '.cache');
const ROWS_PER_WRITE = 100_000;

/** The schema's source text (tables and rollups): a cache built by another schema is not reused. */
async function schemaKey(): Promise<string> {
  const dir = join(import.meta.dirname, '..', 'core', 'storage', 'duckdb');
  const hash = createHash('sha256');
  for (const file of ['schema.ts', 'hourly-tables.ts'])
    hash.update(await readFile(join(dir, file), 'utf8').catch(() => ''));
  return hash.digest('hex').slice(0, 10);
}

/** The registry as stored; every gateway gets one scrypt hash (nobody logs in: hashing 1,000 takes a minute). */
async function storedRegistry(fleet: Fleet): Promise<Registry> {
  const input = RegistryInputSchema.parse(fleet.registry);
  const secretHash = await hashSecret('bench-gateways-do-not-log-in');
  return { ...input, gateways: input.gateways.map(({ secret: _unused, ...g }) => ({ ...g, secretHash })) };
}

async function build(dir: string, size: CitySize, fleet: Fleet): Promise<void> {
  const store = await EmbeddedStore.open({ dataDir: dir, timeZone: size.timeZone });
  try {
    await store.saveRegistry(await storedRegistry(fleet));
    const meters = fleet.meters;
    // In time order, all meters of an hour together, as ingest writes them (zone maps prune by time).
    const hoursPerWrite = Math.max(1, Math.floor(ROWS_PER_WRITE / meters.length));
    let nextShare = 0.1;
    for (let h0 = 0; h0 < size.hours; h0 += hoursPerWrite) {
      const rows: HourlyConsumption[] = [];
      for (let h = h0; h < Math.min(size.hours, h0 + hoursPerWrite); h++) {
        const startMs = size.fromMs + h * HOUR_MS;
        for (const meter of meters) {
          const amount = consumptionInInterval(meter, startMs, startMs + HOUR_MS, size.timeZone);
          rows.push({
            meterId: meter.id,
            hourStartMs: startMs,
            amountMicro: Math.round(amount * 1e6),
            estimatedMicro: 0,
            quality: 'good',
            readingsCount: 1,
          });
        }
      }
      await store.replaceHourly([], rows);
      const share = Math.min(1, (h0 + hoursPerWrite) / size.hours);
      if (share >= nextShare) {
        progress(`query: loading the store ${Math.round(share * 100)} %`);
        while (nextShare <= share) nextShare += 0.1;
      }
    }
  } finally {
    await store.close();
  }
}

/** A city store ready to open: a private copy of the cached one (the platform writes to its store). */
export interface CityStore {
  readonly dataDir: string;
  readonly fleet: Fleet;
  /** Hourly rows loaded. */
  readonly rows: number;
  /** Seconds spent building the cache in this run (0 when it was reused). */
  readonly buildS: number;
}

export async function cityStore(size: CitySize): Promise<CityStore> {
  const fleet = buildFleet({
    seed: size.seed,
    districts: size.districts,
    institutions: size.institutions,
    metersTarget: size.metersTarget,
  });
  const stem = `city-${fleet.meters.length}m-${size.hours}h-from${size.fromMs}-seed${size.seed}-schema`;
  const key = `${stem}${await schemaKey()}`;
  const cached = join(CACHE_DIR, key);
  const done = join(cached, 'complete.txt');
  let buildS = 0;
  const present = await access(done).then(
    () => true,
    () => false,
  );
  if (!present) {
    progress(
      `query: building ${key} (${(fleet.meters.length * size.hours).toLocaleString('en')} hourly rows; cached for later runs)`,
    );
    const t0 = performance.now();
    // Caches of the same city built by an older schema are of no more use.
    const stale = (await readdir(CACHE_DIR).catch(() => [])).filter((d) => d.startsWith(stem));
    for (const dir of stale) await rm(join(CACHE_DIR, dir), { recursive: true, force: true });
    await mkdir(cached, { recursive: true });
    try {
      await build(cached, size, fleet);
    } catch (error) {
      await rm(cached, { recursive: true, force: true });
      throw error;
    }
    buildS = (performance.now() - t0) / 1000;
    await writeFile(done, `${JSON.stringify({ size, meters: fleet.meters.length, buildS })}\n`);
  } else progress(`query: reusing bench/.cache/${key}`);
  const dataDir = await makeTempDir('jieneng-bench-city-');
  await cp(join(cached, 'jieneng.duckdb'), join(dataDir, 'jieneng.duckdb'));
  return { dataDir, fleet, rows: fleet.meters.length * size.hours, buildS };
}
