/**
 * Resident memory of the platform process at 10,000 collection points: the platform runs as users
 * run it, in a process of its own; a simulated city of 1,000 institutions is put in its registry,
 * its gateways connect and publish a few intervals of readings, then VmRSS is read from /proc.
 * Baseline: the same process idle with an empty registry, just after start.
 */
import { buildFleet } from '../simulator/fleet.js';
import type { Fleet } from '../simulator/model.js';
import { FleetPublisher } from '../simulator/publisher.js';
import { type Figure, progress } from './harness.js';
import { startPlatformChild } from './platform-child.js';
import { waitUntil } from './proc.js';

const MB = 1024 * 1024;
const INTERVAL_MS = 900_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The same meters behind `gateways` gateways: each gateway login costs one scrypt verification
 * (~15 ms of CPU) and each registered secret one hash, which the quick run cannot afford for ~1,900.
 */
function regroup(fleet: Fleet, gateways: number): Fleet {
  const ids = Array.from({ length: gateways }, (_, i) => `gw-bench-${String(i).padStart(3, '0')}`);
  const gatewayOf = new Map(fleet.meters.map((m, i) => [m.id, ids[i % gateways] as string]));
  const regrouped = (id: string) => gatewayOf.get(id) ?? (ids[0] as string);
  return {
    registry: {
      ...fleet.registry,
      gateways: ids.map((id) => ({ id, secret: `bench-secret-${id}` })),
      meters: fleet.registry.meters.map((m) => ({ ...m, gatewayId: regrouped(m.id) })),
    },
    meters: fleet.meters.map((m) => ({ ...m, gatewayId: regrouped(m.id) })),
  };
}

export async function benchMemory(opts: { quick: boolean }): Promise<Figure[]> {
  const built = buildFleet({ seed: 11, districts: 12, institutions: 1000, metersTarget: 10_000 });
  const fleet = opts.quick ? regroup(built, 100) : built;
  const meters = fleet.meters.length;
  const gateways = fleet.registry.gateways.length;
  const intervals = 4;
  progress('memory: starting the platform in a child process');
  const platform = await startPlatformChild();
  let publisher: FleetPublisher | undefined;
  try {
    const settleMs = opts.quick ? 1000 : 3000;
    await sleep(settleMs);
    const idle = await platform.stats();
    progress(`memory: registry of ${meters.toLocaleString('en')} meters, ${gateways} gateways (one scrypt hash each)`);
    await platform.api.json('PUT', '/api/v1/registry', fleet.registry);
    const toMs = Math.floor(Date.now() / INTERVAL_MS) * INTERVAL_MS;
    const fromMs = toMs - intervals * INTERVAL_MS;
    publisher = new FleetPublisher({
      fleet,
      brokerUrl: platform.mqttUrl,
      maxClients: gateways,
      maxInFlight: 200,
      connectTimeoutMs: 300_000,
    });
    progress(`memory: ${gateways} gateways connect and publish ${intervals} intervals of every meter`);
    const result = await publisher.backfill(fromMs, toMs);
    await waitUntil(
      'the readings to be stored',
      async () => (await platform.acceptedReadings()) >= result.readings,
      60_000,
      100,
    );
    await sleep(settleMs);
    const loaded = await platform.stats();
    const value = loaded.rssBytes / MB;
    const base = idle.rssBytes / MB;
    return [
      {
        name: `platform resident memory at ${meters.toLocaleString('en')} meters, ${gateways} gateways connected${opts.quick ? ' (quick: the meters regrouped behind 100 gateways)' : ''}`,
        value,
        unit: 'MB',
        baseline: { name: 'same process idle, empty registry', value: base },
        ratio: base / value,
        target: '≤ 300 MB',
        met: value <= 300,
        note: `VmRSS of the server/main.ts process after ${result.readings.toLocaleString('en')} readings (${intervals} intervals) were stored, gateways still connected; peak VmHWM ${(loaded.peakRssBytes / MB).toFixed(0)} MB; run with the tsx loader as npm start does (its loader thread counts in the RSS); ratio = baseline / value`,
      },
    ];
  } finally {
    await publisher?.close().catch(() => undefined);
    await platform.stop();
  }
}
