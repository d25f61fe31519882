import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { readingsTopic } from '../../core/domain/topics.js';
import { startTestPlatform, TEST_ADMIN_TOKEN } from '../helpers/platform.js';
import { smallCity } from '../helpers/registry.js';

describe('secrets never appear in logs', () => {
  it('logs gateway logins, token issuing and a secret rotation without any secret or token', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const t = await startTestPlatform({}, undefined, pino({ level: 'trace' }, sink));
    const secrets = [TEST_ADMIN_TOKEN, 'secret-gw-001', 'secret-gw-002', 'wrong-secret-123'];
    try {
      expect((await t.api('PUT', '/api/v1/registry', smallCity())).status).toBe(200);
      const gw = await t.connectGateway('gw-001', 'secret-gw-001');
      await gw.publishAsync(
        readingsTopic('gw-001'),
        JSON.stringify({ meter: 'm-light', ts: Date.now() - 60_000, value: 1 }),
        { qos: 1 },
      );
      await expect(t.connectGateway('gw-002', 'wrong-secret-123')).rejects.toThrow();
      const issued = await t.api<{ token: string; id: string }>('POST', '/api/v1/tokens', {
        name: 'o',
        role: 'officer',
        scopes: ['district:gulou'],
      });
      secrets.push(issued.body.token);
      expect((await t.api('GET', '/api/v1/registry', undefined, issued.body.token)).status).toBe(200);
      expect((await t.api('GET', '/api/v1/registry', undefined, `${issued.body.token}x`)).status).toBe(401);
      const rotated = await t.api<{ secret: string }>('POST', '/api/v1/gateways/gw-001/secret', {});
      secrets.push(rotated.body.secret);
      expect((await t.api('POST', '/api/v1/gateways/gw-002/secret', { secret: 'given-secret-456' })).status).toBe(200);
      secrets.push('given-secret-456');
      expect((await t.api('DELETE', `/api/v1/tokens/${issued.body.id}`)).status).toBe(200);
      await t.connectGateway('gw-001', rotated.body.secret);
    } finally {
      await t.close();
    }
    const log = lines.join('');
    expect(log).toContain('gateway secret rotated');
    expect(log).toContain('API token issued');
    for (const secret of secrets)
      expect(log.includes(secret), `a secret in the logs: ${secret.slice(0, 4)}…`).toBe(false);
  });
});
