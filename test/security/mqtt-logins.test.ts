import { createConnection } from 'node:net';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addressKey } from '../../ingest/login-guard.js';
import { startTestPlatform, TEST_ADMIN_TOKEN, type TestPlatform } from '../helpers/platform.js';
import { smallCity } from '../helpers/registry.js';

/**
 * Issue "No device can stop ingest", item 3: wrong passwords back off per address and username but
 * cannot lock the real gateway out; a gateway cannot take over another login's client id; a secret
 * changed through the registry closes the gateway's sessions.
 */

async function count(t: TestPlatform, name: string, labels: Record<string, string> = {}): Promise<number> {
  const values = (await t.platform.metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
  return values
    .filter((v) => Object.entries(labels).every(([k, x]) => (v.labels as Record<string, unknown>)[k] === x))
    .reduce((s, v) => s + v.value, 0);
}

type Attempt = { ok: true; client: MqttClient } | { ok: false; code: number | undefined };

const opened: MqttClient[] = [];

/** Connects from a loopback address of our choice (the broker listens on 127.0.0.1). */
function connectFrom(t: TestPlatform, localAddress: string, options: IClientOptions): Promise<Attempt> {
  return new Promise((resolve) => {
    const client = new mqtt.MqttClient(
      () => createConnection({ host: '127.0.0.1', port: t.platform.mqttPort, localAddress }),
      { reconnectPeriod: 0, connectTimeout: 20_000, ...options },
    );
    opened.push(client);
    client.once('connect', () => resolve({ ok: true, client }));
    client.once('error', (error) => {
      client.end(true);
      const code = (error as { code?: unknown }).code;
      resolve({ ok: false, code: typeof code === 'number' ? code : undefined });
    });
    client.once('close', () => resolve({ ok: false, code: undefined }));
  });
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));
});

describe('addressKey', () => {
  it('keys IPv4 as is, IPv6 by its /64, and a closed socket apart', () => {
    expect(addressKey('10.1.2.3')).toBe('10.1.2.3');
    expect(addressKey('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey(undefined)).toBe('unknown');
  });
});

describe('MQTT failed logins: back-off per address and username, never a lock-out', () => {
  let t: TestPlatform;

  beforeAll(async () => {
    t = await startTestPlatform({ MQTT_MAX_FAILED_LOGINS_PER_MIN: '10' });
    expect((await t.api('PUT', '/api/v1/registry', smallCity())).status).toBe(200);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('refuses an address in back-off before checking the password, and counts it', async () => {
    const codes: (number | undefined)[] = [];
    for (let i = 0; i < 30; i++) {
      const attempt = await connectFrom(t, '127.0.0.1', { username: 'gw-001', password: `guess-${i}` });
      codes.push(attempt.ok ? 0 : attempt.code);
    }
    // 10 failures a minute are free; the 11th starts the back-off: from then on 3 (server
    // unavailable) without a password check, instead of 4 (bad user name or password).
    expect(codes).toEqual([...Array<number>(11).fill(4), ...Array<number>(19).fill(3)]);
    expect(await count(t, 'jieneng_mqtt_connections_refused_total', { reason: 'bad_secret' })).toBe(11);
    expect(await count(t, 'jieneng_mqtt_connections_refused_total', { reason: 'rate_limited' })).toBe(19);
    // A wrong secret from that address is still refused without a password check …
    expect(await connectFrom(t, '127.0.0.1', { username: 'gw-002', password: 'not-the-secret' })).toEqual({
      ok: false,
      code: 3,
    });
    // … but a gateway whose secret is known good (no scrypt needed) gets in: gateways behind the
    // same NAT address as a misconfigured one keep working.
    expect((await connectFrom(t, '127.0.0.1', { username: 'gw-002', password: 'secret-gw-002' })).ok).toBe(true);
  }, 60_000);

  it('still lets the real gateway in from another address while its username is hammered', async () => {
    // A second attacker address takes gw-001's username over its limit too (20 failures this minute).
    const guesses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => connectFrom(t, '127.0.0.3', { username: 'gw-001', password: `g-${i}` })),
    );
    expect(guesses.every((g) => !g.ok && g.code === 4)).toBe(true);
    // Answered later (the username is in back-off), but answered: within its 5 s cap.
    const real = await connectFrom(t, '127.0.0.2', { username: 'gw-001', password: 'secret-gw-001' });
    expect(real.ok).toBe(true);
    // And logins that succeed are never counted: 40 in a row from that address.
    for (let i = 0; i < 40; i++) {
      const again = await connectFrom(t, '127.0.0.2', { username: 'gw-002', password: 'secret-gw-002' });
      expect(again.ok, `login ${i}`).toBe(true);
      if (again.ok) await again.client.endAsync();
    }
  }, 60_000);
});

describe('MQTT client ids: a gateway cannot take over another login’s id', () => {
  let t: TestPlatform;

  beforeAll(async () => {
    t = await startTestPlatform();
    expect((await t.api('PUT', '/api/v1/registry', smallCity())).status).toBe(200);
  });

  afterAll(async () => {
    await t?.close();
  });

  const as = (gatewayId: string, clientId: string, clean = true): IClientOptions => ({
    username: gatewayId,
    password: `secret-${gatewayId}`,
    clientId,
    clean,
  });

  it('refuses an id held by a connected gateway or by its persistent session; the owner keeps using it', async () => {
    const a = await connectFrom(t, '127.0.0.1', as('gw-001', 'gw-001-main', false));
    if (!a.ok) throw new Error('gw-001 could not connect');
    let aCloses = 0;
    a.client.on('close', () => aCloses++);
    // [MQTT-3.1.4-2] would close gw-001's connection and hand its session over: identifier rejected.
    expect(await connectFrom(t, '127.0.0.1', as('gw-002', 'gw-001-main'))).toEqual({ ok: false, code: 2 });
    expect(aCloses).toBe(0);
    expect(a.client.connected).toBe(true);
    await a.client.endAsync();
    // Gone, but its persistent session holds the id.
    expect(await connectFrom(t, '127.0.0.1', as('gw-002', 'gw-001-main', false))).toEqual({ ok: false, code: 2 });
    expect(await connectFrom(t, '127.0.0.1', as('gw-002', 'gw-001-main', true))).toEqual({ ok: false, code: 2 });
    expect(await count(t, 'jieneng_mqtt_connections_refused_total', { reason: 'client_id_taken' })).toBe(3);
    // The owner reconnects with its id, persistent or clean.
    const back = await connectFrom(t, '127.0.0.1', as('gw-001', 'gw-001-main', false));
    expect(back.ok).toBe(true);
    if (back.ok) await back.client.endAsync();
    const clean = await connectFrom(t, '127.0.0.1', as('gw-001', 'gw-001-main', true));
    expect(clean.ok).toBe(true);
    if (clean.ok) await clean.client.endAsync();
    // Random ids keep working for everyone.
    const random = await connectFrom(t, '127.0.0.1', { username: 'gw-002', password: 'secret-gw-002' });
    expect(random.ok).toBe(true);
  });

  it('frees the id of a clean session when it ends; the service login holds ids like a gateway', async () => {
    const a = await connectFrom(t, '127.0.0.1', as('gw-001', 'gw-001-clean'));
    if (!a.ok) throw new Error('gw-001 could not connect');
    expect(await connectFrom(t, '127.0.0.1', as('gw-002', 'gw-001-clean'))).toEqual({ ok: false, code: 2 });
    await a.client.endAsync();
    // No session left behind: the id is nobody's.
    await expect
      .poll(async () => {
        const b = await connectFrom(t, '127.0.0.1', as('gw-002', 'gw-001-clean'));
        if (b.ok) await b.client.endAsync();
        return b.ok;
      })
      .toBe(true);
    const service = await connectFrom(t, '127.0.0.1', {
      username: 'service',
      password: TEST_ADMIN_TOKEN,
      clientId: 'monitor-1',
      clean: false,
    });
    expect(service.ok).toBe(true);
    expect(await connectFrom(t, '127.0.0.1', as('gw-001', 'monitor-1'))).toEqual({ ok: false, code: 2 });
  });
});

describe('MQTT sessions: a secret changed through PUT /api/v1/registry closes them', () => {
  let t: TestPlatform;

  beforeAll(async () => {
    t = await startTestPlatform();
    expect((await t.api('PUT', '/api/v1/registry', smallCity())).status).toBe(200);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('closes the connections of the gateway whose secret changed, and only those', async () => {
    const gw1 = await t.connectGateway('gw-001', 'secret-gw-001');
    const gw2 = await t.connectGateway('gw-002', 'secret-gw-002');
    let gw2Closes = 0;
    gw2.on('close', () => gw2Closes++);
    // The same registry again: unchanged secrets close nothing.
    expect((await t.api('PUT', '/api/v1/registry', smallCity())).status).toBe(200);
    expect(gw1.connected).toBe(true);
    const changed = smallCity();
    changed.gateways = changed.gateways.map((g) => (g.id === 'gw-001' ? { ...g, secret: 'new-secret-gw-001' } : g));
    expect((await t.api('PUT', '/api/v1/registry', changed)).status).toBe(200);
    await expect.poll(() => gw1.connected, { timeout: 5000 }).toBe(false);
    expect(gw2.connected).toBe(true);
    expect(gw2Closes).toBe(0);
    await expect(
      mqtt.connectAsync(`mqtt://127.0.0.1:${t.platform.mqttPort}`, {
        username: 'gw-001',
        password: 'secret-gw-001',
        reconnectPeriod: 0,
      }),
    ).rejects.toThrow();
    expect((await t.connectGateway('gw-001', 'new-secret-gw-001')).connected).toBe(true);
  });
});
