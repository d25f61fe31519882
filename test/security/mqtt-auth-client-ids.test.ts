import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MQTT_AUTH_HEADER } from '../../api/routes/mqtt-auth.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { smallCity } from '../helpers/registry.js';

const SECRET = 'emqx-shared-secret-0123456789';

/** EMQX HTTP authentication applies the embedded broker's client-id rule (issue "No device can stop ingest"). */
describe('EMQX HTTP authentication: a gateway cannot log in with another login’s client id', () => {
  let t: TestPlatform;
  const auth = async (username: string, password: string, clientid?: string) => {
    const res = await fetch(`${t.platform.apiUrl}/api/v1/mqtt/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [MQTT_AUTH_HEADER]: SECRET },
      body: JSON.stringify({ username, password, ...(clientid === undefined ? {} : { clientid }) }),
    });
    return ((await res.json()) as { result: string }).result;
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

  it('denies an id another gateway or the ingest user was allowed with; the owner and new ids pass', async () => {
    expect(await auth('gw-001', 'secret-gw-001', 'gw-001-main')).toBe('allow');
    expect(await auth('gw-002', 'secret-gw-002', 'gw-001-main')).toBe('deny');
    expect(await auth('gw-001', 'secret-gw-001', 'gw-001-main')).toBe('allow');
    expect(await auth('jieneng-ingest', 'ingest-password', 'jieneng-ingest-1')).toBe('allow');
    expect(await auth('gw-002', 'secret-gw-002', 'jieneng-ingest-1')).toBe('deny');
    expect(await auth('gw-002', 'secret-gw-002', 'gw-002-random-5f3a')).toBe('allow');
    expect(await auth('gw-002', 'secret-gw-002')).toBe('allow');
    // A wrong secret claims nothing.
    expect(await auth('gw-001', 'wrong-secret', 'taken-by-nobody')).toBe('deny');
    expect(await auth('gw-002', 'secret-gw-002', 'taken-by-nobody')).toBe('allow');
  });
});
