/**
 * Single sign-on with OpenID Connect (issue 17, item 1) against a real provider (`oidc-provider`)
 * on a free port: the whole authorization code flow over HTTP (PKCE required by the provider),
 * groups mapped to roles and scopes, refusals (unmapped groups, a tampered state, a replayed
 * callback, a taken username, a disabled user), and external users without a password.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.js';
import { CookieJar, OIDC_CLIENT, type OidcProvider, signInAtProvider, startOidcProvider } from '../helpers/oidc.js';
import { startTestPlatform, TEST_ADMIN_TOKEN, type TestPlatform } from '../helpers/platform.js';
import { smallCity } from '../helpers/registry.js';
import { call, sessionSetCookie, type UserOut } from './session-client.js';

const GROUP_ROLES = {
  'energy-admins': { role: 'admin' },
  'gulou-officers': { role: 'officer', scopes: ['district:gulou'] },
  'xuanwu-viewers': { role: 'viewer', scopes: ['district:xuanwu'] },
};
const DAY = '2026-03-02';
const consumption = (district: string) =>
  `/api/v1/consumption?scope=district:${district}&from=${DAY}&to=2026-03-03&energy=electricity`;

describe('single sign-on with OpenID Connect against a real provider', () => {
  let idp: OidcProvider;
  let t: TestPlatform;
  let api: string;

  /** Signs `login` in at the provider and follows the callback: where the platform sends the browser, and the jar. */
  async function sso(login: string): Promise<{ location: string; jar: CookieJar; setCookie: string | undefined }> {
    const jar = new CookieJar();
    const callback = await signInAtProvider(jar, api, login);
    const res = await fetch(callback, { redirect: 'manual', headers: { cookie: jar.header(callback) } });
    jar.take(callback, res.headers);
    return { location: res.headers.get('location') ?? '', jar, setCookie: sessionSetCookie(res.headers) };
  }
  const sessionOf = (jar: CookieJar) => `jn_session=${jar.get(api, 'jn_session')}`;
  const me = async (cookie: string) => call<{ user: UserOut }>(t, 'GET', '/api/v1/sessions/current', { cookie });

  beforeAll(async () => {
    idp = await startOidcProvider();
    t = await startTestPlatform({
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: OIDC_CLIENT.id,
      OIDC_CLIENT_SECRET: OIDC_CLIENT.secret,
      OIDC_GROUP_ROLES: JSON.stringify(GROUP_ROLES),
      ADMIN_PASSWORD: 'local-admin-password',
    });
    api = t.platform.apiUrl;
    idp.register(`${api}/api/v1/sessions/oidc/callback`);
    const put = await t.api('PUT', '/api/v1/registry', smallCity());
    if (put.status !== 200) throw new Error(`registry: ${JSON.stringify(put.body)}`);
    idp.people.set('sub-zhang', { preferred_username: 'zhang.wei', name: '张伟', groups: ['staff', 'energy-admins'] });
    idp.people.set('sub-li', { preferred_username: 'li.na', name: '李娜', groups: ['gulou-officers'] });
    idp.people.set('sub-visitor', { preferred_username: 'visitor', groups: ['staff'] });
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  it('tells the page that single sign-on is on', async () => {
    const res = await call(t, 'GET', '/api/v1/sessions/methods');
    expect([res.status, res.body]).toEqual([200, { password: true, sso: true }]);
    const docs = await t.api<{ paths: Record<string, unknown> }>('GET', '/docs/json');
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/sessions/methods',
        '/api/v1/sessions/oidc/login',
        '/api/v1/sessions/oidc/callback',
      ]),
    );
  });

  it('signs a mapped admin in: the session cookie of a password sign-in, a just-in-time external user', async () => {
    const { location, jar, setCookie } = await sso('sub-zhang');
    expect(location).toBe('/overview');
    const attributes = (setCookie ?? '').split(';').map((a) => a.trim());
    expect(attributes[0]).toMatch(/^jn_session=[A-Za-z0-9_-]{43}$/);
    expect(attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/api']));
    // The sign-in in progress is over: its cookie is gone.
    expect(jar.get(api, 'jn_sso')).toBeUndefined();
    const who = await me(sessionOf(jar));
    expect(who.status).toBe(200);
    expect(who.body.user).toMatchObject({ username: 'zhang.wei', displayName: '张伟', role: 'admin', scopes: [] });
    // A city admin through SSO may do what the admin does.
    expect((await call(t, 'GET', '/api/v1/tokens', { cookie: sessionOf(jar) })).status).toBe(200);
  });

  it('gives a district officer its district only: 403 for another one', async () => {
    const { location, jar } = await sso('sub-li');
    expect(location).toBe('/overview');
    const cookie = sessionOf(jar);
    expect((await me(cookie)).body.user).toMatchObject({
      username: 'li.na',
      role: 'officer',
      scopes: ['district:gulou'],
    });
    expect((await call(t, 'GET', consumption('gulou'), { cookie })).status).toBe(200);
    const other = await call<{ code: string }>(t, 'GET', consumption('xuanwu'), { cookie });
    expect([other.status, other.body.code]).toEqual([403, 'JN_FORBIDDEN']);
    const registry = await call<{ districts: { id: string }[] }>(t, 'GET', '/api/v1/registry', { cookie });
    expect(registry.body.districts.map((d) => d.id)).toEqual(['gulou']);
  });

  it('refuses someone whose groups are not mapped, without a session, and audits it', async () => {
    const { location, setCookie } = await sso('sub-visitor');
    expect(location).toBe('/signin?sso_error=JN_AUTH_SSO_UNMAPPED');
    expect(setCookie).toBeUndefined();
    const users = await t.api<{ users: UserOut[] }>('GET', '/api/v1/users');
    expect(users.body.users.map((u) => u.username)).not.toContain('visitor');
    const audit = await t.platform.store.audit(0, Date.now() + 1000);
    expect(audit).toContainEqual(
      expect.objectContaining({
        entity: 'sign-in:visitor',
        after: expect.objectContaining({ method: 'oidc', outcome: 'refused', code: 'JN_AUTH_SSO_UNMAPPED' }),
      }),
    );
  });

  it('refuses a tampered state, and a callback without the browser’s sign-in cookie', async () => {
    const jar = new CookieJar();
    const callback = new URL(await signInAtProvider(jar, api, 'sub-li'));
    const follow = (url: URL, cookie: string) =>
      fetch(url, { redirect: 'manual', headers: { cookie } }).then((r) => ({
        location: r.headers.get('location'),
        session: sessionSetCookie(r.headers),
      }));
    const tampered = new URL(callback);
    tampered.searchParams.set('state', `${callback.searchParams.get('state')}x`);
    expect(await follow(tampered, jar.header(callback.href))).toEqual({
      location: '/signin?sso_error=JN_AUTH_SSO_STATE',
      session: undefined,
    });
    expect(await follow(callback, '')).toEqual({ location: '/signin?sso_error=JN_AUTH_SSO_STATE', session: undefined });
    // A sign-in cookie that was tampered with is not one.
    const forged = jar.header(callback.href).replace(/jn_sso=([^;.]+)\.([^;]+)/, 'jn_sso=$1.AAAA$2');
    expect((await follow(callback, forged)).location).toBe('/signin?sso_error=JN_AUTH_SSO_STATE');
  });

  it('refuses a replayed callback: the provider redeems a code once', async () => {
    const jar = new CookieJar();
    const callback = await signInAtProvider(jar, api, 'sub-li');
    const cookie = jar.header(callback);
    const first = await fetch(callback, { redirect: 'manual', headers: { cookie } });
    expect(first.headers.get('location')).toBe('/overview');
    // The same URL with the same sign-in cookie, as an eavesdropper of both would send it.
    const again = await fetch(callback, { redirect: 'manual', headers: { cookie } });
    expect(again.headers.get('location')).toBe('/signin?sso_error=JN_AUTH_SSO_FAILED');
    expect(sessionSetCookie(again.headers)).toBeUndefined();
  });

  it('never lets an external user sign in with a password', async () => {
    // Not even the text kept where a password hash would be.
    const external = `oidc$${encodeURIComponent(idp.issuer)}$sub-zhang`;
    for (const password of ['any password', external]) {
      const res = await call<{ code: string }>(t, 'POST', '/api/v1/sessions', {
        body: { username: 'zhang.wei', password },
        csrf: true,
      });
      expect([res.status, res.body.code]).toEqual([401, 'JN_AUTH_INVALID']);
    }
    // The API shows it as external, and an admin cannot give it a password either.
    const users = await t.api<{ users: (UserOut & { external: boolean })[] }>('GET', '/api/v1/users');
    const zhang = users.body.users.find((u) => u.username === 'zhang.wei');
    expect(users.body.users.map((u) => [u.username, u.external])).toContainEqual(['zhang.wei', true]);
    expect(users.body.users.map((u) => [u.username, u.external])).toContainEqual(['admin', false]);
    const reset = await t.api<{ code: string }>('PATCH', `/api/v1/users/${zhang?.id}`, {
      password: 'a-new-local-password',
    });
    expect([reset.status, reset.body.code]).toEqual([400, 'JN_REQUEST_INVALID']);
  });

  it('follows the groups at each sign-in: promoted, then every session ended when no group is left', async () => {
    const first = await sso('sub-li');
    const earlier = sessionOf(first.jar);
    const person = idp.people.get('sub-li');
    if (person === undefined) throw new Error('no li');
    person.groups = ['xuanwu-viewers'];
    const second = await sso('sub-li');
    expect(second.location).toBe('/overview');
    expect((await me(sessionOf(second.jar))).body.user).toMatchObject({ role: 'viewer', scopes: ['district:xuanwu'] });
    // The change of role is audited as a change of the user, by the sign-in.
    const changes = (await t.platform.store.audit(0, Date.now() + 1000)).filter(
      (e) => e.route === 'GET /api/v1/sessions/oidc/callback' && e.entity.startsWith('user:'),
    );
    expect(changes.at(-1)).toMatchObject({
      tokenName: 'li.na',
      before: { role: 'officer', scopes: ['district:gulou'], external: true },
      after: { role: 'viewer', scopes: ['district:xuanwu'], external: true },
    });
    // The earlier session is the same user: it has the new role at once.
    expect((await me(earlier)).body.user).toMatchObject({ role: 'viewer', scopes: ['district:xuanwu'] });
    // The first group of OIDC_GROUP_ROLES decides: energy-admins is written first.
    person.groups = ['xuanwu-viewers', 'energy-admins'];
    expect((await me(sessionOf((await sso('sub-li')).jar))).body.user).toMatchObject({ role: 'admin', scopes: [] });
    person.groups = [];
    expect((await sso('sub-li')).location).toBe('/signin?sso_error=JN_AUTH_SSO_UNMAPPED');
    const ended = await me(earlier);
    expect([ended.status, (ended.body as unknown as { code: string }).code]).toEqual([401, 'JN_AUTH_REVOKED']);
    person.groups = ['gulou-officers'];
  });

  it('never takes over a local user of the same username, and keeps a disabled user out', async () => {
    const local = await t.api('POST', '/api/v1/users', {
      username: 'wang.fang',
      displayName: '王芳',
      password: 'local-password-1234',
      role: 'viewer',
      scopes: ['district:gulou'],
    });
    expect(local.status).toBe(201);
    idp.people.set('sub-wang', { preferred_username: 'wang.fang', groups: ['energy-admins'] });
    expect((await sso('sub-wang')).location).toBe('/signin?sso_error=JN_AUTH_SSO_CONFLICT');

    const users = await t.api<{ users: UserOut[] }>('GET', '/api/v1/users');
    const zhang = users.body.users.find((u) => u.username === 'zhang.wei');
    const disabled = await t.api('PATCH', `/api/v1/users/${zhang?.id}`, { disabled: true }, TEST_ADMIN_TOKEN);
    expect(disabled.status).toBe(200);
    expect((await sso('sub-zhang')).location).toBe('/signin?sso_error=JN_AUTH_SSO_DISABLED');
    const after = await t.api<UserOut>('GET', `/api/v1/users/${zhang?.id}`);
    expect(after.body.disabledAt).not.toBeNull();
  });

  it('checks the OIDC_* variables together at start', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (error) {
        return (error as { problems: string[] }).problems;
      }
    };
    expect(problems({ OIDC_ISSUER: 'https://sso.example.gov.cn/realms/city' })).toEqual([
      'OIDC_CLIENT_ID: required with OIDC_ISSUER',
      'OIDC_CLIENT_SECRET: required with OIDC_ISSUER',
      'OIDC_GROUP_ROLES: required with OIDC_ISSUER',
    ]);
    expect(problems({ OIDC_CLIENT_ID: 'x' })).toEqual([
      'OIDC_ISSUER: required with OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and OIDC_GROUP_ROLES',
    ]);
    const client = { OIDC_CLIENT_ID: 'c', OIDC_CLIENT_SECRET: 's' };
    expect(
      problems({ ...client, OIDC_ISSUER: 'http://sso.example.gov.cn', OIDC_GROUP_ROLES: '{"a":{"role":"admin"}}' }),
    ).toEqual([expect.stringMatching(/^OIDC_ISSUER: https/)]);
    expect(problems({ ...client, OIDC_ISSUER: 'https://sso.example', OIDC_GROUP_ROLES: '{"a":' })).toEqual([
      expect.stringMatching(/^OIDC_GROUP_ROLES: not JSON/),
    ]);
    expect(
      problems({ ...client, OIDC_ISSUER: 'https://sso.example', OIDC_GROUP_ROLES: '{"a":{"role":"officer"}}' }),
    ).toEqual([expect.stringMatching(/^OIDC_GROUP_ROLES\.a\.scopes: an? officer needs at least one scope/)]);
  });
});

describe('single sign-on off, or its provider down', () => {
  it('says so to the page and has no sign-on routes', async () => {
    const t = await startTestPlatform();
    try {
      expect((await call(t, 'GET', '/api/v1/sessions/methods')).body).toEqual({ password: true, sso: false });
      expect((await call(t, 'GET', '/api/v1/sessions/oidc/login')).status).toBe(404);
    } finally {
      await t.close();
    }
  });

  it('starts without the provider, and sends the browser back with JN_AUTH_SSO_UNAVAILABLE', async () => {
    // A provider that has stopped: its port is closed.
    const gone = await startOidcProvider();
    await gone.close();
    const t = await startTestPlatform({
      OIDC_ISSUER: gone.issuer,
      OIDC_CLIENT_ID: OIDC_CLIENT.id,
      OIDC_CLIENT_SECRET: OIDC_CLIENT.secret,
      OIDC_GROUP_ROLES: JSON.stringify(GROUP_ROLES),
    });
    try {
      const res = await fetch(`${t.platform.apiUrl}/api/v1/sessions/oidc/login`, { redirect: 'manual' });
      expect([res.status, res.headers.get('location')]).toEqual([302, '/signin?sso_error=JN_AUTH_SSO_UNAVAILABLE']);
      expect(res.headers.getSetCookie()).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
