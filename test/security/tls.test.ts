import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, TEST_ADMIN_TOKEN, type TestPlatform } from '../helpers/platform.js';
import { smallCity } from '../helpers/registry.js';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const openssl = hasOpenssl();
if (!openssl) console.warn('tls.test.ts skipped: openssl is not installed (apt-get install openssl)');

describe.skipIf(!openssl)('TLS: HTTPS on PORT and MQTTS on MQTTS_PORT', () => {
  let t: TestPlatform;
  let dir: string;
  let ca: Buffer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jieneng-tls-'));
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    ca = readFileSync(cert);
    t = await startTestPlatform({ TLS_CERT_FILE: cert, TLS_KEY_FILE: key });
  });

  afterAll(async () => {
    await t?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  const get = (path: string) =>
    new Promise<{ status: number; body: string; hsts: unknown }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: t.platform.apiPort,
          path,
          ca,
          headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
        },
        (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body, hsts: res.headers['strict-transport-security'] }),
          );
        },
      );
      void req.on('error', reject);
      req.end();
    });

  it('serves the API over HTTPS with the configured certificate', async () => {
    expect(t.platform.apiUrl.startsWith('https://')).toBe(true);
    const res = await get('/api/v1/registry');
    expect(res.status).toBe(200);
    expect(res.hsts).toEqual(expect.any(String));
  });

  it('accepts gateways over MQTTS', async () => {
    await new Promise<void>((resolve, reject) => {
      const put = request(
        {
          host: '127.0.0.1',
          port: t.platform.apiPort,
          path: '/api/v1/registry',
          method: 'PUT',
          ca,
          headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
        },
        (res) => (res.statusCode === 200 ? resolve() : reject(new Error(`registry ${res.statusCode}`))),
      );
      void put.on('error', reject);
      put.end(JSON.stringify(smallCity()));
    });
    expect(t.platform.mqttsPort).toBeGreaterThan(0);
    const client = await mqtt.connectAsync(`mqtts://127.0.0.1:${t.platform.mqttsPort}`, {
      username: 'gw-001',
      password: 'secret-gw-001',
      ca,
      reconnectPeriod: 0,
    });
    expect(client.connected).toBe(true);
    await client.endAsync();
    await expect(
      mqtt.connectAsync(`mqtts://127.0.0.1:${t.platform.mqttsPort}`, {
        username: 'gw-001',
        password: 'bad-secret',
        ca,
        reconnectPeriod: 0,
      }),
    ).rejects.toThrow();
  });
});
