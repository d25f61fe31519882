import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MQTT_AUTH_HEADER } from '../../api/routes/mqtt-auth.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { smallCity } from '../helpers/registry.js';

const SECRET = 'emqx-shared-secret-0123456789';

describe('EMQX HTTP authentication and ACL against the registry', () => {
  let t: TestPlatform;
  const post = async (path: string, body: unknown, secret = SECRET) => {
    const res = await fetch(`${t.platform.apiUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret === '' ? {} : { [MQTT_AUTH_HEADER]: secret }) },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { result?: string; code?: string } };
  };

  beforeAll(async () => {
    t = await startTestPlatform({
      MQTT_AUTH_SECRET: SECRET,
      MQTT_USERNAME: 'jieneng-ingest',
      MQTT_PASSWORD: 'ingest-password',
    });
    expect((await t.api('PUT', '/api/v1/registry', smallCity())).status).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses callers without the shared secret', async () => {
    expect((await post('/api/v1/mqtt/auth', { username: 'gw-001', password: 'secret-gw-001' }, '')).status).toBe(401);
    const wrong = await post('/api/v1/mqtt/acl', { username: 'gw-001', topic: 'x', action: 'publish' }, 'nope');
    expect(wrong.body.code).toBe('JN_MQTT_AUTH_SECRET');
  });

  it('allows gateways with their secret and the ingest user, denies the rest', async () => {
    const auth = async (username: string, password: string) =>
      (await post('/api/v1/mqtt/auth', { username, password })).body.result;
    expect(await auth('gw-001', 'secret-gw-001')).toBe('allow');
    expect(await auth('gw-001', 'secret-gw-002')).toBe('deny');
    expect(await auth('gw-999', 'secret-gw-001')).toBe('deny');
    expect(await auth('jieneng-ingest', 'ingest-password')).toBe('allow');
    expect(await auth('jieneng-ingest', 'wrong')).toBe('deny');
  });

  it('lets a gateway publish only on its own topics and the ingest user read the shared subscription', async () => {
    const acl = async (username: string, topic: string, action: string) =>
      (await post('/api/v1/mqtt/acl', { username, topic, action })).body.result;
    expect(await acl('gw-001', 'jieneng/v1/gw-001/readings', 'publish')).toBe('allow');
    expect(await acl('gw-001', 'jieneng/v1/gw-001/status', 'publish')).toBe('allow');
    expect(await acl('gw-001', 'jieneng/v1/gw-002/readings', 'publish')).toBe('deny');
    expect(await acl('gw-001', 'jieneng/v1/+/readings', 'subscribe')).toBe('deny');
    expect(await acl('jieneng-ingest', '$share/jieneng/jieneng/v1/+/readings', 'subscribe')).toBe('allow');
    expect(await acl('jieneng-ingest', 'jieneng/v1/gw-001/readings', 'publish')).toBe('deny');
  });
});
