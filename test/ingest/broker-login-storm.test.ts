import { randomBytes, scryptSync } from 'node:crypto';
import { connect as connectTcp } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics, type Metrics } from '../../core/metrics.js';
import { RegistryHolder } from '../../core/registry-holder.js';
import { secretCheckStats, verifySecret } from '../../core/security.js';
import { EmbeddedBroker } from '../../ingest/broker.js';

/**
 * Issue 19, item 4: after a restart every gateway logs in at once, and none of their secrets is
 * known to the new process (one scrypt each). Gateways that connect twice at once cost one scrypt,
 * and a gateway that gives up while its check waits costs none and is not counted as a wrong
 * secret (which would put its address in back-off).
 */

/** A stored hash this process has never seen (hashSecret would remember its secret). */
function unseenHash(secret: string, n = 1024): string {
  const salt = randomBytes(16);
  const key = scryptSync(secret, salt, 32, { N: n, r: 8, p: 1 });
  return ['scrypt', n, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
}

const GATEWAYS = 6;
const ids = Array.from({ length: GATEWAYS }, (_, i) => `gw-storm-${i}`);
const secretOf = (id: string) => `secret-of-${id}`;

async function refused(metrics: Metrics, reason: string): Promise<number> {
  const values = (await metrics.mqttConnectionsRefused.get()).values;
  return values.filter((v) => v.labels.reason === reason).reduce((n, v) => n + v.value, 0);
}

describe('MQTT login storm: cold secrets after a restart', () => {
  let broker: EmbeddedBroker;
  let metrics: Metrics;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    metrics = createMetrics();
    broker = new EmbeddedBroker({
      host: '127.0.0.1',
      port: 0,
      maxPayloadBytes: 262_144,
      registry: new RegistryHolder({
        districts: [],
        institutions: [],
        buildings: [],
        gateways: [...ids, 'gw-late'].map((id) => ({ id, secretHash: unseenHash(secretOf(id)) })),
        meters: [],
      }),
      metrics,
      logger: pino({ level: 'silent' }),
      onReadings: async () => undefined,
      onRefused: () => undefined,
      verifyServiceToken: async () => false,
      // One counted failure would put the address in back-off: the late gateway's retry shows it.
      maxFailedLoginsPerMin: 1,
    });
    await broker.start();
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await broker?.stop();
  });

  const login = (id: string, n: number) =>
    mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
      username: id,
      password: secretOf(id),
      clientId: `${id}-${n}`,
      reconnectPeriod: 0,
    });

  it('lets every gateway in with one scrypt each, even when each connects twice at once', async () => {
    const before = secretCheckStats().scrypts;
    const connected = await Promise.all(ids.flatMap((id) => [login(id, 1), login(id, 2)]));
    clients.push(...connected);
    expect(connected.every((c) => c.connected)).toBe(true);
    expect(secretCheckStats().scrypts - before).toBe(GATEWAYS);
  });

  it('does not check, nor count as a wrong secret, a login whose connection closed while it waited', async () => {
    // Two slow checks take the slots (there are at most two); the late gateway's login waits behind them.
    const busy = [unseenHash('busy-1', 16_384), unseenHash('busy-2', 16_384)];
    const before = secretCheckStats();
    const running = Promise.all([verifySecret('busy-1', busy[0] as string), verifySecret('busy-2', busy[1] as string)]);
    const socket = connectTcp(broker.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      mqttPacket.generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clean: true,
        clientId: 'gw-late-raw',
        keepalive: 60,
        username: 'gw-late',
        password: Buffer.from(secretOf('gw-late')),
      }),
    );
    await expect.poll(() => secretCheckStats().waiting, { timeout: 10_000 }).toBe(before.waiting + 1);
    socket.destroy();
    expect(await running).toEqual([true, true]);
    await expect.poll(() => secretCheckStats().abandoned, { timeout: 10_000 }).toBe(before.abandoned + 1);
    expect(secretCheckStats().scrypts - before.scrypts).toBe(2);
    expect(await refused(metrics, 'abandoned')).toBe(1);
    expect(await refused(metrics, 'bad_secret')).toBe(0);
    // Its retry gets in at once: the address is not in back-off.
    const retry = await login('gw-late', 3);
    clients.push(retry);
    expect(retry.connected).toBe(true);
  });
});
