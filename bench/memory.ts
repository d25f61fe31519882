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
/** How long to wait for the steady state after the burst. */
const STEADY_WAIT_MS = 60_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The same meters behind `gateways` gateways: each gateway login costs one scrypt verification
 * (~15 ms of CPU) and each registered secret one hash, which the quick run cannot afford for ~1,900.
 */
export function regroup(fleet: Fleet, gateways: number): Fleet {
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
    const burst = await platform.stats();
    const burstHeap = await platform.heap();
    const name = `platform resident memory at ${meters.toLocaleString('en')} meters, ${gateways} gateways connected${opts.quick ? ' (quick: the meters regrouped behind 100 gateways)' : ''}`;
    const run = 'run as npm start runs it (bundle, plain Node, MALLOC_MMAP_THRESHOLD_); ratio = baseline / value';
    const figure = (when: string, rssBytes: number, note: string): Figure => ({
      name: `${name}, ${when}`,
      value: rssBytes / MB,
      unit: 'MB',
      baseline: { name: 'same process idle, empty registry', value: idle.rssBytes / MB },
      ratio: idle.rssBytes / rssBytes,
      target: '≤ 300 MB',
      met: rssBytes / MB <= 300,
      note: `${note}; ${run}`,
    });
    const afterBurst = figure(
      `${settleMs / 1000} s after a back-fill burst`,
      burst.rssBytes,
      `VmRSS of the platform process after ${result.readings.toLocaleString('en')} readings (${intervals} intervals of every meter) were stored at once, gateways still connected; peak VmHWM ${(burst.peakRssBytes / MB).toFixed(0)} MB; V8 heap in use ${(burstHeap.usedBytes / MB).toFixed(0)} MB (garbage of the registry upload and the burst not yet collected), Buffers ${(burstHeap.externalBytes / MB).toFixed(0)} MB`,
    );
    if (opts.quick) return [afterBurst];
    // Live, 10,000 meters at 15-minute intervals are ~11 readings/s: the process is mostly idle, and
    // V8's memory reducer collects the burst's garbage after a while without allocation.
    progress('memory: waiting (up to 60 s) for the steady state of a live city');
    const deadline = Date.now() + STEADY_WAIT_MS;
    let steady = burst;
    while (Date.now() < deadline && steady.rssBytes > burst.rssBytes * 0.9) {
      await sleep(2000);
      steady = await platform.stats();
    }
    const steadyHeap = await platform.heap();
    const waitedS = (STEADY_WAIT_MS - Math.max(0, deadline - Date.now())) / 1000;
    return [
      afterBurst,
      figure(
        'steady state',
        steady.rssBytes,
        `VmRSS ${waitedS.toFixed(0)} s after the burst with the gateways connected and idle (stopped early once RSS fell below 90 % of the burst's); V8 heap in use ${(steadyHeap.usedBytes / MB).toFixed(0)} MB`,
      ),
    ];
  } finally {
    await publisher?.close().catch(() => undefined);
    await platform.stop();
  }
}
