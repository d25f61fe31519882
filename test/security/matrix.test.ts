import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, TEST_ADMIN_TOKEN, type TestPlatform } from '../helpers/platform.js';
import { issue, localDate, seedCity, XUANWU_IDS } from './fixture.js';

/**
 * The access matrix (issue "Access control and hostile input"): every API route × every role ×
 * an in-scope (gulou) and an out-of-scope (xuanwu) resource. Scoped tokens (officer, viewer) are
 * limited to district:gulou; out of scope is a 403, lists are filtered, and no xuanwu id appears
 * in any answer they get.
 */
type Role = 'bootstrap' | 'admin' | 'auditor' | 'officer' | 'viewer';
type Kind = 'read' | 'list' | 'act' | 'admin' | 'audit';
interface Route {
  method: string;
  kind: Kind;
  in: string;
  out: string;
  body?: (inScope: boolean) => unknown;
}

const ROLES: Role[] = ['bootstrap', 'admin', 'auditor', 'officer', 'viewer'];
const ALL_ACCESS = new Set<Role>(['bootstrap', 'admin', 'auditor']);
const ADMIN = new Set<Role>(['bootstrap', 'admin']);

/** Whether the role may use the route on the resource; lists are always answered (filtered). */
function allowed(kind: Kind, role: Role, inScope: boolean): boolean {
  switch (kind) {
    case 'list':
      return true;
    case 'read':
      return ALL_ACCESS.has(role) || inScope;
    case 'act':
      return ADMIN.has(role) || (role === 'officer' && inScope);
    case 'admin':
      return ADMIN.has(role);
    case 'audit':
      return ALL_ACCESS.has(role) && role !== 'admin' ? true : ADMIN.has(role);
  }
}

describe('access matrix: routes × roles × scopes', () => {
  let t: TestPlatform;
  const tokens = {} as Record<Role, string>;
  let routes: Route[] = [];

  beforeAll(async () => {
    t = await startTestPlatform();
    const { startMs } = await seedCity(t);
    tokens.bootstrap = TEST_ADMIN_TOKEN;
    tokens.admin = (await issue(t, { name: 'second admin', role: 'admin' })).token;
    tokens.auditor = (await issue(t, { name: 'auditor', role: 'auditor' })).token;
    tokens.officer = (await issue(t, { name: 'gulou officer', role: 'officer', scopes: ['district:gulou'] })).token;
    tokens.viewer = (await issue(t, { name: 'gulou viewer', role: 'viewer', scopes: ['district:gulou'] })).token;
    // Archives last month's reports of the city and each district, for the archive routes.
    const job = await t.api('POST', '/api/v1/jobs/monthly-reports/run');
    expect(job.status, JSON.stringify(job.body)).toBe(200);
    const lastMonth = localDate(Date.parse(`${localDate(Date.now()).slice(0, 7)}-01T00:00:00Z`) - 86_400_000).slice(
      0,
      7,
    );
    const day = localDate(startMs);
    const next = localDate(startMs + 48 * 3_600_000);
    const month = localDate(Date.now()).slice(0, 7);
    const year = month.slice(0, 4);
    const range = `from=${day}&to=${next}`;
    const both = (path: (g: Record<string, string>) => string) => ({
      in: path({ d: 'gulou', i: 'i-001', m: 'm-light', gw: 'gw-001', an: 'an-gulou' }),
      out: path({ d: 'xuanwu', i: 'i-003', m: 'm-hosp', gw: 'gw-002', an: 'an-xuanwu' }),
    });
    const same = (path: string) => ({ in: path, out: path });
    routes = [
      { method: 'GET', kind: 'list', ...same('/api/v1/registry') },
      { method: 'PUT', kind: 'admin', ...same('/api/v1/registry'), body: () => ({ districts: [] }) },
      {
        method: 'GET',
        kind: 'read',
        ...both((g) => `/api/v1/consumption?scope=district:${g.d}&${range}&energy=electricity`),
      },
      {
        method: 'GET',
        kind: 'read',
        ...both((g) => `/api/v1/consumption?scope=meter:${g.m}&${range}&energy=electricity`),
      },
      {
        method: 'GET',
        kind: 'read',
        in: `/api/v1/consumption?scope=district:gulou&${range}&unit=kgce`,
        out: `/api/v1/consumption?scope=city&${range}&unit=kgce`,
      },
      { method: 'GET', kind: 'read', ...both((g) => `/api/v1/quality?month=${month}&scope=institution:${g.i}`) },
      { method: 'GET', kind: 'read', ...both((g) => `/api/v1/meters/${g.m}/readings?${range}`) },
      { method: 'GET', kind: 'read', ...both((g) => `/api/v1/meters/${g.m}/events`) },
      {
        method: 'POST',
        kind: 'admin',
        ...both((g) => `/api/v1/meters/${g.m}/events`),
        body: () => ({ type: 'bogus' }),
      },
      {
        method: 'POST',
        kind: 'act',
        ...both((g) => `/api/v1/meters/${g.m}/corrections`),
        body: () => ({ ts: 'x', reason: '' }),
      },
      {
        method: 'POST',
        kind: 'act',
        ...both((g) => `/api/v1/meters/${g.m}/manual-readings`),
        body: () => ({ readings: 'bogus' }),
      },
      { method: 'GET', kind: 'list', ...same(`/api/v1/dead-letters?${range}`) },
      { method: 'GET', kind: 'read', ...both((g) => `/api/v1/balance?scope=institution:${g.i}&${range}`) },
      { method: 'GET', kind: 'read', ...both((g) => `/api/v1/institutions/${g.i}/facts`) },
      {
        method: 'POST',
        kind: 'admin',
        ...both((g) => `/api/v1/institutions/${g.i}/facts`),
        body: () => ({ from: 'bogus' }),
      },
      { method: 'GET', kind: 'list', ...same('/api/v1/registry/template.xlsx') },
      { method: 'GET', kind: 'list', ...same('/api/v1/tariffs') },
      { method: 'PUT', kind: 'admin', ...same('/api/v1/tariffs'), body: () => ({ tariffs: 'bogus' }) },
      { method: 'POST', kind: 'admin', ...same('/api/v1/bills'), body: () => ({ bills: 'bogus' }) },
      {
        method: 'GET',
        kind: 'read',
        ...both((g) => `/api/v1/bills/reconciliation?year=${Number(year) - 1}&scope=district:${g.d}`),
      },
      { method: 'GET', kind: 'list', ...same(`/api/v1/audit-flags?year=${Number(year) - 1}`) },
      {
        method: 'GET',
        kind: 'read',
        ...both((g) => `/api/v1/reports/notice?year=${Number(year) - 1}&scope=district:${g.d}`),
      },
      {
        method: 'GET',
        kind: 'read',
        ...both((g) => `/api/v1/statistics/annual?year=${Number(year) - 1}&scope=district:${g.d}`),
      },
      { method: 'GET', kind: 'list', ...same('/api/v1/registry/export.xlsx') },
      { method: 'POST', kind: 'admin', ...same('/api/v1/registry/import?dryRun=true'), body: () => ({}) },
      {
        method: 'PUT',
        kind: 'act',
        ...same('/api/v1/targets'),
        body: (inScope) => ({
          targets: [
            {
              scope: inScope ? 'institution:i-001' : 'institution:i-003',
              energy: 'electricity',
              period: year,
              value: 100000,
              unit: 'kWh',
            },
          ],
        }),
      },
      { method: 'GET', kind: 'list', ...same('/api/v1/targets') },
      { method: 'GET', kind: 'read', ...both((g) => `/api/v1/targets/progress?scope=institution:${g.i}&year=${year}`) },
      { method: 'GET', kind: 'list', ...same(`/api/v1/anomalies?${range}`) },
      { method: 'GET', kind: 'read', ...both((g) => `/api/v1/anomalies?${range}&scope=district:${g.d}`) },
      {
        method: 'POST',
        kind: 'act',
        ...both((g) => `/api/v1/anomalies/${g.an}/ack`),
        body: () => ({ comment: 'seen' }),
      },
      {
        method: 'POST',
        kind: 'act',
        ...both((g) => `/api/v1/anomalies/${g.an}/resolve`),
        body: () => ({ comment: 'fixed' }),
      },
      { method: 'GET', kind: 'admin', ...same('/api/v1/jobs') },
      { method: 'POST', kind: 'admin', ...same('/api/v1/jobs/no-such-job/run') },
      { method: 'GET', kind: 'read', ...both((g) => `/api/v1/reports/monthly?month=${month}&scope=district:${g.d}`) },
      { method: 'GET', kind: 'read', ...both((g) => `/api/v1/reports/annual?year=${year}&scope=institution:${g.i}`) },
      { method: 'GET', kind: 'read', ...both((g) => `/api/v1/reports/ranking?month=${month}&scope=district:${g.d}`) },
      { method: 'GET', kind: 'list', ...same('/api/v1/reports') },
      { method: 'GET', kind: 'read', ...both((g) => `/api/v1/reports/archive/${lastMonth}/district-${g.d}/v1.json`) },
      { method: 'GET', kind: 'admin', ...same('/api/v1/tokens') },
      { method: 'POST', kind: 'admin', ...same('/api/v1/tokens'), body: () => ({ name: 'x', role: 'viewer' }) },
      { method: 'DELETE', kind: 'admin', ...same('/api/v1/tokens/tok-none') },
      { method: 'GET', kind: 'audit', ...same(`/api/v1/audit?from=${day}&to=${localDate(Date.now() + 86_400_000)}`) },
      {
        method: 'POST',
        kind: 'admin',
        ...both((g) => `/api/v1/gateways/${g.gw}/secret`),
        body: (inScope) => ({ secret: inScope ? 'secret-gw-001' : 'secret-gw-002' }),
      },
    ];
  });

  afterAll(async () => {
    await t?.close();
  });

  it('answers every route for every role as the matrix says, and never leaks an out-of-scope row', async () => {
    const failures: string[] = [];
    for (const route of routes) {
      for (const role of ROLES) {
        for (const inScope of [true, false]) {
          const path = inScope ? route.in : route.out;
          const res = await t.api(route.method, path, route.body?.(inScope), tokens[role]);
          const where = `${route.method} ${path} as ${role}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`;
          const ok = allowed(route.kind, role, inScope);
          if (res.status >= 500 || res.status === 401) failures.push(`unexpected ${where}`);
          else if (ok && res.status === 403) failures.push(`refused ${where}`);
          else if (ok && (route.kind === 'read' || route.kind === 'list') && res.status !== 200)
            failures.push(`not 200 ${where}`);
          else if (!ok && res.status !== 403) failures.push(`not 403 ${where}`);
          if (!ALL_ACCESS.has(role) && res.status < 300) {
            const text = JSON.stringify(res.body);
            const leaked = XUANWU_IDS.filter((id) => text.includes(id));
            if (leaked.length > 0) failures.push(`leaked ${leaked.join(',')} in ${where}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('filters lists to the scope: the gulou officer sees gulou rows and none of xuanwu', async () => {
    const registry = await t.api<{ meters: { id: string }[]; districts: { id: string }[] }>(
      'GET',
      '/api/v1/registry',
      undefined,
      tokens.officer,
    );
    expect(registry.body.districts.map((d) => d.id)).toEqual(['gulou']);
    expect(registry.body.meters.map((m) => m.id).sort()).toEqual(['m-hvac', 'm-light', 'm-school', 'm-water']);
    const all = await t.api<{ meters: unknown[] }>('GET', '/api/v1/registry', undefined, tokens.auditor);
    expect(all.body.meters).toHaveLength(6);
    const from = localDate(Date.now() - 3 * 86_400_000);
    const to = localDate(Date.now() + 86_400_000);
    const letters = await t.api<{ deadLetters: { meterId: string }[] }>(
      'GET',
      `/api/v1/dead-letters?from=${from}&to=${to}`,
      undefined,
      tokens.viewer,
    );
    expect(letters.body.deadLetters.map((d) => d.meterId).sort()).toEqual(['m-hvac', 'm-light', 'm-school', 'm-water']);
    const anomalies = await t.api<{ anomalies: { id: string }[] }>(
      'GET',
      `/api/v1/anomalies?from=${from}&to=${to}`,
      undefined,
      tokens.viewer,
    );
    expect(anomalies.body.anomalies.map((a) => a.id)).toEqual(['an-gulou']);
  });

  it('refuses expired and revoked tokens with 401, and an institution scope does not open its district', async () => {
    const expiring = await issue(t, {
      name: 'short',
      role: 'viewer',
      scopes: ['institution:i-001'],
      expiresAt: new Date(Date.now() + 1500).toISOString(),
    });
    expect((await t.api('GET', '/api/v1/registry', undefined, expiring.token)).status).toBe(200);
    const range = `from=${localDate(Date.now() - 86_400_000)}&to=${localDate(Date.now() + 86_400_000)}`;
    const district = await t.api(
      'GET',
      `/api/v1/consumption?scope=district:gulou&${range}&unit=kgce`,
      undefined,
      expiring.token,
    );
    expect(district.status).toBe(403);
    await expect
      .poll(
        async () => (await t.api<{ code: string }>('GET', '/api/v1/registry', undefined, expiring.token)).body.code,
        { timeout: 5000 },
      )
      .toBe('JN_AUTH_EXPIRED');
    const revoked = await issue(t, { name: 'to revoke', role: 'auditor' });
    expect((await t.api('GET', '/api/v1/registry', undefined, revoked.token)).status).toBe(200);
    expect((await t.api('DELETE', `/api/v1/tokens/${revoked.id}`)).status).toBe(200);
    const after = await t.api<{ code: string }>('GET', '/api/v1/registry', undefined, revoked.token);
    expect([after.status, after.body.code]).toEqual([401, 'JN_AUTH_REVOKED']);
    const listed = await t.api<{ tokens: Record<string, unknown>[] }>('GET', '/api/v1/tokens');
    expect(JSON.stringify(listed.body)).not.toContain(revoked.token);
    expect(listed.body.tokens.find((x) => x.id === revoked.id)?.revokedAt).toEqual(expect.any(String));
  });

  it('records every change in the audit log with who, what, before and after', async () => {
    const day = localDate(Date.now() - 3 * 86_400_000);
    const res = await t.api<{
      audit: { tokenName: string; route: string; entity: string; before: unknown; after: unknown }[];
    }>('GET', `/api/v1/audit?from=${day}&to=${localDate(Date.now() + 86_400_000)}`, undefined, tokens.auditor);
    expect(res.status).toBe(200);
    const routes = new Set(res.body.audit.map((a) => a.route));
    for (const r of [
      'PUT /api/v1/registry',
      'PUT /api/v1/targets',
      'POST /api/v1/tokens',
      'DELETE /api/v1/tokens/:id',
      'POST /api/v1/anomalies/:id/ack',
      'POST /api/v1/gateways/:id/secret',
    ])
      expect(routes, r).toContain(r);
    const ack = res.body.audit.find((a) => a.entity === 'anomaly:an-gulou' && a.route.endsWith('/ack'));
    expect(ack?.tokenName).toBe('admin (ADMIN_TOKEN)');
    expect(ack?.before).toMatchObject({ status: 'open' });
    expect(ack?.after).toMatchObject({ status: 'acknowledged' });
    expect(JSON.stringify(res.body)).not.toContain('secret-gw-');
  });
});
