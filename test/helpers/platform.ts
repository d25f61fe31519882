import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { loadConfig } from '../../core/config.js';
import { type Platform, startPlatform } from '../../server/platform.js';

/** The admin token test platforms start with. */
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

/** A platform on free ports in a temporary data directory, with helpers to call it. */
export interface TestPlatform {
  readonly platform: Platform;
  readonly dataDir: string;
  api<T = unknown>(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: T }>;
  connectGateway(gatewayId: string, secret: string, options?: mqtt.IClientOptions): Promise<MqttClient>;
  close(): Promise<void>;
}

/** Starts a real platform (DuckDB store, aedes broker, Fastify) with the demo off. */
export async function startTestPlatform(
  env: Record<string, string> = {},
  dataDir?: string,
  logger?: pino.Logger,
): Promise<TestPlatform> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'jieneng-test-')));
  const config = loadConfig({
    DATA_DIR: dir,
    PORT: '0',
    MQTT_PORT: '0',
    HOST: '127.0.0.1',
    MQTT_HOST: '127.0.0.1',
    DEMO: 'off',
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    INGEST_FLUSH_MS: '10',
    JOBS: 'off',
    MQTTS_PORT: '0',
    // Tests hammer the API from one token; the rate limit has its own test.
    API_RATE_LIMIT_PER_MIN: '1000000',
    MQTT_MAX_MESSAGES_PER_S: '100000',
    ...env,
  });
  const platform = await startPlatform(config, logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }));
  const clients: MqttClient[] = [];
  return {
    platform,
    dataDir: dir,
    async api(method, path, body, token = TEST_ADMIN_TOKEN) {
      const res = await fetch(`${platform.apiUrl}${path}`, {
        method,
        headers: {
          ...(token === '' ? {} : { authorization: `Bearer ${token}` }),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON (metrics, docs)
      }
      return { status: res.status, body: parsed as never };
    },
    async connectGateway(gatewayId, secret, options = {}) {
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${platform.mqttPort}`, {
        username: gatewayId,
        password: secret,
        clientId: `${gatewayId}-${Math.random().toString(16).slice(2)}`,
        reconnectPeriod: 0,
        ...options,
      });
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
      await platform.stop();
      if (dataDir === undefined) await rm(dir, { recursive: true, force: true });
    },
  };
}
