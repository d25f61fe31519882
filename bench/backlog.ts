/**
 * Backlog recovery (issue "No device can stop ingest"): after an outage every gateway uploads its
 * buffered readings at once, shuffled as real gateways' buffers come out, with the platform's
 * **default** configuration (rate limits as shipped). Figure: readings/s until all are queryable,
 * and the disconnects the gateways saw (goal: 0), beside the same upload in time order.
 */
import type { MqttClient } from 'mqtt';
import { readingsTopic } from '../core/domain/topics.js';
import { Rng } from '../simulator/random.js';
import { type Figure, progress } from './harness.js';
import { bounded, closeAll, connectAll, jienengTarget, meterIdOf, STEP_MS, syntheticCity } from './load.js';
import { startPlatformChild } from './platform-child.js';
import { waitUntil } from './proc.js';

const DAY_MS = 86_400_000;
/** Readings per message, as a gateway's backlog upload batches them. */
const PER_MESSAGE = 50;

interface Upload {
  readonly readings: number;
  readonly seconds: number;
  readonly disconnects: number;
}

/** One upload of `days` of 15-minute readings of every meter, on a fresh platform with its defaults. */
async function upload(spec: { gateways: number; meters: number; days: number; shuffled: boolean }): Promise<Upload> {
  const city = { prefix: 'k', gateways: spec.gateways, metersPerGateway: spec.meters };
  const steps = (spec.days * DAY_MS) / STEP_MS;
  const startMs = Math.floor((Date.now() - (spec.days + 1) * DAY_MS) / DAY_MS) * DAY_MS;
  // Seeded: the same shuffle every run.
  const rng = new Rng(7);
  const messages: { gateway: number; payload: string }[][] = [];
  for (let g = 0; g < spec.gateways; g++) {
    const readings = [];
    for (let s = 0; s < steps; s++)
      for (let k = 0; k < spec.meters; k++)
        readings.push({ meter: meterIdOf(city, g, k), ts: startMs + s * STEP_MS, value: s });
    if (spec.shuffled) rng.shuffle(readings);
    const mine = [];
    for (let i = 0; i < readings.length; i += PER_MESSAGE)
      mine.push({ gateway: g, payload: JSON.stringify({ readings: readings.slice(i, i + PER_MESSAGE) }) });
    messages.push(mine);
  }
  // Every gateway at once: their messages interleaved.
  const order: { gateway: number; payload: string }[] = [];
  for (let m = 0; m < (messages[0]?.length ?? 0); m++)
    for (const mine of messages) {
      const message = mine[m];
      if (message !== undefined) order.push(message);
    }
  const total = spec.gateways * spec.meters * steps;
  const platform = await startPlatformChild();
  let clients: MqttClient[] = [];
  try {
    const registry = syntheticCity(city);
    await platform.api.json('PUT', '/api/v1/registry', registry);
    const target = jienengTarget(platform.mqttUrl);
    const ids = registry.gateways.map((g) => g.id);
    clients = await connectAll(
      target.url,
      ids.map((id) => target.gatewayLogin(id)),
    );
    let disconnects = 0;
    for (const c of clients) c.on('close', () => disconnects++);
    const t0 = performance.now();
    await bounded(
      order.map((m) => async () => {
        // A gateway whose connection was closed reconnects and resends (the disconnect is counted).
        for (;;) {
          const client = clients[m.gateway] as MqttClient;
          try {
            await client.publishAsync(readingsTopic(ids[m.gateway] as string), m.payload, { qos: 1 });
            return;
          } catch {
            if (!client.connected) {
              const [again] = await connectAll(target.url, [target.gatewayLogin(ids[m.gateway] as string)]);
              again?.on('close', () => disconnects++);
              clients[m.gateway] = again as MqttClient;
            }
          }
        }
      }),
      200,
    );
    await waitUntil(
      'every reading to be stored',
      async () => (await platform.acceptedReadings()) >= total,
      600_000,
      100,
    );
    const from = new Date(startMs - DAY_MS).toISOString().slice(0, 10);
    const to = new Date(startMs + (spec.days + 2) * DAY_MS).toISOString().slice(0, 10);
    const want = spec.gateways * spec.meters * (steps - 1);
    await waitUntil(
      'the city total to be exact',
      async () => {
        const answer = await platform.api.json<{ total: number }>(
          'GET',
          `/api/v1/consumption?scope=city&energy=electricity&from=${from}&to=${to}&interval=month`,
        );
        return Math.abs(answer.total - want) < 1e-6;
      },
      600_000,
      200,
    );
    return { readings: total, seconds: (performance.now() - t0) / 1000, disconnects };
  } finally {
    await closeAll(clients);
    await platform.stop();
  }
}

export async function benchBacklog(opts: { quick: boolean }): Promise<Figure[]> {
  const spec = opts.quick ? { gateways: 20, meters: 10, days: 2 } : { gateways: 100, meters: 10, days: 7 };
  const size = `${(spec.gateways * spec.meters).toLocaleString('en')} meters × ${spec.days} days of 15-minute readings by ${spec.gateways} gateways at once`;
  progress(`backlog: ${size}, in time order (baseline)`);
  const inOrder = await upload({ ...spec, shuffled: false });
  progress(`backlog: the same, shuffled`);
  const shuffled = await upload({ ...spec, shuffled: true });
  const rate = (u: Upload) => u.readings / u.seconds;
  return [
    {
      name: `backlog recovery: ${size}, shuffled, default configuration, until all are queryable`,
      value: rate(shuffled),
      unit: 'readings/s',
      baseline: { name: 'the same upload in time order', value: rate(inOrder) },
      ratio: rate(shuffled) / rate(inOrder),
      note: `${shuffled.readings.toLocaleString('en')} readings in ${shuffled.seconds.toFixed(1)} s (in order: ${inOrder.seconds.toFixed(1)} s); batches of ${PER_MESSAGE}, 200 messages in flight`,
    },
    {
      name: 'backlog recovery: disconnects seen by the gateways (shuffled upload)',
      value: shuffled.disconnects,
      unit: 'disconnects',
      baseline: { name: 'in time order', value: inOrder.disconnects },
      target: '0',
      met: shuffled.disconnects === 0 && inOrder.disconnects === 0,
    },
  ];
}
