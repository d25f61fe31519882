/**
 * Publish-to-queryable latency: while gateways publish a steady moderate load, a marker gateway
 * publishes one reading at a time and the API is polled until each is readable
 * (GET /api/v1/meters/{id}/readings); beside it, the time until a subscriber on the same broker
 * receives the same marked message.
 */
import type { MqttClient } from 'mqtt';
import { readingsTopic } from '../core/domain/topics.js';
import { type Figure, percentile, progress } from './harness.js';
import {
  closeAll,
  connectAll,
  gatewayIdOf,
  jienengTarget,
  meterIdOf,
  payload,
  publishOrFail,
  syntheticCity,
  type Workload,
} from './load.js';
import { startPlatformChild, UNLIMITED_RATES } from './platform-child.js';
import { waitUntil } from './proc.js';

const DAY_MS = 86_400_000;
const MARK_SPACING_MS = 60_000;
const localDay = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function benchLatency(opts: { quick: boolean }): Promise<Figure[]> {
  const backgroundPerS = 10_000;
  const marksPerS = 10;
  const markingS = opts.quick ? 5 : 40;
  const background: Workload = {
    city: { prefix: 'l', gateways: 50, metersPerGateway: 20 },
    steps: Math.ceil(((markingS + 5) * backgroundPerS) / 1000) + 10,
    perMessage: 100,
    startMs: Math.floor((Date.now() - 30 * DAY_MS) / DAY_MS) * DAY_MS,
    maxInFlight: 100,
  };
  const marker = { prefix: 'k', gateways: 1, metersPerGateway: 1 };
  const markerMeter = meterIdOf(marker, 0, 0);
  const markStartMs = Math.floor((Date.now() - 2 * DAY_MS) / DAY_MS) * DAY_MS - 8 * 3_600_000;
  progress('latency: starting the platform in a child process');
  const platform = await startPlatformChild(UNLIMITED_RATES);
  const clients: MqttClient[] = [];
  try {
    await platform.api.json('PUT', '/api/v1/registry', syntheticCity(background.city));
    await platform.api.json('PUT', '/api/v1/registry', syntheticCity(marker));
    const target = jienengTarget(platform.mqttUrl);
    const gatewayIds = Array.from({ length: background.city.gateways }, (_, g) => gatewayIdOf(background.city, g));
    const gateways = await connectAll(target.url, gatewayIds.map(target.gatewayLogin));
    clients.push(...gateways);
    const [markerClient, subscriber] = await connectAll(target.url, [
      target.gatewayLogin(gatewayIdOf(marker, 0)),
      target.subscriberLogin,
    ]);
    if (markerClient === undefined || subscriber === undefined) throw new Error('marker clients did not connect');
    clients.push(markerClient, subscriber);

    const published = new Map<number, number>();
    const delivered = new Map<number, number>();
    const visible = new Map<number, number>();
    subscriber.on('message', (_topic, message) => {
      const k = Number((JSON.parse(message.toString('utf8')) as { value: number }).value);
      if (!delivered.has(k)) delivered.set(k, performance.now());
    });
    await subscriber.subscribeAsync(readingsTopic(gatewayIdOf(marker, 0)), { qos: 0 });

    // Background: `backgroundPerS` readings/s in batches of 100, paced every 20 ms, bounded in flight.
    let stop = false;
    let sentMessages = 0;
    let inFlight = 0;
    let failure: unknown;
    const perMessage = background.perMessage;
    const t0 = performance.now();
    const pacer = (async () => {
      while (!stop) {
        const due = Math.floor((((performance.now() - t0) / 1000) * backgroundPerS) / perMessage);
        while (sentMessages < due && inFlight < background.maxInFlight) {
          const g = sentMessages % background.city.gateways;
          const m = Math.floor(sentMessages / background.city.gateways);
          sentMessages++;
          inFlight++;
          const client = gateways[g] as MqttClient;
          publishOrFail(client, readingsTopic(gatewayIds[g] as string), payload(background, g, m))
            .finally(() => inFlight--)
            .catch((error: unknown) => {
              failure ??= error;
            });
        }
        await sleep(20);
      }
    })();

    // Poll the marker meter's readings through the API; every mark found is visible from now on.
    const from = localDay(markStartMs);
    const to = localDay(markStartMs + 2 * DAY_MS);
    const poller = (async () => {
      while (!stop || visible.size < published.size) {
        const body = await platform.api.json<{ readings: { ts: string }[] }>(
          'GET',
          `/api/v1/meters/${markerMeter}/readings?from=${from}&to=${to}`,
        );
        const now = performance.now();
        for (const r of body.readings) {
          const k = (Date.parse(r.ts) - markStartMs) / MARK_SPACING_MS;
          if (published.has(k) && !visible.has(k)) visible.set(k, now);
        }
        if (stop && performance.now() - t0 > (markingS + 40) * 1000) break;
        await sleep(10);
      }
    })();

    await sleep(1000); // the background load is steady before the first mark
    progress(`latency: ${markingS} s of marked readings beside ${backgroundPerS.toLocaleString('en')} readings/s`);
    const marks = markingS * marksPerS;
    for (let k = 0; k < marks; k++) {
      published.set(k, performance.now());
      await publishOrFail(
        markerClient,
        readingsTopic(gatewayIdOf(marker, 0)),
        JSON.stringify({ meter: markerMeter, ts: markStartMs + k * MARK_SPACING_MS, value: k }),
      );
      await sleep(1000 / marksPerS);
    }
    const backgroundS = (performance.now() - t0) / 1000;
    const backgroundSent = sentMessages * perMessage;
    stop = true;
    await pacer;
    if (failure !== undefined) throw failure;
    await waitUntil('every mark to be readable', async () => visible.size >= published.size, 30_000).catch(
      () => undefined,
    );
    await poller;

    const lost = [...published.keys()].filter((k) => !visible.has(k)).length;
    const toVisible = [...published].map(([k, t]) => (visible.get(k) ?? Number.POSITIVE_INFINITY) - t);
    const toSubscriber = [...published].map(([k, t]) => (delivered.get(k) ?? Number.POSITIVE_INFINITY) - t);
    const note = `${marks} marked single readings (QoS 1) at ${marksPerS}/s, polled via GET /api/v1/meters/{id}/readings every ~10 ms, while ${background.city.gateways} gateways published ${Math.round(backgroundSent / backgroundS).toLocaleString('en')} readings/s in batches of ${perMessage}; API rate limit raised for the poller; baseline = publish → count-only subscriber on the same broker; ratio = baseline / value${lost > 0 ? `; ${lost} marks never became readable (counted as ∞)` : ''}`;
    return [50, 99].map((q) => {
      const value = percentile(toVisible, q);
      const base = percentile(toSubscriber, q);
      return {
        name: `publish-to-queryable latency p${q}, under a steady load`,
        value,
        unit: 'ms',
        baseline: { name: `publish → subscriber p${q}`, value: base },
        ratio: base / value,
        ...(q === 99 ? { target: '≤ 2,000 ms', met: value <= 2000, note } : { note: 'as p99 below' }),
      };
    });
  } finally {
    await closeAll(clients);
    await platform.stop();
  }
}
