/**
 * Soak: a steady load against the platform (child process, as users run it) for a long duration,
 * sampling its resident memory (VmRSS, /proc/<pid>/status) and the publish-to-queryable latency of
 * a marker meter per minute. Figures: change from the first to the last minute of RSS and of p95
 * latency (a leak or a slowdown shows as growth).
 */
import type { MqttClient } from 'mqtt';
import type { RegistryInput } from '../core/domain/registry.js';
import { readingsTopic } from '../core/domain/topics.js';
import { type Figure, percentile, progress } from './harness.js';
import { closeAll, connectAll, gatewayIdOf, jienengTarget, meterIdOf, publishOrFail, syntheticCity } from './load.js';
import { startPlatformChild, UNLIMITED_RATES } from './platform-child.js';
import { procStats } from './proc.js';

const DAY_MS = 86_400_000;
const MB = 1024 * 1024;
/** Register step of the load: one reading per meter per minute of data time. */
const STEP_MS = 60_000;
const localDay = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface SoakOptions {
  readonly durationMs: number;
  readonly log?: (message: string) => void;
  /** Background readings/s (batches of 100); default 2,000. */
  readonly readingsPerS?: number;
}

/** Parses `90s`, `30m`, `2h` (or plain ms) into ms. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (m === null) throw new Error(`bad duration ${text}: expected e.g. 90s, 30m, 2h`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 'ms') as 'ms'];
  return Number(m[1]) * unit;
}

export async function benchSoak(opts: SoakOptions): Promise<Figure[]> {
  const log = opts.log ?? progress;
  const perS = opts.readingsPerS ?? 2000;
  // Below two minutes (a trial run), "minutes" are halves of the duration.
  const minuteMs = Math.min(60_000, opts.durationMs / 2);
  const city = { prefix: 'sk', gateways: 10, metersPerGateway: 100 };
  const marker = { prefix: 'sq', gateways: 1, metersPerGateway: 1 };
  const meters = city.gateways * city.metersPerGateway;
  const steps = Math.ceil(((opts.durationMs / 1000) * perS) / meters) + 10;
  // Data time runs one STEP_MS per round of every meter, and ends before now.
  const startMs = Math.floor((Date.now() - steps * STEP_MS - 2 * DAY_MS) / DAY_MS) * DAY_MS;
  const markStartMs = Math.floor((Date.now() - 400 * DAY_MS) / DAY_MS) * DAY_MS;
  const parts = [syntheticCity(city), syntheticCity(marker)];
  const registry: RegistryInput = {
    districts: parts.flatMap((p) => p.districts),
    institutions: parts.flatMap((p) => p.institutions),
    buildings: parts.flatMap((p) => p.buildings),
    gateways: parts.flatMap((p) => p.gateways),
    meters: parts.flatMap((p) => p.meters).map((m) => ({ ...m, intervalS: STEP_MS / 1000 })),
  };
  log(`soak: ${(opts.durationMs / 60_000).toFixed(1)} min at ${perS.toLocaleString('en')} readings/s`);
  const platform = await startPlatformChild(UNLIMITED_RATES);
  const clients: MqttClient[] = [];
  const rss = new Map<number, number[]>();
  const latency = new Map<number, number[]>();
  const add = (m: Map<number, number[]>, k: number, v: number) => m.set(k, [...(m.get(k) ?? []), v]);
  let stop = false;
  let failure: unknown;
  try {
    await platform.api.json('PUT', '/api/v1/registry', registry);
    const target = jienengTarget(platform.mqttUrl);
    const ids = Array.from({ length: city.gateways }, (_, g) => gatewayIdOf(city, g));
    const gateways = await connectAll(target.url, ids.map(target.gatewayLogin));
    clients.push(...gateways);
    const [markerClient] = await connectAll(target.url, [target.gatewayLogin(gatewayIdOf(marker, 0))]);
    if (markerClient === undefined) throw new Error('marker did not connect');
    clients.push(markerClient);
    const markerMeter = meterIdOf(marker, 0, 0);
    const t0 = performance.now();
    const lastMinute = Math.ceil(opts.durationMs / minuteMs) - 1;
    const minute = () => Math.min(lastMinute, Math.floor((performance.now() - t0) / minuteMs));

    // Background: message n carries 100 readings of gateway n % G, one step of all its meters per
    // metersPerGateway/100 messages; paced every 20 ms, at most 100 in flight.
    const perMessage = 100;
    const messagesPerStep = Math.ceil(city.metersPerGateway / perMessage);
    let sent = 0;
    let inFlight = 0;
    const pacer = (async () => {
      while (!stop) {
        const due = Math.floor((((performance.now() - t0) / 1000) * perS) / perMessage);
        while (sent < due && inFlight < 100) {
          const g = sent % city.gateways;
          const m = Math.floor(sent / city.gateways);
          const step = Math.floor(m / messagesPerStep);
          const first = (m % messagesPerStep) * perMessage;
          const readings = [];
          for (let k = first; k < Math.min(city.metersPerGateway, first + perMessage); k++)
            readings.push({ meter: meterIdOf(city, g, k), ts: startMs + step * STEP_MS, value: step });
          sent++;
          inFlight++;
          publishOrFail(gateways[g] as MqttClient, readingsTopic(ids[g] as string), JSON.stringify({ readings }))
            .finally(() => inFlight--)
            .catch((error: unknown) => {
              failure ??= error;
            });
        }
        await sleep(20);
      }
    })();

    // RSS every 5 s (at least 4 samples a "minute").
    const sampler = (async () => {
      while (!stop) {
        add(rss, minute(), (await procStats(platform.pid)).rssBytes);
        await sleep(Math.min(5000, minuteMs / 4));
      }
    })();

    // A marker reading every second: publish, then poll the API until it is readable.
    for (let k = 0; performance.now() - t0 < opts.durationMs; k++) {
      if (failure !== undefined) throw failure;
      const ts = markStartMs + k * STEP_MS;
      const at = performance.now();
      const bucket = minute();
      const payload = JSON.stringify({ meter: markerMeter, ts, value: k });
      await publishOrFail(markerClient, readingsTopic(gatewayIdOf(marker, 0)), payload);
      const path = `/api/v1/meters/${markerMeter}/readings?from=${localDay(ts)}&to=${localDay(ts + DAY_MS)}`;
      for (;;) {
        const body = await platform.api.json<{ readings: { ts: string }[] }>('GET', path);
        if (body.readings.some((r) => Date.parse(r.ts) === ts)) break;
        if (performance.now() - at > 60_000) throw new Error(`marker ${k} not readable after 60 s`);
        await sleep(10);
      }
      add(latency, bucket, performance.now() - at);
      await sleep(Math.max(0, 1000 - (performance.now() - at)));
    }
    stop = true;
    await Promise.all([pacer, sampler]);
    if (failure !== undefined) throw failure;
    log(`soak: sent ${(sent * perMessage).toLocaleString('en')} readings, ${latency.size} minutes sampled`);
  } finally {
    stop = true;
    await closeAll(clients);
    await platform.stop();
  }
  const firstLast = <T>(m: Map<number, T>): [T, T] => {
    const keys = [...m.keys()].sort((a, b) => a - b);
    return [m.get(keys[0] as number) as T, m.get(keys.at(-1) as number) as T];
  };
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const [rss0, rss1] = firstLast(rss).map((xs) => mean(xs) / MB) as [number, number];
  const [lat0, lat1] = firstLast(latency).map((xs) => percentile(xs, 95)) as [number, number];
  const what = `${(opts.durationMs / 60_000).toFixed(1)} min at ${perS.toLocaleString('en')} readings/s (${meters} meters, batches of 100, QoS 1)`;
  const unitNote =
    minuteMs < 60_000 ? `; short run: "minutes" are ${(minuteMs / 1000).toFixed(0)} s` : ', per wall-clock minute';
  return [
    {
      name: `soak RSS change, first to last minute, ${what}`,
      value: rss1 - rss0,
      unit: 'MB',
      baseline: { name: 'RSS in the first minute', value: rss0 },
      ratio: rss0 / rss1,
      note: `mean VmRSS of the platform process (/proc/<pid>/status) in the first and last minute: ${rss0.toFixed(0)} → ${rss1.toFixed(0)} MB; ratio = first / last (1 = no growth)${unitNote}`,
    },
    {
      name: `soak publish-to-queryable p95, last minute, ${what}`,
      value: lat1,
      unit: 'ms',
      baseline: { name: 'p95 in the first minute', value: lat0 },
      ratio: lat0 / lat1,
      target: '≤ 2,000 ms',
      met: lat1 <= 2000,
      note: `one marker reading a second published at QoS 1 and polled via GET /api/v1/meters/{id}/readings; ratio = first / last minute (1 = no slowdown)${unitNote}`,
    },
  ];
}
