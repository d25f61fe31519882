/**
 * The load generator: a synthetic city of gateways publishing register readings over MQTT at QoS 1
 * with a bounded number of publishes in flight (mqtt.js collapses when 100k publishes are fired at
 * once, and aedes stalls at its concurrency), and a subscriber that only counts what the broker
 * delivers. Works against the platform's broker (gateway and service logins) and any other broker
 * (e.g. Mosquitto, anonymous).
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { RegistryInput } from '../core/domain/registry.js';
import { ALL_READINGS_FILTER, readingsTopic } from '../core/domain/topics.js';
import { SERVICE_USERNAME } from '../ingest/broker.js';
import { BENCH_TOKEN } from './platform-child.js';
import { waitUntil } from './proc.js';

/** Interval between a meter's readings, ms. */
export const STEP_MS = 900_000;

/** A synthetic city: `gateways` institutions with one building and one gateway each, `metersPerGateway` meters each. */
export interface CitySpec {
  /** Prepended to every id, so that several cities can share a platform. */
  readonly prefix: string;
  readonly gateways: number;
  readonly metersPerGateway: number;
}

const pad = (n: number) => String(n).padStart(4, '0');
export const gatewayIdOf = (c: CitySpec, g: number) => `${c.prefix}g${pad(g)}`;
export const meterIdOf = (c: CitySpec, g: number, k: number) => `${c.prefix}m${pad(g)}-${k}`;
export const districtIdOf = (c: CitySpec) => `${c.prefix}d`;
const secretOf = (gatewayId: string) => `bench-secret-${gatewayId}`;

/** The registry of a synthetic city: one district; electricity meters, multiplier 1, every 15 minutes. */
export function syntheticCity(c: CitySpec): RegistryInput {
  const gs = Array.from({ length: c.gateways }, (_, g) => g);
  return {
    districts: [{ id: districtIdOf(c), name: `压测区 ${c.prefix}` }],
    institutions: gs.map((g) => ({
      id: `${c.prefix}i${pad(g)}`,
      name: `机构${pad(g)}`,
      districtId: districtIdOf(c),
      type: 'office' as const,
      floorAreaM2: 10_000,
      occupants: 200,
    })),
    buildings: gs.map((g) => ({
      id: `${c.prefix}b${pad(g)}`,
      institutionId: `${c.prefix}i${pad(g)}`,
      name: `楼${pad(g)}`,
      floorAreaM2: 10_000,
    })),
    gateways: gs.map((g) => ({ id: gatewayIdOf(c, g), secret: secretOf(gatewayIdOf(c, g)) })),
    meters: gs.flatMap((g) =>
      Array.from({ length: c.metersPerGateway }, (_, k) => ({
        id: meterIdOf(c, g, k),
        buildingId: `${c.prefix}b${pad(g)}`,
        gatewayId: gatewayIdOf(c, g),
        energy: 'electricity' as const,
        unit: 'kWh',
        multiplier: 1,
        intervalS: STEP_MS / 1000,
      })),
    ),
  };
}

/** What every gateway of a city publishes: `steps` readings of each meter, `perMessage` readings a message. */
export interface Workload {
  readonly city: CitySpec;
  readonly steps: number;
  /** 1: single-reading messages `{"meter","ts","value"}`; more: batches `{"readings":[…]}`. */
  readonly perMessage: number;
  /** Timestamp of the first step (epoch ms; readings carry `ts` as epoch ms). */
  readonly startMs: number;
  /** Publishes awaiting their PUBACK, over all connections. */
  readonly maxInFlight: number;
}

export const readingCount = (w: Workload) => w.city.gateways * w.city.metersPerGateway * w.steps;
export const messagesPerGateway = (w: Workload) => Math.ceil((w.city.metersPerGateway * w.steps) / w.perMessage);
/** Register value at step s is s, multiplier 1: every interval is 1 kWh. */
export const expectedKwh = (w: Workload) => w.city.gateways * w.city.metersPerGateway * (w.steps - 1);

/** Payload of message `m` of gateway `g`: readings in time order, all meters of a step together. */
export function payload(w: Workload, g: number, m: number): string {
  const { metersPerGateway } = w.city;
  const end = Math.min(metersPerGateway * w.steps, (m + 1) * w.perMessage);
  const readings = [];
  for (let i = m * w.perMessage; i < end; i++) {
    const step = Math.floor(i / metersPerGateway);
    readings.push({ meter: meterIdOf(w.city, g, i % metersPerGateway), ts: w.startMs + step * STEP_MS, value: step });
  }
  return JSON.stringify(w.perMessage === 1 ? readings[0] : { readings });
}

/** MQTT login. */
export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** A broker to load: where it is and how gateways and the counting subscriber log in. */
export interface BrokerTarget {
  readonly url: string;
  readonly gatewayLogin: (gatewayId: string) => Credentials;
  readonly subscriberLogin: Credentials;
}

/** The platform's broker: gateways with their secrets, the subscriber as `service` with the admin token. */
export const jienengTarget = (url: string): BrokerTarget => ({
  url,
  gatewayLogin: (id) => ({ username: id, password: secretOf(id) }),
  subscriberLogin: { username: SERVICE_USERNAME, password: BENCH_TOKEN },
});

/** Runs `tasks` with at most `limit` in flight. */
export async function bounded(tasks: Iterable<() => Promise<unknown>>, limit: number): Promise<void> {
  const it = tasks[Symbol.iterator]();
  const worker = async () => {
    for (let next = it.next(); !next.done; next = it.next()) await next.value();
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

let clientSeq = 0;

/**
 * Connects one client per login (in the order of `logins`), `concurrency` at a time; on failure
 * closes those connected.
 */
export async function connectAll(url: string, logins: readonly Credentials[], concurrency = 32): Promise<MqttClient[]> {
  const clients: (MqttClient | undefined)[] = logins.map(() => undefined);
  try {
    await bounded(
      logins.map((login, i) => async () => {
        const client = await mqtt.connectAsync(
          url,
          { ...login, clientId: `bench-${process.pid}-${++clientSeq}`, reconnectPeriod: 0, connectTimeout: 300_000 },
          false,
        );
        void closed(client); // watch from now on: a close before the first publish is seen too
        clients[i] = client;
      }),
      concurrency,
    );
    return clients as MqttClient[];
  } catch (error) {
    await closeAll(clients.filter((c) => c !== undefined));
    throw error;
  }
}

export async function closeAll(clients: readonly MqttClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
}

const closedOf = new WeakMap<MqttClient, Promise<never>>();

/** Rejects when the connection closes (once per client, however many publishes are waiting). */
function closed(client: MqttClient): Promise<never> {
  let p = closedOf.get(client);
  if (p === undefined) {
    p = new Promise<never>((_, reject) =>
      client.once('close', () => reject(new Error(`the broker closed the connection of ${client.options.username}`))),
    );
    p.catch(() => undefined);
    closedOf.set(client, p);
  }
  return p;
}

/**
 * Publishes at QoS 1 and fails when the connection closes first: mqtt.js (without reconnect)
 * would leave the publish pending forever, e.g. after the broker refused it and hung up.
 */
export function publishOrFail(client: MqttClient, topic: string, message: string): Promise<unknown> {
  return Promise.race([client.publishAsync(topic, message, { qos: 1 }), closed(client)]);
}

/** A subscriber on every gateway's readings topic that counts messages and nothing else. */
export interface CountingSubscriber {
  count(): number;
  /** performance.now() of the last message counted. */
  lastAtMs(): number;
  close(): Promise<void>;
}

export async function countingSubscriber(target: BrokerTarget): Promise<CountingSubscriber> {
  const [client] = await connectAll(target.url, [target.subscriberLogin]);
  if (client === undefined) throw new Error('subscriber did not connect');
  let count = 0;
  let lastAtMs = 0;
  client.on('message', () => {
    count++;
    lastAtMs = performance.now();
  });
  await client.subscribeAsync(ALL_READINGS_FILTER, { qos: 0 });
  return { count: () => count, lastAtMs: () => lastAtMs, close: () => closeAll([client]) };
}

/** Timings of one run of a workload, ms from the first publish. */
export interface LoadResult {
  readonly readings: number;
  readonly messages: number;
  /** Until the last PUBACK. */
  readonly publishMs: number;
  /** Until the subscriber counted its last message. */
  readonly subscriberMs: number;
  /** Messages the subscriber counted (all of them unless the broker dropped some). */
  readonly subscriberMessages: number;
  /** Until `isComplete` said yes (the data is readable end to end), when given. */
  readonly e2eMs?: number;
}

/** A workload connected and ready to run; `close` disconnects everything. */
export interface PreparedLoad {
  run(isComplete?: () => Promise<boolean>, timeoutMs?: number): Promise<LoadResult>;
  close(): Promise<void>;
}

/** Connects a workload's gateways and the counting subscriber to a broker. */
export async function prepareLoad(target: BrokerTarget, w: Workload): Promise<PreparedLoad> {
  const ids = Array.from({ length: w.city.gateways }, (_, g) => gatewayIdOf(w.city, g));
  const gateways = await connectAll(target.url, ids.map(target.gatewayLogin));
  const subscriber = await countingSubscriber(target).catch(async (error: unknown) => {
    await closeAll(gateways);
    throw error;
  });
  const topics = ids.map(readingsTopic);
  const perGateway = messagesPerGateway(w);
  const messages = perGateway * w.city.gateways;
  function* tasks() {
    for (let m = 0; m < perGateway; m++) {
      for (let g = 0; g < w.city.gateways; g++) {
        const client = gateways[g] as MqttClient;
        yield () => publishOrFail(client, topics[g] as string, payload(w, g, m));
      }
    }
  }
  return {
    async run(isComplete, timeoutMs = 600_000) {
      const counted = subscriber.count();
      const t0 = performance.now();
      await bounded(tasks(), w.maxInFlight);
      const publishMs = performance.now() - t0;
      let e2eMs: number | undefined;
      if (isComplete !== undefined) {
        await waitUntil('the data to be readable end to end', isComplete, timeoutMs, 20);
        e2eMs = performance.now() - t0;
      }
      // A broker may drop QoS 0 deliveries to a slow subscriber: then count what arrived.
      const received = () => subscriber.count() - counted;
      await waitUntil('the subscriber', async () => received() >= messages, 10_000 + publishMs).catch(() => undefined);
      return {
        readings: readingCount(w),
        messages,
        publishMs,
        subscriberMs: subscriber.lastAtMs() - t0,
        subscriberMessages: received(),
        ...(e2eMs === undefined ? {} : { e2eMs }),
      };
    },
    close: async () => {
      await subscriber.close();
      await closeAll(gateways);
    },
  };
}
