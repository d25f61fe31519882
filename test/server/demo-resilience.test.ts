import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseReadingsPayload } from '../../core/domain/reading.js';
import { buildFleet } from '../../simulator/fleet.js';
import { FleetPublisher } from '../../simulator/publisher.js';
import { type CaptureBroker, startCaptureBroker } from '../simulator/capture-broker.js';

const FROM_MS = Date.parse('2026-11-18T00:00:00+08:00');
const TO_MS = FROM_MS + 2 * 86_400_000;

/**
 * A TCP proxy in front of the broker that can break every connection and, while `stalled`, accept
 * new ones without ever forwarding them: the client's CONNECT gets no CONNACK (`connack timeout`),
 * as on the busy machine of issue 17, item 7.
 */
async function startProxy(targetPort: number) {
  const sockets = new Set<Socket>();
  let stalled = false;
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (stalled) return;
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => undefined);
    client.on('close', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Breaks every open connection and stalls new ones until `heal`. */
    breakAll() {
      stalled = true;
      for (const s of sockets) s.destroy();
    },
    heal() {
      stalled = false;
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('the demo publisher under a broker hiccup', () => {
  const toClose: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const c of toClose.splice(0).reverse()) await c.close();
  });

  it('reconnects after closed connections and connack timeouts and completes the back-fill', async () => {
    const fleet = buildFleet({ seed: 7, districts: 1, institutions: 4 });
    const broker: CaptureBroker = await startCaptureBroker();
    toClose.push(broker);
    const proxy = await startProxy(Number(new URL(broker.url).port));
    toClose.push(proxy);
    const errors: string[] = [];
    const publisher = new FleetPublisher({
      fleet,
      brokerUrl: proxy.url,
      batchSize: 10,
      maxInFlight: 4,
      connectTimeoutMs: 300,
      retry: { firstDelayMs: 50, maxDelayMs: 400, maxAttempts: 1000 },
      onClientError: (_gatewayId, error) => errors.push(error.message),
    });
    toClose.push(publisher);
    let broke = false;
    let healed: Promise<void> | undefined;
    const result = await publisher.backfill(FROM_MS, TO_MS, (p) => {
      if (broke || p.published < 0.4 * p.total) return;
      broke = true;
      proxy.breakAll();
      healed = new Promise((resolve) => setTimeout(resolve, 1500)).then(() => proxy.heal());
    });
    await healed;
    expect(broke).toBe(true);
    // The hiccup was seen: at least one connect timed out while the proxy stalled.
    expect(errors.some((m) => /connack timeout|Couldn't connect|closed/i.test(m))).toBe(true);
    const expected = fleet.meters.length * ((TO_MS - FROM_MS) / 900_000);
    expect(result.readings).toBe(expected);
    // Every (meter, instant) reached the broker; a batch may have been delivered twice (QoS 1).
    const seen = () => {
      const keys = new Set<string>();
      for (const m of broker.messages)
        for (const r of parseReadingsPayload(m.payload).readings) keys.add(`${r.meterId}|${r.tsMs}`);
      return keys.size;
    };
    await expect.poll(seen).toBe(expected);
  });
});
