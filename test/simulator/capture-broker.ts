/**
 * Test helper: a real aedes broker on a free port that accepts every client and records, per
 * gateway and in arrival order, each message published on a readings topic. A gateway publishes
 * on one topic over one connection, so its messages arrive in the order it sent them (an MQTT
 * server treats each topic as an Ordered Topic by default [MQTT-4.6.0-6]).
 */
import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { ALL_READINGS_FILTER, parseTopic } from '../../core/domain/topics.js';

/** One received readings message. */
export interface Captured {
  readonly gatewayId: string;
  readonly payload: string;
  /** Arrival position over all gateways. */
  readonly seq: number;
}

/** A capturing broker; `close` releases the port, the broker and the observer. */
export interface CaptureBroker {
  readonly url: string;
  readonly messages: Captured[];
  /** Each gateway's payloads in arrival order, gateways sorted by id. */
  byGateway(): Map<string, string[]>;
  close(): Promise<void>;
}

/** Starts a capturing broker on 127.0.0.1, port 0. */
export async function startCaptureBroker(): Promise<CaptureBroker> {
  const broker = await Aedes.createBroker();
  const server = createServer(broker.handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const messages: Captured[] = [];
  const observer = await mqtt.connectAsync(url, { clientId: 'capture-observer' });
  observer.on('message', (topic, payload) => {
    const parsed = parseTopic(topic);
    if (parsed?.kind === 'readings')
      messages.push({ gatewayId: parsed.gatewayId, payload: payload.toString(), seq: messages.length });
  });
  await observer.subscribeAsync(ALL_READINGS_FILTER, { qos: 1 });
  return {
    url,
    messages,
    byGateway() {
      const out = new Map<string, string[]>();
      for (const m of messages) out.set(m.gatewayId, [...(out.get(m.gatewayId) ?? []), m.payload]);
      return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    },
    async close() {
      await observer.endAsync();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
