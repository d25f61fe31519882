import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../core/config.js';
import type { RegistryInput } from '../core/domain/registry.js';
import { type Platform, startPlatform } from '../server/platform.js';

/**
 * A synthetic city for the API benchmarks (InfluxDB, meter trees): institutions of one building
 * and one gateway each, and the platform fed through its ingest pipeline.
 */
const SUB_ITEMS = ['01A00', '01B00', '01C00', '01D00'];

export const TOKEN = 'bench-influx-token-0123456789';
export const H = 3_600_000;
export const T0 = Date.parse('2026-10-01T00:00:00+08:00');

/**
 * `institutions` × `metersPer` electricity meters; with `tree`, the first meter of each institution
 * is the main meter and the others its sub-meters (lighting, HVAC, power, special in turn).
 */
export function city(institutions: number, metersPer: number, tree = false): RegistryInput {
  const ids = Array.from({ length: institutions }, (_, i) => String(i).padStart(4, '0'));
  return {
    districts: [{ id: 'd1', name: '一区' }],
    institutions: ids.map((i) => ({
      id: `i${i}`,
      name: `机构${i}`,
      districtId: 'd1',
      type: 'office' as const,
      floorAreaM2: 10_000,
      occupants: 200,
    })),
    buildings: ids.map((i) => ({ id: `b${i}`, institutionId: `i${i}`, name: `楼${i}`, floorAreaM2: 10_000 })),
    gateways: ids.map((i) => ({ id: `g${i}`, secret: `bench-secret-${i}` })),
    meters: ids.flatMap((i) =>
      Array.from({ length: metersPer }, (_, k) => ({
        id: `m${i}-${k}`,
        buildingId: `b${i}`,
        gatewayId: `g${i}`,
        energy: 'electricity' as const,
        unit: 'kWh',
        multiplier: 1,
        intervalS: 3600,
        ...(tree && k > 0 ? { parentId: `m${i}-0`, subItem: SUB_ITEMS[k % SUB_ITEMS.length] } : {}),
      })),
    ),
  };
}

export async function api(p: Platform, path: string, init: RequestInit = {}): Promise<unknown> {
  const res = await fetch(`${p.apiUrl}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Feeds the readings straight into the pipeline (no MQTT: the store is what is measured) and waits until stored. */
export async function ingest(p: Platform, reg: RegistryInput, hours: number): Promise<number> {
  const started = performance.now();
  // Gateways publish concurrently (a submit may wait for durability or back-pressure): bound what is in flight.
  const inFlight = new Set<Promise<void>>();
  for (let h = 0; h <= hours; h++) {
    for (const g of reg.gateways ?? []) {
      const readings = (reg.meters ?? [])
        .filter((m) => m.gatewayId === g.id)
        .map((m) => ({ meter: m.id, ts: T0 + h * H, value: h * 2 }));
      const done = p.pipeline.submit(g.id, `jieneng/v1/${g.id}/readings`, JSON.stringify({ readings }));
      inFlight.add(done);
      void done.finally(() => inFlight.delete(done));
      if (inFlight.size >= 200) await Promise.race(inFlight);
    }
  }
  await Promise.all(inFlight);
  await p.pipeline.drain();
  for (;;) {
    const health = (await (await fetch(`${p.apiUrl}/healthz`)).json()) as { status: string };
    if (health.status === 'ok') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return (performance.now() - started) / 1000;
}

export async function latencies(p: Platform, path: (n: number) => string, runs: number): Promise<number[]> {
  const out: number[] = [];
  for (let n = 0; n < runs; n++) {
    const s = performance.now();
    await api(p, path(n));
    out.push(performance.now() - s);
  }
  return out;
}

/** Starts a platform in a temporary data directory (jobs and demo off) holding `reg`. */
export async function startBenchPlatform(
  reg: RegistryInput,
  env: Record<string, string> = {},
): Promise<{ platform: Platform; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'jieneng-bench-city-'));
  const config = loadConfig({
    DATA_DIR: dir,
    PORT: '0',
    MQTT_PORT: '0',
    HOST: '127.0.0.1',
    MQTT_HOST: '127.0.0.1',
    DEMO: 'off',
    JOBS: 'off',
    ADMIN_TOKEN: TOKEN,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const platform = await startPlatform(config, pino({ level: 'silent' }));
  await api(platform, '/api/v1/registry', { method: 'PUT', body: JSON.stringify(reg) });
  return { platform, dir };
}
