/**
 * Ingest throughput end to end (publish over MQTT → readable through the API) for single-reading
 * QoS 1 messages and for gateway batches of 100, each beside a subscriber that only counts
 * messages on the same broker, and beside Mosquitto under the same load; and the platform's CPU
 * time per reading, read from /proc for the platform's own process.
 */
import { type Figure, progress } from './harness.js';
import {
  type BrokerTarget,
  districtIdOf,
  expectedKwh,
  jienengTarget,
  type LoadResult,
  prepareLoad,
  readingCount,
  STEP_MS,
  syntheticCity,
  type Workload,
} from './load.js';
import { findMosquitto, NO_MOSQUITTO, startMosquitto } from './mosquitto.js';
import { type PlatformChild, startPlatformChild, UNLIMITED_RATES } from './platform-child.js';
import type { ProcStats } from './proc.js';

const DAY_MS = 86_400_000;
/** Local calendar day (Asia/Shanghai, the platform's zone here) of an instant. */
const localDay = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);

/** The two loads, sized so that each runs for several seconds (quick) or tens of seconds (full). */
function workloads(quick: boolean): { single: Workload; batch: Workload } {
  // Readings lie in the recent past: never beyond the platform's clock-skew limit.
  const startMs = Math.floor((Date.now() - 40 * DAY_MS) / DAY_MS) * DAY_MS;
  return {
    single: {
      city: { prefix: 's', gateways: 50, metersPerGateway: 20 },
      steps: quick ? 40 : 300,
      perMessage: 1,
      startMs,
      maxInFlight: 1000,
    },
    batch: {
      city: { prefix: 'b', gateways: 50, metersPerGateway: 20 },
      steps: quick ? 200 : 2880,
      perMessage: 100,
      startMs,
      maxInFlight: 200,
    },
  };
}

/** Runs of a workload against a broker, with the CPU time of the broker's process. */
interface Run {
  readonly result: LoadResult;
  readonly cpuMs: number;
  readonly repeats: number;
}

/**
 * Runs a workload once, or (without `isComplete`) again and again until `minMs` have passed, so
 * that a fast broker's CPU time is well above the 10 ms resolution of /proc.
 */
async function measure(
  target: BrokerTarget,
  w: Workload,
  stats: () => Promise<ProcStats>,
  opts: { isComplete?: () => Promise<boolean>; timeoutMs?: number; minMs?: number },
): Promise<Run> {
  const load = await prepareLoad(target, w);
  try {
    const before = await stats();
    let sum: LoadResult | undefined;
    let repeats = 0;
    do {
      const r = await load.run(opts.isComplete, opts.timeoutMs);
      repeats++;
      sum =
        sum === undefined
          ? r
          : {
              readings: sum.readings + r.readings,
              messages: sum.messages + r.messages,
              publishMs: sum.publishMs + r.publishMs,
              subscriberMs: sum.subscriberMs + r.subscriberMs,
              subscriberMessages: sum.subscriberMessages + r.subscriberMessages,
            };
    } while (opts.isComplete === undefined && sum.subscriberMs < (opts.minMs ?? 0));
    const after = await stats();
    return { result: sum, cpuMs: after.cpuMs - before.cpuMs, repeats };
  } finally {
    await load.close();
  }
}

/** Polls the district's consumption until every interval of the workload is in it. */
function readable(platform: PlatformChild, w: Workload): () => Promise<boolean> {
  const from = localDay(w.startMs - DAY_MS);
  const to = localDay(w.startMs + w.steps * STEP_MS + 2 * DAY_MS);
  const path = `/api/v1/consumption?scope=district:${districtIdOf(w.city)}&from=${from}&to=${to}&interval=month&energy=electricity`;
  const expected = expectedKwh(w);
  return async () => {
    const body = await platform.api.json<{ total: number }>('GET', path);
    return Math.abs(body.total - expected) < 1e-6 * expected;
  };
}

const rate = (readings: number, ms: number) => readings / (ms / 1000);
/** Count-only subscriber rate in readings/s (what it counted, should the broker have dropped some). */
const subscriberRate = (w: Workload, r: LoadResult) => rate(r.subscriberMessages * w.perMessage, r.subscriberMs);
const dropped = (r: LoadResult) =>
  r.subscriberMessages < r.messages ? `; the subscriber counted ${r.subscriberMessages} of ${r.messages} messages` : '';

export async function benchIngest(opts: { quick: boolean }): Promise<Figure[]> {
  const { single, batch } = workloads(opts.quick);
  const jn: Record<'single' | 'batch', Run> = {} as never;
  const mq: Partial<Record<'single' | 'batch', Run>> = {};
  const mosquittoBinary = await findMosquitto();
  if (mosquittoBinary === undefined) progress(`ingest: ${NO_MOSQUITTO}`);
  progress('ingest: starting the platform in a child process');
  const platform = await startPlatformChild(UNLIMITED_RATES);
  try {
    const kinds = [
      // Warm-ups (JIT, DuckDB caches), not measured; few gateways, as each login costs a scrypt check.
      ['warm-up single', { ...single, city: { prefix: 'ws', gateways: 10, metersPerGateway: 20 }, steps: 10 }],
      ['warm-up batch', { ...batch, city: { prefix: 'wb', gateways: 10, metersPerGateway: 20 }, steps: 50 }],
      ['single', single],
      ['batch', batch],
    ] as const;
    for (const [key, w] of kinds) {
      await platform.api.json('PUT', '/api/v1/registry', syntheticCity(w.city));
      progress(`ingest: Jieneng, ${key} (${readingCount(w).toLocaleString('en')} readings)`);
      const run = await measure(jienengTarget(platform.mqttUrl), w, platform.stats, {
        isComplete: readable(platform, w),
        timeoutMs: opts.quick ? 60_000 : 600_000,
      });
      if (key !== 'single' && key !== 'batch') continue;
      jn[key] = run;
      if (mosquittoBinary === undefined) continue;
      // Right after the platform's run, so that both see the same machine (the platform idles).
      progress(`ingest: Mosquitto, ${key}`);
      const mosquitto = await startMosquitto(mosquittoBinary);
      try {
        mq[key] = await measure(mosquitto.target, w, mosquitto.stats, { minMs: opts.quick ? 1000 : 5000 });
      } finally {
        await mosquitto.stop();
      }
    }
  } finally {
    await platform.stop();
  }

  const figures: Figure[] = [];
  for (const [key, w] of [
    ['single', single],
    ['batch', batch],
  ] as const) {
    const run = jn[key];
    const e2e = rate(run.result.readings, run.result.e2eMs ?? Number.NaN);
    const sub = subscriberRate(w, run.result);
    const meters = w.city.gateways * w.city.metersPerGateway;
    const what =
      key === 'single' ? 'single readings, QoS 1' : `batches of ${w.perMessage}, QoS 1, ${w.maxInFlight} in flight`;
    const size = `${run.result.readings.toLocaleString('en')} readings, ${meters} meters, ${w.city.gateways} gateways`;
    const targetMet = key === 'single' ? e2e >= 20_000 : e2e >= 100_000 && e2e / sub >= 0.6;
    figures.push({
      name: `ingest end to end, ${what} (${size})`,
      value: e2e,
      unit: 'readings/s',
      baseline: { name: 'count-only subscriber, same broker', value: sub },
      ratio: e2e / sub,
      target: key === 'single' ? '≥ 20,000 readings/s' : '≥ 100,000 readings/s and ratio ≥ 0.6',
      met: targetMet,
      note: `publish over MQTT until the district's consumption via the API holds every interval; last PUBACK after ${(run.result.publishMs / 1000).toFixed(1)} s, readable after ${((run.result.e2eMs ?? 0) / 1000).toFixed(1)} s; ts as epoch ms; platform in its own process, per-gateway message rate limit raised (MQTT_MAX_MESSAGES_PER_S: each bench gateway stands for many)${dropped(run.result)}`,
    });
    const m = mq[key];
    if (m !== undefined) {
      const mSub = subscriberRate(w, m.result);
      figures.push({
        name: `ingest end to end, ${what}, vs Mosquitto`,
        value: e2e,
        unit: 'readings/s',
        baseline: { name: 'Mosquitto count-only subscriber, same publishers', value: mSub },
        ratio: e2e / mSub,
        note: `Mosquitto ${mosquittoBinary ?? ''} (anonymous, no persistence), the workload run ${m.repeats}× (≥ ${opts.quick ? 1 : 5} s) with the same publishers and subscriber${dropped(m.result)}`,
      });
    } else if (mosquittoBinary === undefined) {
      const last = figures.at(-1);
      if (last !== undefined) figures[figures.length - 1] = { ...last, note: `${last.note}; ${NO_MOSQUITTO}` };
    }
    const cpuUs = (run.cpuMs * 1000) / run.result.readings;
    const mCpuUs = m === undefined ? undefined : (m.cpuMs * 1000) / m.result.readings;
    figures.push({
      name: `platform CPU per reading, ${what}`,
      value: cpuUs,
      unit: 'µs/reading',
      ...(mCpuUs === undefined
        ? {}
        : { baseline: { name: 'Mosquitto CPU, same load', value: mCpuUs }, ratio: mCpuUs / cpuUs }),
      note: `utime+stime of the platform process (/proc/<pid>/stat) from first publish to readable, over readings; the load generators run in another process${m === undefined ? `; ${NO_MOSQUITTO}` : '; ratio = Mosquitto / platform (higher is better)'}`,
    });
  }
  return figures;
}
