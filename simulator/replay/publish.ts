import { setTimeout as sleep } from 'node:timers/promises';
import { connectAsync, type MqttClient } from 'mqtt';
import { readingsTopic } from '../../core/domain/topics.js';
import type { ReplayReading } from './registers.js';

/** Options of `publishReplay`. */
export interface PublishReplayOptions {
  readonly brokerUrl: string;
  readonly secrets: ReadonlyMap<string, string>;
  /** Readings per message [100]. */
  readonly batchSize?: number;
  /** Publishes awaiting their PUBACK at once [200]. */
  readonly maxInFlight?: number;
  /** Simulated seconds per real second, paced on the readings' timestamps; undefined: as fast as possible. */
  readonly speed?: number;
  readonly onProgress?: (published: number, total: number) => void;
}

/**
 * Publishes readings in the given order, each gateway on its own authenticated connection, in
 * batches `{"readings":[…]}` at QoS 1 with a bound on publishes in flight.
 */
export async function publishReplay(
  readings: readonly ReplayReading[],
  opts: PublishReplayOptions,
): Promise<{ messages: number }> {
  const batchSize = opts.batchSize ?? 100;
  const maxInFlight = opts.maxInFlight ?? 200;
  const clients = new Map<string, MqttClient>();
  for (const gatewayId of new Set(readings.map((r) => r.gatewayId))) {
    clients.set(
      gatewayId,
      await connectAsync(opts.brokerUrl, {
        username: gatewayId,
        password: opts.secrets.get(gatewayId) ?? '',
        clientId: `replay-${gatewayId}`,
        reconnectPeriod: 0,
      }),
    );
  }
  const inFlight = new Set<Promise<unknown>>();
  const pending = new Map<string, ReplayReading[]>();
  let published = 0;
  let messages = 0;
  const t0 = readings[0]?.tsMs ?? 0;
  const started = Date.now();
  const send = async (gatewayId: string, batch: ReplayReading[]) => {
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    const payload = JSON.stringify({ readings: batch.map((r) => ({ meter: r.meterId, ts: r.tsMs, value: r.value })) });
    const p = (clients.get(gatewayId) as MqttClient)
      .publishAsync(readingsTopic(gatewayId), payload, { qos: 1 })
      .then(() => {
        published += batch.length;
        messages++;
        opts.onProgress?.(published, readings.length);
      });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
  try {
    for (const r of readings) {
      if (opts.speed !== undefined) {
        const dueMs = started + (r.tsMs - t0) / opts.speed;
        if (dueMs > Date.now()) await sleep(dueMs - Date.now());
      }
      const batch = pending.get(r.gatewayId) ?? [];
      batch.push(r);
      pending.set(r.gatewayId, batch);
      if (batch.length >= batchSize || opts.speed !== undefined) {
        pending.delete(r.gatewayId);
        await send(r.gatewayId, batch);
      }
    }
    for (const [gatewayId, batch] of pending) await send(gatewayId, batch);
    await Promise.all(inFlight);
  } finally {
    await Promise.all([...clients.values()].map((c) => c.endAsync()));
  }
  return { messages };
}
