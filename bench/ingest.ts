import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { loadConfig } from '../core/config.js';
import type { RegistryInput } from '../core/domain/registry.js';
import { ALL_READINGS_FILTER, readingsTopic } from '../core/domain/topics.js';
import { SERVICE_USERNAME } from '../ingest/broker.js';
import { type Platform, startPlatform } from '../server/platform.js';
import { type Figure, percentile } from './harness.js';

const TOKEN = 'bench-admin-token-0123456789';
const STEP_MS = 900_000;
const START_MS = Date.parse('2026-09-01T00:00:00+08:00');

/** A synthetic city: `institutions` × 1 building × `metersPer` electricity meters, one gateway per building. */
function city(institutions: number, metersPer: number): RegistryInput {
  const ids = Array.from({ length: institutions }, (_, i) => String(i).padStart(4, '0'));
  return {
    districts: [{ id: 'd1', name: '一区' }],
    institutions: ids.map((i) => ({
      id: `i${i}`,
      name: `机构${i}`,
      districtId: 'd1',
      type: 'office' as const,
      floorAreaM2: 10_000,
      occupants: 200,
    })),
    buildings: ids.map((i) => ({ id: `b${i}`, institutionId: `i${i}`, name: `楼${i}`, floorAreaM2: 10_000 })),
    gateways: ids.map((i) => ({ id: `g${i}`, secret: `bench-secret-${i}` })),
    meters: ids.flatMap((i) =>
      Array.from({ length: metersPer }, (_, k) => ({
        id: `m${i}-${k}`,
        buildingId: `b${i}`,
        gatewayId: `g${i}`,
        energy: 'electricity' as const,
        unit: 'kWh',
        multiplier: 1,
        intervalS: 900,
      })),
    ),
  };
}

async function api(p: Platform, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${p.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Runs `tasks` with at most `limit` in flight (mqtt.js collapses when everything is fired at once). */
async function bounded(tasks: Iterable<() => Promise<unknown>>, limit: number): Promise<void> {
  const it = tasks[Symbol.iterator]();
  const worker = async () => {
    for (let next = it.next(); !next.done; next = it.next()) await next.value();
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

/** Ingest end to end (MQTT → readable through the API) beside a count-only subscriber, and query latency. */
export async function benchIngest(opts: { quick: boolean }): Promise<Figure[]> {
  const institutions = 50;
  const metersPer = 20;
  const steps = opts.quick ? 200 : 2880; // 2 days or 30 days of 15-minute readings
  const dir = await mkdtemp(join(tmpdir(), 'jieneng-bench-'));
  const config = loadConfig({
    DATA_DIR: dir,
    PORT: '0',
    MQTT_PORT: '0',
    HOST: '127.0.0.1',
    MQTT_HOST: '127.0.0.1',
    DEMO: 'off',
    ADMIN_TOKEN: TOKEN,
    LOG_LEVEL: 'silent',
  });
  const platform = await startPlatform(config, pino({ level: 'silent' }));
  const clients: MqttClient[] = [];
  try {
    const registry = city(institutions, metersPer);
    await api(platform, 'PUT', '/api/v1/registry', registry);
    const url = `mqtt://127.0.0.1:${platform.mqttPort}`;
    const counter = await mqtt.connectAsync(url, { username: SERVICE_USERNAME, password: TOKEN, reconnectPeriod: 0 });
    clients.push(counter);
    let messages = 0;
    let subscriberDoneMs = 0;
    const perBatch = 100;
    const stepsPerBatch = perBatch / metersPer;
    const batchesPerGateway = Math.ceil(steps / stepsPerBatch);
    const totalMessages = batchesPerGateway * institutions;
    counter.on('message', () => {
      messages++;
      if (messages === totalMessages) subscriberDoneMs = performance.now();
    });
    await counter.subscribeAsync(ALL_READINGS_FILTER, { qos: 0 });
    const gateways = await Promise.all(
      registry.gateways.map((g) => mqtt.connectAsync(url, { username: g.id, password: g.secret, reconnectPeriod: 0 })),
    );
    clients.push(...gateways);
    const payloads = (gi: number, b: number) => {
      const i = String(gi).padStart(4, '0');
      const readings = [];
      for (let s = b * stepsPerBatch; s < Math.min(steps, (b + 1) * stepsPerBatch); s++) {
        for (let k = 0; k < metersPer; k++)
          readings.push({ meter: `m${i}-${k}`, ts: START_MS + s * STEP_MS, value: s });
      }
      return JSON.stringify({ readings });
    };
    function* tasks() {
      for (let b = 0; b < batchesPerGateway; b++) {
        for (let gi = 0; gi < institutions; gi++) {
          const client = gateways[gi] as MqttClient;
          yield () =>
            client.publishAsync(readingsTopic(`g${String(gi).padStart(4, '0')}`), payloads(gi, b), { qos: 1 });
        }
      }
    }
    const readings = institutions * metersPer * steps;
    const expectedTotal = institutions * metersPer * (steps - 1);
    const fromDay = new Date(START_MS + 8 * 3_600_000).toISOString().slice(0, 10);
    const toDay = new Date(START_MS + steps * STEP_MS + 40 * 3_600_000).toISOString().slice(0, 10);
    const totalPath = `/api/v1/consumption?scope=city&from=${fromDay}&to=${toDay}&interval=month&energy=electricity`;
    const t0 = performance.now();
    await bounded(tasks(), 400);
    let e2eDoneMs = 0;
    for (;;) {
      const body = (await api(platform, 'GET', totalPath)) as { total: number };
      if (Math.abs(body.total - expectedTotal) < 1e-6) {
        e2eDoneMs = performance.now();
        break;
      }
      if (performance.now() - t0 > 600_000)
        throw new Error(`ingest did not complete: ${body.total} of ${expectedTotal}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    while (subscriberDoneMs === 0) await new Promise((r) => setTimeout(r, 10));
    const e2eRate = readings / ((e2eDoneMs - t0) / 1000);
    const subRate = readings / ((subscriberDoneMs - t0) / 1000);

    // Query latency: a month of daily totals for one institution.
    const latencies: number[] = [];
    for (let n = 0; n < (opts.quick ? 100 : 300); n++) {
      const inst = `i${String(n % institutions).padStart(4, '0')}`;
      const s = performance.now();
      await api(
        platform,
        'GET',
        `/api/v1/consumption?scope=institution:${inst}&from=2026-09-01&to=2026-10-01&interval=day&energy=electricity`,
      );
      latencies.push(performance.now() - s);
    }
    const monthP95 = percentile(latencies, 95);
    const meters = institutions * metersPer;
    return [
      {
        name: `ingest end to end, batches of ${perBatch}, QoS 1 (${readings.toLocaleString('en')} readings, ${meters} meters)`,
        value: e2eRate,
        unit: 'readings/s',
        baseline: { name: 'count-only subscriber', value: subRate },
        ratio: e2eRate / subRate,
        target: '≥ 100,000 readings/s and ratio ≥ 0.6',
        met: e2eRate >= 100_000 && e2eRate / subRate >= 0.6,
      },
      {
        name: `month of daily totals, one institution (${meters} meters × ${steps} readings), p95`,
        value: monthP95,
        unit: 'ms',
        baseline: { name: 'p50', value: percentile(latencies, 50) },
        target: '≤ 20 ms',
        met: monthP95 <= 20,
      },
    ];
  } finally {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    await platform.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
