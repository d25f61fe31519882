import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiToken } from '../../core/security.js';
import { startTestPlatform, TEST_ADMIN_TOKEN, type TestPlatform } from '../helpers/platform.js';
import { smallCity } from '../helpers/registry.js';
import { call, sessionSetCookie, signIn, type UserOut } from './session-client.js';

const ADMIN_PASSWORD = 'correct horse battery staple';
const MIN = 60_000;

/** A user created through the API with the admin token. */
async function createUser(t: TestPlatform, body: Record<string, unknown>): Promise<UserOut> {
  const res = await call<UserOut>(t, 'POST', '/api/v1/users', { token: TEST_ADMIN_TOKEN, body });
  if (res.status !== 201) throw new Error(`user: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

describe('sign-in sessions (issue 17, item 1): cookie, CSRF, sign-out, expiry, failed logins', () => {
  let t: TestPlatform;

  beforeAll(async () => {
    // A trusted proxy on loopback lets the tests speak for other client addresses (X-Forwarded-For).
    t = await startTestPlatform({ ADMIN_PASSWORD, TRUST_PROXY: '127.0.0.1', LOGIN_MAX_FAILED_PER_MIN: '3' });
    const put = await t.api('PUT', '/api/v1/registry', smallCity());
    if (put.status !== 200) throw new Error(`registry: ${JSON.stringify(put.body)}`);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('signs the first admin in with ADMIN_PASSWORD: an HttpOnly, SameSite=Strict cookie that works on a GET', async () => {
    expect(t.platform.generatedAdminPassword).toBeUndefined();
    const res = await call<{ user: UserOut; expiresAt: string }>(t, 'POST', '/api/v1/sessions', {
      body: { username: 'Admin', password: ADMIN_PASSWORD },
      csrf: true,
    });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ username: 'admin', role: 'admin', scopes: [], disabledAt: null });
    expect(Date.parse(res.body.expiresAt) - Date.now()).toBeGreaterThan(11 * 60 * MIN);
    const setCookie = sessionSetCookie(res.headers) ?? '';
    const attributes = setCookie.split(';').map((a) => a.trim());
    expect(attributes[0]).toMatch(/^jn_session=[A-Za-z0-9_-]{43}$/);
    expect(attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/api', 'Max-Age=43200']));
    // Plain HTTP, no proxy saying otherwise: not Secure (the browser would drop it).
    expect(attributes).not.toContain('Secure');
    expect(JSON.stringify(res.body)).not.toMatch(/scrypt|password"|correct horse/);

    const cookie = attributes[0] as string;
    const me = await call<{ user: UserOut }>(t, 'GET', '/api/v1/sessions/current', { cookie });
    expect([me.status, me.body.user.username]).toEqual([200, 'admin']);
    const registry = await call<{ districts: unknown[] }>(t, 'GET', '/api/v1/registry', { cookie, csrf: false });
    expect([registry.status, registry.body.districts.length]).toEqual([200, 2]);
    // A token is not a session.
    expect((await call(t, 'GET', '/api/v1/sessions/current', { token: TEST_ADMIN_TOKEN })).status).toBe(404);
  });

  it('marks the cookie Secure when the request came over TLS through a trusted proxy', async () => {
    const { setCookie } = await signIn(t, 'admin', ADMIN_PASSWORD, { 'x-forwarded-proto': 'https' });
    expect(setCookie.split(';').map((a) => a.trim())).toContain('Secure');
  });

  it('refuses a change signed in by cookie without X-Requested-With, or from another Origin (403)', async () => {
    const { cookie } = await signIn(t, 'admin', ADMIN_PASSWORD);
    const body = { name: 'by cookie', role: 'auditor' };
    const bare = await call<{ code: string }>(t, 'POST', '/api/v1/tokens', { cookie, csrf: false, body });
    expect([bare.status, bare.body.code]).toEqual([403, 'JN_AUTH_CSRF']);
    const wrongValue = await call<{ code: string }>(t, 'POST', '/api/v1/tokens', {
      cookie,
      csrf: false,
      body,
      headers: { 'x-requested-with': 'XMLHttpRequest' },
    });
    expect([wrongValue.status, wrongValue.body.code]).toEqual([403, 'JN_AUTH_CSRF']);
    const evil = await call<{ code: string }>(t, 'POST', '/api/v1/tokens', {
      cookie,
      body,
      headers: { origin: 'https://evil.example' },
    });
    expect([evil.status, evil.body.code]).toEqual([403, 'JN_AUTH_CSRF']);
    const nullOrigin = await call(t, 'POST', '/api/v1/tokens', { cookie, body, headers: { origin: 'null' } });
    expect(nullOrigin.status).toBe(403);
    const ok = await call(t, 'POST', '/api/v1/tokens', { cookie, body });
    expect(ok.status).toBe(201);
    const sameOrigin = await call(t, 'POST', '/api/v1/tokens', {
      cookie,
      body,
      headers: { origin: t.platform.apiUrl },
    });
    expect(sameOrigin.status).toBe(201);
    // The audit log names the user who made the change.
    const log = await t.api<{ audit: { tokenName: string; entity: string }[] }>(
      'GET',
      '/api/v1/audit?from=2020-01-01&to=2100-01-01',
    );
    expect(log.body.audit.filter((e) => e.entity.startsWith('token:')).map((e) => e.tokenName)).toContain('admin');
    // A forged sign-in is refused too; a bearer token needs no header (no browser sends it by itself).
    const forged = await call<{ code: string }>(t, 'POST', '/api/v1/sessions', {
      body: { username: 'admin', password: ADMIN_PASSWORD },
      csrf: false,
    });
    expect([forged.status, forged.body.code, sessionSetCookie(forged.headers)]).toEqual([
      403,
      'JN_AUTH_CSRF',
      undefined,
    ]);
    expect((await call(t, 'POST', '/api/v1/tokens', { token: TEST_ADMIN_TOKEN, body })).status).toBe(201);
  });

  it('signs out: the session is revoked and its cookie removed', async () => {
    const { cookie } = await signIn(t, 'admin', ADMIN_PASSWORD);
    const noHeader = await call(t, 'DELETE', '/api/v1/sessions/current', { cookie, csrf: false });
    expect(noHeader.status).toBe(403);
    const out = await call(t, 'DELETE', '/api/v1/sessions/current', { cookie });
    expect(out.status).toBe(204);
    expect(sessionSetCookie(out.headers)).toMatch(/^jn_session=; .*Max-Age=0/);
    const after = await call<{ code: string }>(t, 'GET', '/api/v1/registry', { cookie });
    expect([after.status, after.body.code]).toEqual([401, 'JN_AUTH_REVOKED']);
    // The refusal removes the stale cookie too.
    expect(sessionSetCookie(after.headers)).toMatch(/Max-Age=0/);
  });

  it('refuses a session past its absolute expiry, or idle for SESSION_IDLE_MIN, and an unknown one', async () => {
    const admin = await t.platform.store.accounts.userByUsername('admin');
    if (admin === undefined) throw new Error('no admin');
    const now = Date.now();
    // Sessions as the store keeps them, aged as a clock cannot be moved in a real platform.
    const stored = async (secret: string, createdAtMs: number, lastSeenAtMs: number, expiresAtMs: number) => {
      const id = `ses-${secret.slice(0, 8)}`;
      await t.platform.store.accounts.addSession({
        id,
        userId: admin.id,
        hash: hashApiToken(secret),
        createdAtMs,
        lastSeenAtMs,
        expiresAtMs,
      });
      return `jn_session=${secret}`;
    };
    const over = await stored('expiredAbsolute0123456789', now - 13 * 60 * MIN, now - MIN, now - 1);
    const idle = await stored('expiredIdle000123456789', now - 60 * MIN, now - 31 * MIN, now + 60 * MIN);
    // Started after the admin's password was set (at this platform's start): else it counts as revoked.
    const live = await stored('stillAlive00123456789', admin.passwordChangedAtMs, now - 5 * MIN, now + 60 * MIN);
    for (const cookie of [over, idle]) {
      const res = await call<{ code: string }>(t, 'GET', '/api/v1/registry', { cookie });
      expect([res.status, res.body.code]).toEqual([401, 'JN_AUTH_EXPIRED']);
    }
    expect((await call(t, 'GET', '/api/v1/registry', { cookie: live })).status).toBe(200);
    // A request moves its idle expiry on.
    const seen = await t.platform.store.accounts.sessionByHash(hashApiToken('stillAlive00123456789'));
    expect(seen?.lastSeenAtMs).toBeGreaterThanOrEqual(now);
    const unknown = await call<{ code: string }>(t, 'GET', '/api/v1/registry', {
      cookie: 'jn_session=nobodyKnowsThis0123',
    });
    expect([unknown.status, unknown.body.code]).toEqual([401, 'JN_AUTH_INVALID']);
  });

  it('answers wrong passwords 401, then 429 per address with a doubling back-off, and audits them without the password', async () => {
    await createUser(t, { username: 'target', displayName: 'Target', password: 'the right password', role: 'auditor' });
    const from = (address: string, password: string, username = 'target') =>
      call<{ code: string }>(t, 'POST', '/api/v1/sessions', {
        body: { username, password },
        csrf: true,
        headers: { 'x-forwarded-for': address },
      });
    const attacker = '203.0.113.7';
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await from(attacker, `guess number ${i}`)).status);
    // Three failures a minute are free; the fourth starts a 1 s back-off.
    expect(statuses).toEqual([401, 401, 401, 401]);
    const first = await from(attacker, 'the right password');
    expect([first.status, first.body.code]).toEqual([429, 'JN_RATE_LIMITED']);
    const second = await from(attacker, 'guess number 5');
    expect(second.status).toBe(429);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(Number(first.headers.get('retry-after')));
    // Another address is not held back; the username only slows down (never a lock-out).
    const user = await from('198.51.100.20', 'the right password');
    expect(user.status).toBe(200);
    const unknownUser = await from('198.51.100.21', 'whatever it is', 'nobody-here');
    expect([unknownUser.status, unknownUser.body.code]).toEqual([401, 'JN_AUTH_INVALID']);

    const log = await t.api<{
      audit: { tokenName: string; entity: string; after: { outcome: string; address: string } }[];
    }>('GET', '/api/v1/audit?from=2020-01-01&to=2100-01-01');
    const failed = log.body.audit.filter((e) => e.entity === 'sign-in:target' && e.after.outcome === 'failed');
    expect(failed).toHaveLength(4);
    expect(failed[0]?.after.address).toBe(attacker);
    expect(JSON.stringify(log.body)).not.toMatch(/guess number|the right password|scrypt/);
  });

  it('changes the signed-in user’s own password: every other session of it is revoked', async () => {
    await createUser(t, {
      username: 'li',
      displayName: '李',
      password: 'first password!',
      role: 'viewer',
      scopes: ['district:gulou'],
    });
    const a = await signIn(t, 'li', 'first password!');
    const b = await signIn(t, 'li', 'first password!');
    const wrong = await call(t, 'PUT', '/api/v1/users/me/password', {
      cookie: a.cookie,
      body: { currentPassword: 'not my password', password: 'second password!' },
    });
    expect(wrong.status).toBe(401);
    const short = await call<{ code: string }>(t, 'PUT', '/api/v1/users/me/password', {
      cookie: a.cookie,
      body: { currentPassword: 'first password!', password: 'short' },
    });
    expect([short.status, short.body.code]).toEqual([400, 'JN_REQUEST_INVALID']);
    const changed = await call(t, 'PUT', '/api/v1/users/me/password', {
      cookie: a.cookie,
      body: { currentPassword: 'first password!', password: 'second password!' },
    });
    expect(changed.status).toBe(200);
    const c = (sessionSetCookie(changed.headers) ?? '').split(';')[0] as string;
    expect((await call(t, 'GET', '/api/v1/registry', { cookie: b.cookie })).status).toBe(401);
    expect((await call(t, 'GET', '/api/v1/registry', { cookie: a.cookie })).status).toBe(401);
    expect((await call(t, 'GET', '/api/v1/registry', { cookie: c })).status).toBe(200);
    const old = await call(t, 'POST', '/api/v1/sessions', {
      body: { username: 'li', password: 'first password!' },
      csrf: true,
    });
    expect(old.status).toBe(401);
    await signIn(t, 'li', 'second password!');
  });
});
