import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorsTopic, readingsTopic, statusTopic } from '../../core/domain/topics.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { smallCity } from '../helpers/registry.js';

/** The value of a counter (optionally with a label), from the platform's own metrics. */
async function count(t: TestPlatform, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = t.platform.metrics.registry.getSingleMetric(name);
  const values = (await metric?.get())?.values ?? [];
  return values
    .filter((v) => Object.entries(labels).every(([k, x]) => (v.labels as Record<string, unknown>)[k] === x))
    .reduce((s, v) => s + v.value, 0);
}

const connectRaw = (t: TestPlatform, username: string, password: string) =>
  mqtt.connectAsync(`mqtt://127.0.0.1:${t.platform.mqttPort}`, { username, password, reconnectPeriod: 0 });

const closed = (client: MqttClient) => new Promise<void>((resolve) => client.once('close', () => resolve()));

describe('MQTT: hostile gateways are refused and counted, the others keep being served', () => {
  let t: TestPlatform;
  let good: MqttClient;
  const ts = Date.parse('2026-11-01T08:00:00+08:00');

  beforeAll(async () => {
    t = await startTestPlatform();
    expect((await t.api('PUT', '/api/v1/registry', smallCity())).status).toBe(200);
    good = await t.connectGateway('gw-002', 'secret-gw-002');
  });

  afterAll(async () => {
    await t?.close();
  });

  const stillServed = async (value: number) => {
    await good.publishAsync(
      readingsTopic('gw-002'),
      JSON.stringify({ meter: 'm-hosp', ts: ts + value * 3_600_000, value }),
      { qos: 1 },
    );
    await expect
      .poll(async () => (await t.platform.store.readings('m-hosp', ts, ts + 100 * 3_600_000)).length)
      .toBe(value);
  };

  it('refuses a wrong password and an unknown gateway at CONNECT', async () => {
    await expect(connectRaw(t, 'gw-001', 'wrong-secret')).rejects.toThrow();
    await expect(connectRaw(t, 'gw-nope', 'whatever-secret')).rejects.toThrow();
    expect(await count(t, 'jieneng_mqtt_connections_refused_total', { reason: 'bad_secret' })).toBe(1);
    expect(await count(t, 'jieneng_mqtt_connections_refused_total', { reason: 'unknown_gateway' })).toBe(1);
    await stillServed(1);
  });

  it('closes a gateway that publishes on another gateway topic', async () => {
    const gw1 = await t.connectGateway('gw-001', 'secret-gw-001');
    const gone = closed(gw1);
    gw1.publish(readingsTopic('gw-002'), JSON.stringify({ meter: 'm-hosp', ts, value: 999 }), { qos: 1 });
    await gone;
    expect(await count(t, 'jieneng_readings_rejected_total', { reason: 'topic' })).toBeGreaterThanOrEqual(1);
    expect(await t.platform.store.readings('m-hosp', ts, ts + 1)).toEqual([]);
    await stillServed(2);
  });

  it('dead-letters a foreign meter inside an own batch and stores the rest', async () => {
    const gw1 = await t.connectGateway('gw-001', 'secret-gw-001');
    const readings = [
      { meter: 'm-light', ts, value: 10 },
      { meter: 'm-gas', ts, value: 5 },
    ];
    await gw1.publishAsync(readingsTopic('gw-001'), JSON.stringify({ readings }), { qos: 1 });
    await expect.poll(async () => (await t.platform.store.readings('m-light', ts, ts + 1)).length).toBe(1);
    expect(await t.platform.store.readings('m-gas', ts, ts + 1)).toEqual([]);
    expect(await count(t, 'jieneng_readings_rejected_total', { reason: 'foreign_meter' })).toBe(1);
    await stillServed(3);
  });

  it('refuses subscriptions outside the own topics (# and another gateway)', async () => {
    const gw1 = await t.connectGateway('gw-001', 'secret-gw-001');
    // [MQTT-3.9.3] a refused subscription is granted 0x80; mqtt.js rejects the promise with it.
    await expect(gw1.subscribeAsync('#')).rejects.toThrow(/Subscribe error/);
    await expect(gw1.subscribeAsync(statusTopic('gw-002'))).rejects.toThrow(/Subscribe error/);
    expect((await gw1.subscribeAsync(errorsTopic('gw-001'))).map((g) => g.qos)).toEqual([0]);
    expect(await count(t, 'jieneng_mqtt_subscriptions_refused_total')).toBe(2);
    await stillServed(4);
  });

  it('closes the connections of a gateway whose secret is rotated; only the new secret logs in', async () => {
    const gw1 = await t.connectGateway('gw-001', 'secret-gw-001');
    const gone = closed(gw1);
    const res = await t.api<{ secret: string; disconnected: number }>('POST', '/api/v1/gateways/gw-001/secret', {});
    expect(res.status).toBe(200);
    expect(res.body.disconnected).toBeGreaterThanOrEqual(1);
    await gone;
    await expect(connectRaw(t, 'gw-001', 'secret-gw-001')).rejects.toThrow();
    const fresh = await t.connectGateway('gw-001', res.body.secret);
    expect(fresh.connected).toBe(true);
    await stillServed(5);
  });
});

describe('MQTT: rate limits and oversized payloads', () => {
  let t: TestPlatform;

  beforeAll(async () => {
    t = await startTestPlatform({ MQTT_MAX_MESSAGES_PER_S: '10', MQTT_MAX_PAYLOAD_BYTES: '1024' });
    expect((await t.api('PUT', '/api/v1/registry', smallCity())).status).toBe(200);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('tells the gateway on its errors topic that a payload was too large', async () => {
    const gw = await t.connectGateway('gw-001', 'secret-gw-001');
    await gw.subscribeAsync(errorsTopic('gw-001'));
    const told = new Promise<Record<string, unknown>>((resolve) =>
      gw.once('message', (_topic, payload) => resolve(JSON.parse(payload.toString()))),
    );
    await gw.publishAsync(readingsTopic('gw-001'), 'x'.repeat(2000), { qos: 1 });
    expect(await told).toMatchObject({ code: 'oversized', topic: readingsTopic('gw-001') });
    expect(await count(t, 'jieneng_readings_rejected_total', { reason: 'oversized' })).toBe(1);
  });

  it('slows a gateway over its message rate instead of closing it, and never limits good logins', async () => {
    const T1 = Date.parse('2026-03-01T00:00:00Z');
    const gw = await t.connectGateway('gw-002', 'secret-gw-002');
    let closes = 0;
    gw.on('close', () => closes++);
    // 40 messages at once against 10/s (burst 20): the last ones wait about 2 s for their PUBACK.
    const cutOff = new Promise<never>((_, reject) => gw.once('close', () => reject(new Error('disconnected'))));
    const all = Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        gw.publishAsync(readingsTopic('gw-002'), JSON.stringify({ meter: 'm-hosp', ts: T1 + i * 3.6e6, value: i }), {
          qos: 1,
        }),
      ),
    );
    await Promise.race([all, cutOff]);
    expect(closes).toBe(0);
    expect(await count(t, 'jieneng_mqtt_messages_rate_limited_total')).toBeGreaterThanOrEqual(1);
    await expect.poll(async () => (await t.platform.store.readings('m-hosp', T1, T1 + 40 * 3.6e6)).length).toBe(40);
    // One CONNECT per message (mosquitto_pub style) is served at any rate: no connect limit.
    for (let i = 0; i < 40; i++) await (await t.connectGateway('gw-002', 'secret-gw-002')).endAsync();
    expect(await count(t, 'jieneng_mqtt_connections_refused_total', { reason: 'rate_limited' })).toBe(0);
    expect((await t.connectGateway('gw-001', 'secret-gw-001')).connected).toBe(true);
  }, 30_000);
});
