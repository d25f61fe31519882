import mqtt, { type MqttClient } from 'mqtt';
import { readingsTopic } from '../../core/domain/topics.js';

/** A reading as published, keyed by `${meter}@${tsMs}`. */
export interface Published {
  readonly meter: string;
  readonly tsMs: number;
  readonly value: number;
}

/** A seeded PRNG (mulberry32), so that a failing run can be repeated. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One QoS 1 publish that fails when the connection closes or no PUBACK comes in time. */
function publishAcked(client: MqttClient, topic: string, payload: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no PUBACK in 5 s')), 5000);
    const onClose = () => reject(new Error('connection closed'));
    client.once('close', onClose);
    client.publish(topic, payload, { qos: 1 }, (error) => {
      clearTimeout(timer);
      client.off('close', onClose);
      if (error) reject(error);
      else resolve();
    });
  });
}

/**
 * A gateway as in the field: publishes one message per step with a reading of each of its meters
 * (registers growing by 1–5), QoS 1, and resends a message until it is acknowledged, reconnecting
 * whenever the connection is lost. Every PUBACK'd reading goes to `acked`.
 */
export async function runGateway(opts: {
  url: () => string;
  gatewayId: string;
  secret: string;
  meters: readonly string[];
  steps: number;
  startMs: number;
  stepMs: number;
  paceMs: number;
  random: () => number;
  acked: Published[];
}): Promise<void> {
  const values = new Map(opts.meters.map((m) => [m, 1000]));
  let client: MqttClient | undefined;
  for (let step = 0; step < opts.steps; ) {
    const readings = opts.meters.map((meter) => ({ meter, tsMs: opts.startMs + step * opts.stepMs, value: 0 }));
    for (const r of readings) r.value = (values.get(r.meter) ?? 0) + 1 + Math.floor(opts.random() * 5);
    const payload = JSON.stringify({ readings: readings.map((r) => ({ meter: r.meter, ts: r.tsMs, value: r.value })) });
    for (;;) {
      try {
        client ??= await mqtt.connectAsync(opts.url(), {
          username: opts.gatewayId,
          password: opts.secret,
          clientId: `${opts.gatewayId}-publisher`,
          reconnectPeriod: 0,
          connectTimeout: 2000,
        });
        await publishAcked(client, readingsTopic(opts.gatewayId), payload);
        break;
      } catch {
        client?.end(true);
        client = undefined;
        await sleep(100);
      }
    }
    for (const r of readings) values.set(r.meter, r.value);
    opts.acked.push(...readings);
    step++;
    await sleep(opts.paceMs);
  }
  await client?.endAsync();
}
