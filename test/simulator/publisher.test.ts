import { once } from 'node:events';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { parseReadingsPayload } from '../../core/domain/reading.js';
import { ALL_READINGS_FILTER, parseTopic, readingsTopic, statusTopic } from '../../core/domain/topics.js';
import { buildFleet } from '../../simulator/fleet.js';
import type { Fleet } from '../../simulator/model.js';
import { FleetPublisher } from '../../simulator/publisher.js';
import { registerAt } from '../../simulator/registers.js';

const OBSERVER = { username: 'observer', password: 'observer-secret' };
const FROM_MS = Date.parse('2026-11-18T08:00:00+08:00');
const TO_MS = FROM_MS + 2 * 3_600_000;

/** The first `n` gateways of a fleet with their meters. */
function firstGateways(fleet: Fleet, n: number): Fleet {
  const gateways = fleet.registry.gateways.slice(0, n);
  const ids = new Set(gateways.map((g) => g.id));
  return {
    registry: { ...fleet.registry, gateways, meters: fleet.registry.meters.filter((m) => ids.has(m.gatewayId ?? '')) },
    meters: fleet.meters.filter((m) => ids.has(m.gatewayId)),
  };
}

/** A real aedes broker on a free port that authenticates gateways by id and secret and lets each publish only to its own topics. */
async function startBroker(fleet: Fleet) {
  const secrets = new Map(fleet.registry.gateways.map((g) => [g.id, g.secret]));
  const users = new Map<string, string>();
  let gatewaysOpen = 0;
  let maxGatewaysOpen = 0;
  const broker = await Aedes.createBroker({
    authenticate: (client, username, password, done) => {
      const ok =
        username === OBSERVER.username
          ? password?.toString() === OBSERVER.password
          : username !== undefined && secrets.get(username) === password?.toString();
      if (ok && username !== undefined) users.set(client.id, username);
      done(null, ok);
    },
    authorizePublish: (client, packet, callback) => {
      const user = client === null ? undefined : users.get(client.id);
      const own = user !== undefined && (packet.topic === readingsTopic(user) || packet.topic === statusTopic(user));
      callback(own ? null : new Error(`${user} may not publish to ${packet.topic}`));
    },
  });
  broker.on('client', (client) => {
    if (users.get(client.id) === OBSERVER.username) return;
    gatewaysOpen++;
    maxGatewaysOpen = Math.max(maxGatewaysOpen, gatewaysOpen);
  });
  broker.on('clientDisconnect', (client) => {
    if (users.get(client.id) !== OBSERVER.username) gatewaysOpen--;
  });
  const server: Server = createServer(broker.handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // What a platform would receive: readings keyed by meter and instant, and gateway statuses.
  const readings = new Map<string, number>();
  const problems: string[] = [];
  const statuses = new Map<string, string[]>();
  const observer: MqttClient = await mqtt.connectAsync(url, { ...OBSERVER, clientId: 'observer' });
  observer.on('message', (topic, payload) => {
    const parsed = parseTopic(topic);
    if (parsed?.kind === 'status') {
      statuses.set(parsed.gatewayId, [...(statuses.get(parsed.gatewayId) ?? []), payload.toString()]);
      return;
    }
    const message = parseReadingsPayload(payload.toString());
    for (const reject of message.rejects) problems.push(reject.reason);
    for (const r of message.readings) {
      const key = `${r.meterId}@${r.tsMs}`;
      if (readings.has(key)) problems.push(`duplicate ${key}`);
      if (!fleet.meters.some((m) => m.id === r.meterId && m.gatewayId === parsed?.gatewayId))
        problems.push(`foreign ${key}`);
      readings.set(key, r.value);
    }
  });
  await observer.subscribeAsync([ALL_READINGS_FILTER, 'jieneng/v1/+/status'], { qos: 1 });

  return {
    url,
    readings,
    problems,
    statuses,
    maxGatewaysOpen: () => maxGatewaysOpen,
    async close() {
      await observer.endAsync();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

type Broker = Awaited<ReturnType<typeof startBroker>>;
const toClose: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const c of toClose.splice(0).reverse()) await c.close();
});

async function setUp(fleet: Fleet): Promise<Broker> {
  const broker = await startBroker(fleet);
  toClose.push(broker);
  return broker;
}

function expected(fleet: Fleet, instants: number[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of instants) for (const m of fleet.meters) out.set(`${m.id}@${t}`, registerAt(m, t));
  return out;
}

describe('FleetPublisher', () => {
  const fleet = firstGateways(buildFleet({ seed: 5, districts: 2, institutions: 6 }), 5);

  it('back-fills every reading of every meter exactly once, through a bounded pool of authenticated connections', async () => {
    expect(fleet.registry.gateways).toHaveLength(5);
    const broker = await setUp(fleet);
    const publisher = new FleetPublisher({ fleet, brokerUrl: broker.url, maxClients: 2, batchSize: 7, maxInFlight: 3 });
    toClose.push(publisher);
    const progress: number[] = [];
    const result = await publisher.backfill(FROM_MS, TO_MS, (p) => progress.push(p.published / p.total));

    const instants = Array.from({ length: 8 }, (_, k) => FROM_MS + k * 900_000);
    const want = expected(fleet, instants);
    expect(result.readings).toBe(want.size);
    expect(result.messages).toBeGreaterThanOrEqual(Math.ceil(want.size / 7));
    expect(progress.at(-1)).toBe(1);
    await expect.poll(() => broker.readings.size).toBe(want.size);
    expect(new Map([...broker.readings].sort())).toEqual(new Map([...want].sort()));
    expect(broker.problems).toEqual([]);
    expect(broker.maxGatewaysOpen()).toBeLessThanOrEqual(2);

    await publisher.close();
    for (const g of fleet.registry.gateways) {
      await expect.poll(() => broker.statuses.get(g.id)?.at(-1)).toBe('offline');
      expect(broker.statuses.get(g.id)).toContain('online');
    }
  });

  it('publishes live, one interval at a time on the simulated clock, until aborted', async () => {
    const broker = await setUp(fleet);
    const publisher = new FleetPublisher({ fleet, brokerUrl: broker.url, timestampFormat: 'epoch-ms' });
    toClose.push(publisher);
    const stop = new AbortController();
    const steps: number[] = [];
    // 900 s of simulated time every 25 ms.
    await publisher.live({
      speed: 36_000,
      startMs: FROM_MS - 1,
      signal: stop.signal,
      onStep: (s) => {
        steps.push(s.tsMs);
        expect(s.readings).toBe(fleet.meters.length);
        if (steps.length === 3) stop.abort();
      },
    });
    expect(steps).toEqual([FROM_MS, FROM_MS + 900_000, FROM_MS + 1_800_000]);
    const want = expected(fleet, steps);
    await expect.poll(() => broker.readings.size).toBe(want.size);
    expect(new Map([...broker.readings].sort())).toEqual(new Map([...want].sort()));
    expect(broker.problems).toEqual([]);
  });

  it('fails when the broker refuses a gateway secret', async () => {
    const broker = await setUp(fleet);
    const wrong: Fleet = {
      ...fleet,
      registry: {
        ...fleet.registry,
        gateways: fleet.registry.gateways.map((g) => ({ ...g, secret: 'not-the-secret' })),
      },
    };
    const publisher = new FleetPublisher({ fleet: wrong, brokerUrl: broker.url });
    toClose.push(publisher);
    await expect(publisher.backfill(FROM_MS, TO_MS)).rejects.toThrow();
    expect(broker.readings.size).toBe(0);
  });
});
