import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cspHeader } from '../../api/routes/web.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { issue } from './fixture.js';

const directives = (csp: string | null) =>
  new Set(
    (csp ?? '')
      .split(';')
      .map((d) => d.trim().replace(/\s+/g, ' '))
      .filter(
        (d) =>
          d !== '' &&
          !d.startsWith('upgrade-insecure-requests') &&
          !d.startsWith('script-src-attr') &&
          !d.startsWith('form-action') &&
          !d.startsWith('font-src') &&
          !d.startsWith('script-src'),
      ),
  );

describe('HTTP hardening: rate limit, security headers, CORS', () => {
  let limited: TestPlatform;
  let plain: TestPlatform;

  beforeAll(async () => {
    limited = await startTestPlatform({ API_RATE_LIMIT_PER_MIN: '5', CORS_ORIGINS: 'https://energy.example.gov.cn' });
    plain = await startTestPlatform();
  });

  afterAll(async () => {
    await limited?.close();
    await plain?.close();
  });

  it('answers 429 over the per-token rate limit, counts it, and keeps other tokens served', async () => {
    const other = await issue(limited, { name: 'auditor', role: 'auditor' });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await limited.api('GET', '/api/v1/registry')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    const res = await limited.api<{ code: string }>('GET', '/api/v1/registry');
    expect(res.body.code).toBe('JN_RATE_LIMITED');
    expect((await limited.api('GET', '/api/v1/registry', undefined, other.token)).status).toBe(200);
    expect(await limited.platform.metrics.registry.getSingleMetricAsString('jieneng_http_rate_limited_total')).toMatch(
      / [1-9]\d*$/m,
    );
  });

  it('sends helmet headers whose CSP agrees with the web page', async () => {
    const res = await fetch(`${plain.platform.apiUrl}/healthz`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    const helmetCsp = directives(res.headers.get('content-security-policy'));
    for (const d of directives(cspHeader())) expect(helmetCsp).toContain(d);
  });

  it('leaves CORS off unless CORS_ORIGINS is set', async () => {
    const origin = 'https://energy.example.gov.cn';
    const off = await fetch(`${plain.platform.apiUrl}/healthz`, { headers: { origin } });
    expect(off.headers.get('access-control-allow-origin')).toBeNull();
    const on = await fetch(`${limited.platform.apiUrl}/healthz`, { headers: { origin } });
    expect(on.headers.get('access-control-allow-origin')).toBe(origin);
    const evil = await fetch(`${limited.platform.apiUrl}/healthz`, { headers: { origin: 'https://evil.example' } });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a body over the limit with a 4xx', async () => {
    const res = await fetch(`${plain.platform.apiUrl}/api/v1/registry`, {
      method: 'PUT',
      headers: { authorization: 'Bearer test-admin-token-0123456789', 'content-type': 'application/json' },
      body: JSON.stringify({ districts: [{ id: 'x', name: 'y'.repeat(17 * 1024 * 1024) }] }),
    });
    expect(res.status).toBe(413);
  });
});
