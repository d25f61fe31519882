/**
 * What acknowledge-after-durable costs and what a second ingest worker brings:
 * - ingest throughput with INGEST_DURABLE=on (PUBACK after the WAL fsync) beside off, same load;
 * - when `mosquitto` and `influxd` are installed: two workers (MQTT_MODE=external, STORE=influx)
 *   in Mosquitto's shared subscription beside one, same load.
 * Load: gateways publishing QoS 1 batches of 100 with bounded publishes in flight, measured from the
 * first publish until the platform(s) count every reading as stored (jieneng_readings_accepted_total).
 */
import { writeFile } from 'node:fs/promises';
import type { RegistryInput } from '../core/domain/registry.js';
import { mosquittoAcl, mosquittoConf, mosquittoPasswordLine } from '../ingest/external/mosquitto-config.js';
import { influxdAvailable, startInfluxd } from '../test/helpers/influxd.js';
import { type Figure, progress } from './harness.js';
import {
  type BrokerTarget,
  closeAll,
  connectAll,
  jienengTarget,
  prepareLoad,
  readingCount,
  syntheticCity,
  type Workload,
} from './load.js';
import { findMosquitto, NO_MOSQUITTO } from './mosquitto.js';
import { type PlatformChild, startPlatformChild, UNLIMITED_RATES } from './platform-child.js';
import { freePort, makeTempDir, removeTempDir, spawnTracked, stopChild, waitUntil } from './proc.js';

const DAY_MS = 86_400_000;
const INGEST = { username: 'jieneng-ingest', password: 'bench-ingest-password' };

/** The measured workload and a smaller warm-up one on other gateways (JIT, caches, connections). */
function workloads(quick: boolean): { warm: Workload; main: Workload } {
  const startMs = Math.floor((Date.now() - 40 * DAY_MS) / DAY_MS) * DAY_MS;
  const main: Workload = {
    city: { prefix: 'd', gateways: 50, metersPerGateway: 20 },
    steps: quick ? 100 : 2000,
    perMessage: 100,
    startMs,
    maxInFlight: 200,
  };
  return { main, warm: { ...main, city: { prefix: 'dw', gateways: 10, metersPerGateway: 20 }, steps: 50 } };
}

/** Both cities in one registry (gateway logins of both must exist on the broker). */
function registryOf(ws: readonly Workload[]): RegistryInput {
  const parts = ws.map((w) => syntheticCity(w.city));
  return {
    districts: parts.flatMap((p) => p.districts),
    institutions: parts.flatMap((p) => p.institutions),
    buildings: parts.flatMap((p) => p.buildings),
    gateways: parts.flatMap((p) => p.gateways),
    meters: parts.flatMap((p) => p.meters),
  };
}

/** Readings/s from the first publish until `stored()` has grown by the workload's readings. */
async function throughput(
  target: BrokerTarget,
  w: Workload,
  stored: () => Promise<number>,
  timeoutMs: number,
): Promise<number> {
  const before = await stored();
  const load = await prepareLoad(target, w);
  try {
    const r = await load.run(async () => (await stored()) - before >= readingCount(w), timeoutMs);
    return r.readings / ((r.e2eMs ?? Number.NaN) / 1000);
  } finally {
    await load.close();
  }
}

const sum = async (ps: readonly PlatformChild[]) =>
  (await Promise.all(ps.map((p) => p.acceptedReadings()))).reduce((a, b) => a + b, 0);

/** One embedded platform with INGEST_DURABLE=on|off: warm-up, then the measured run. */
async function embeddedRun(durable: 'on' | 'off', quick: boolean, log: (m: string) => void): Promise<number> {
  const { warm, main } = workloads(quick);
  const platform = await startPlatformChild({ ...UNLIMITED_RATES, INGEST_DURABLE: durable });
  try {
    await platform.api.json('PUT', '/api/v1/registry', registryOf([warm, main]));
    const target = jienengTarget(platform.mqttUrl);
    await throughput(target, warm, () => sum([platform]), 60_000);
    log(`durability: INGEST_DURABLE=${durable}, ${readingCount(main).toLocaleString('en')} readings`);
    return await throughput(target, main, () => sum([platform]), quick ? 120_000 : 600_000);
  } finally {
    await platform.stop();
  }
}

/** Mosquitto with the project's generated passwd/acl/conf (loopback, persistence in its dir). */
async function startBroker(binary: string, registry: RegistryInput) {
  const dir = await makeTempDir('jieneng-bench-shared-');
  const port = await freePort();
  const logins = [INGEST, ...registry.gateways.map((g) => ({ username: g.id, password: g.secret }))];
  await writeFile(`${dir}/passwd`, `${logins.map((l) => mosquittoPasswordLine(l)).join('\n')}\n`, { mode: 0o600 });
  await writeFile(
    `${dir}/acl`,
    mosquittoAcl(
      registry.gateways.map((g) => g.id),
      INGEST.username,
      'jieneng',
    ),
  );
  const conf = mosquittoConf({ port, dir, persistence: true }).replace(
    `listener ${port}`,
    `listener ${port} 127.0.0.1`,
  );
  // As root Mosquitto would switch to user `mosquitto`, which cannot read the 0600 passwd.
  await writeFile(`${dir}/mosquitto.conf`, `${conf}${process.getuid?.() === 0 ? 'user root\n' : ''}`);
  const child = spawnTracked(binary, ['-c', `${dir}/mosquitto.conf`], { cwd: dir });
  const url = `mqtt://127.0.0.1:${port}`;
  await waitUntil(
    'mosquitto to accept the ingest user',
    async () => {
      if (child.process.exitCode !== null) throw new Error(`mosquitto exited early:\n${child.output()}`);
      return connectAll(url, [INGEST]).then(
        async (c) => {
          await closeAll(c);
          return true;
        },
        () => false,
      );
    },
    10_000,
    50,
  );
  return {
    url,
    stop: async () => {
      await stopChild(child, 5000);
      await removeTempDir(dir);
    },
  };
}

/** `workers` ingest workers on a fresh Mosquitto and InfluxDB: warm-up, then the measured run. */
async function clusterRun(
  binary: string,
  workers: number,
  declared: number,
  quick: boolean,
  log: (m: string) => void,
): Promise<number> {
  const { warm, main } = workloads(quick);
  const registry = registryOf([warm, main]);
  const broker = await startBroker(binary, registry);
  const influxd = await startInfluxd();
  const platforms: PlatformChild[] = [];
  try {
    const database = await influxd.createDatabase('bench');
    for (let i = 1; i <= workers; i++) {
      platforms.push(
        await startPlatformChild({
          ...UNLIMITED_RATES,
          MQTT_MODE: 'external',
          MQTT_URL: broker.url,
          MQTT_USERNAME: INGEST.username,
          MQTT_PASSWORD: INGEST.password,
          INGEST_WORKER_ID: `bench-w${i}`,
          INGEST_WORKERS: String(declared),
          STORE: 'influx',
          INFLUX_URL: influxd.url,
          INFLUX_DATABASE: database,
        }),
      );
    }
    // Each worker keeps its registry in its own DATA_DIR.
    for (const p of platforms) await p.api.json('PUT', '/api/v1/registry', registry);
    const target: BrokerTarget = { ...jienengTarget(broker.url), subscriberLogin: INGEST };
    await throughput(target, warm, () => sum(platforms), 60_000);
    log(
      `durability: ${workers} worker(s), INGEST_WORKERS=${declared}, on Mosquitto + InfluxDB, ${readingCount(main).toLocaleString('en')} readings`,
    );
    const rate = await throughput(target, main, () => sum(platforms), quick ? 180_000 : 900_000);
    const shares = await Promise.all(platforms.map((p) => p.acceptedReadings()));
    log(`durability: readings per worker ${shares.join(', ')}`);
    return rate;
  } finally {
    await Promise.all(platforms.map((p) => p.stop()));
    await influxd.stop();
    await broker.stop();
  }
}

export async function benchDurability(opts: { quick: boolean; log?: (m: string) => void }): Promise<Figure[]> {
  const log = opts.log ?? progress;
  const { main } = workloads(opts.quick);
  const size = `${readingCount(main).toLocaleString('en')} readings, ${main.city.gateways} gateways, batches of ${main.perMessage}, QoS 1, ${main.maxInFlight} in flight`;
  const off = await embeddedRun('off', opts.quick, log);
  const on = await embeddedRun('on', opts.quick, log);
  const figures: Figure[] = [
    {
      name: `ingest with acknowledge-after-durable (INGEST_DURABLE=on) (${size})`,
      value: on,
      unit: 'readings/s',
      baseline: { name: 'INGEST_DURABLE=off, same load', value: off },
      ratio: on / off,
      target: 'ratio ≥ 0.8',
      met: on / off >= 0.8,
      note: 'embedded broker and DuckDB, platform in its own process; from the first publish until jieneng_readings_accepted_total holds every reading; PUBACK after the WAL fsync (group commit) when on; per-gateway message rate limit raised',
    },
  ];
  if (opts.quick) {
    // Three clusters of broker + InfluxDB + workers take ~35 s: the full run only.
    log('durability: quick run: the two-worker figures are measured in the full run only');
    return figures;
  }
  const binary = await findMosquitto();
  const why = binary === undefined ? NO_MOSQUITTO : influxdAvailable() ? undefined : 'influxd not installed';
  if (binary === undefined || why !== undefined) {
    log(`durability: ${why}: two-worker figure skipped`);
    return figures;
  }
  const one = await clusterRun(binary, 1, 1, opts.quick, log);
  const oneShared = await clusterRun(binary, 1, 2, opts.quick, log);
  const two = await clusterRun(binary, 2, 2, opts.quick, log);
  const setup =
    'MQTT_MODE=external, STORE=influx (local influxd 1.x), PUBACK after the InfluxDB write, 16 MQTT connections per worker; broker, InfluxDB, workers and load generator share this machine';
  figures.push(
    {
      name: `ingest, two workers in a Mosquitto shared subscription (${size})`,
      value: two,
      unit: 'readings/s',
      baseline: { name: 'one worker as deployed alone (INGEST_WORKERS=1), same load', value: one },
      ratio: two / one,
      note: `${setup}; with INGEST_WORKERS>1 each worker loses the Deriver's sole-writer fast path (duplicate check and hour recompute against the store)`,
    },
    {
      name: `ingest, two workers beside one, both with INGEST_WORKERS=2 (${size})`,
      value: two,
      unit: 'readings/s',
      baseline: { name: 'one worker with INGEST_WORKERS=2 (shared-writer path), same load', value: oneShared },
      ratio: two / oneShared,
      note: `${setup}; the same code path in both, so the ratio is what the second worker adds`,
    },
  );
  return figures;
}
