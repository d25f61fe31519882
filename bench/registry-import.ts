/**
 * Registry spreadsheet import (issue 15, item 6, speed): a city's registry as an XLSX workbook
 * through `POST /api/v1/registry/import`, beside the same registry as JSON through
 * `PUT /api/v1/registry`, each into a fresh platform run as `npm start` runs it; then the same
 * submission again (nothing changes), and the export beside `GET /api/v1/registry`.
 */
import type { RegistryInput } from '../core/domain/registry.js';
import { registryWorkbook } from '../core/registry-sheet/write.js';
import { buildFleet } from '../simulator/fleet.js';
import { type Figure, percentile, progress } from './harness.js';
import { regroup } from './memory.js';
import { BENCH_TOKEN, type PlatformChild, startPlatformChild, UNLIMITED_RATES } from './platform-child.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

interface CitySize {
  readonly institutions: number;
  readonly metersTarget: number;
  /** Gateways the meters are regrouped behind: each new secret costs one scrypt hash on both sides. */
  readonly gateways: number;
  /** Timed repeats of the unchanged submission and of the export. */
  readonly repeats: number;
}

const size = (quick: boolean): CitySize =>
  quick
    ? { institutions: 100, metersTarget: 1000, gateways: 20, repeats: 3 }
    : { institutions: 760, metersTarget: 6000, gateways: 100, repeats: 5 };

/** Seconds one call takes; throws on a non-2xx answer. */
async function timed(platform: PlatformChild, method: string, path: string, body?: Buffer | string): Promise<number> {
  const type = typeof body === 'string' ? 'application/json' : XLSX;
  const start = performance.now();
  const res = await fetch(`${platform.api.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${BENCH_TOKEN}`, ...(body === undefined ? {} : { 'content-type': type }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : new Uint8Array(body) }),
  });
  await res.arrayBuffer();
  const seconds = (performance.now() - start) / 1000;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status}\nplatform output:\n${platform.output()}`);
  return seconds;
}

async function median(runs: number, fn: () => Promise<number>): Promise<number> {
  const seconds: number[] = [];
  for (let i = 0; i < runs; i++) seconds.push(await fn());
  return percentile(seconds, 50);
}

export async function benchRegistryImport(opts: { quick: boolean }): Promise<Figure[]> {
  const city = size(opts.quick);
  const fleet = regroup(
    buildFleet({ seed: 13, districts: 12, institutions: city.institutions, metersTarget: city.metersTarget }),
    city.gateways,
  );
  const registry: RegistryInput = fleet.registry;
  const label = `${registry.institutions.length} institutions, ${registry.meters.length.toLocaleString('en')} meters, ${registry.gateways.length} gateways`;
  const json = JSON.stringify(registry);
  const startedMs = performance.now();
  const workbook = await registryWorkbook(registry, 'input');
  const buildS = (performance.now() - startedMs) / 1000;
  progress(
    `registry-import: ${label}; workbook ${(workbook.length / 2 ** 20).toFixed(2)} MiB in ${buildS.toFixed(1)} s`,
  );
  const stops: (() => Promise<void>)[] = [];
  try {
    const viaJson = await startPlatformChild(UNLIMITED_RATES);
    stops.push(viaJson.stop);
    const viaSheet = await startPlatformChild(UNLIMITED_RATES);
    stops.push(viaSheet.stop);
    progress('registry-import: first submission into each fresh platform');
    const putS = await timed(viaJson, 'PUT', '/api/v1/registry', json);
    const importS = await timed(viaSheet, 'POST', '/api/v1/registry/import', workbook);
    progress('registry-import: the same submissions again, and the export');
    const putAgainS = await median(city.repeats, () => timed(viaJson, 'PUT', '/api/v1/registry', json));
    const importAgainS = await median(city.repeats, () => timed(viaSheet, 'POST', '/api/v1/registry/import', workbook));
    const dryRunS = await median(city.repeats, () =>
      timed(viaSheet, 'POST', '/api/v1/registry/import?dryRun=true', workbook),
    );
    const exportS = await median(city.repeats, () => timed(viaSheet, 'GET', '/api/v1/registry/export.xlsx'));
    const getS = await median(city.repeats, () => timed(viaSheet, 'GET', '/api/v1/registry'));
    const run = 'both platforms as npm start runs them; ratio = baseline / value (1 = as fast as JSON)';
    return [
      {
        name: `registry import as XLSX, new registry (${label})`,
        value: importS,
        unit: 's',
        baseline: { name: 'same registry as JSON, PUT /api/v1/registry', value: putS },
        ratio: putS / importS,
        note: `${run}; workbook ${(workbook.length / 2 ** 20).toFixed(2)} MiB, JSON ${(json.length / 2 ** 20).toFixed(2)} MiB; each side hashes ${registry.gateways.length} gateway secrets (scrypt)`,
      },
      {
        name: `registry import as XLSX, unchanged registry, median of ${city.repeats} (${label})`,
        value: importAgainS,
        unit: 's',
        baseline: { name: 'same registry as JSON, PUT, unchanged', value: putAgainS },
        ratio: putAgainS / importAgainS,
        note: `${run}; dry run (validate only) ${dryRunS.toFixed(2)} s`,
      },
      {
        name: `registry export as XLSX, median of ${city.repeats} (${label})`,
        value: exportS,
        unit: 's',
        baseline: { name: 'GET /api/v1/registry (JSON)', value: getS },
        ratio: getS / exportS,
      },
    ];
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}
