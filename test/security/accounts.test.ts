import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFirstAdmin } from '../../core/accounts/first-admin.js';
import { startTestPlatform, TEST_ADMIN_TOKEN, type TestPlatform } from '../helpers/platform.js';
import { smallCity } from '../helpers/registry.js';
import { call, sessionSetCookie, signIn, type UserOut } from './session-client.js';

type Problem = { code: string; message: string; details: { path: string; message: string }[] };

const PASSWORD = 'a long enough password';

describe('users (issue 17, item 1): admins and district admins manage them; passwords never leave', () => {
  let t: TestPlatform;
  let admin: { cookie: string };
  /** Created by the admin token, as an admin would. */
  const create = async (body: Record<string, unknown>) => {
    const res = await call<UserOut>(t, 'POST', '/api/v1/users', { token: TEST_ADMIN_TOKEN, body });
    if (res.status !== 201) throw new Error(`user: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const user = (username: string, role: string, scopes: string[] = []) => ({
    username,
    displayName: `${username} (test)`,
    password: PASSWORD,
    role,
    scopes,
  });

  beforeAll(async () => {
    // No ADMIN_PASSWORD: the first admin's password is generated.
    t = await startTestPlatform();
    const put = await t.api('PUT', '/api/v1/registry', smallCity());
    if (put.status !== 200) throw new Error(`registry: ${JSON.stringify(put.body)}`);
    admin = await signIn(t, 'admin', t.platform.generatedAdminPassword ?? '');
  });

  afterAll(async () => {
    await t?.close();
  });

  it('generates the first admin’s password: written once to DATA_DIR/admin-password.txt (0600), never again', async () => {
    const { generatedAdminPassword, adminPasswordFile } = t.platform;
    expect(generatedAdminPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(adminPasswordFile).toBe(join(t.dataDir, 'admin-password.txt'));
    expect((await stat(adminPasswordFile as string)).mode & 0o777).toBe(0o600);
    expect(await readFile(adminPasswordFile as string, 'utf8')).toBe(`${generatedAdminPassword}\n`);
    // Stored as a salted scrypt hash with its parameters, never as the password.
    const stored = await t.platform.store.accounts.userByUsername('admin');
    expect(stored?.passwordHash).toMatch(/^scrypt\$16384\$8\$5\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    // Once a user exists nothing is generated (a restart), and ADMIN_PASSWORD overrides nothing.
    expect(await ensureFirstAdmin(t.platform.store.accounts, undefined, Date.now())).toBeUndefined();
    expect(await ensureFirstAdmin(t.platform.store.accounts, 'another password', Date.now())).toBeUndefined();
    expect((await t.platform.store.accounts.userByUsername('admin'))?.passwordHash).toBe(stored?.passwordHash);
    expect(await t.platform.store.accounts.countUsers()).toBe(1);
    // An untrusted X-Forwarded-Proto (no TRUST_PROXY) does not make the cookie Secure.
    const { setCookie } = await signIn(t, 'admin', generatedAdminPassword ?? '', { 'x-forwarded-proto': 'https' });
    expect(setCookie).not.toMatch(/Secure/);
  });

  it('documents users and sessions in the OpenAPI document, with the session cookie as a scheme', async () => {
    type Doc = {
      paths: Record<string, Record<string, { requestBody?: unknown; security?: unknown[] }>>;
      components: { securitySchemes: Record<string, { in?: string; name?: string }> };
    };
    const res = await call<Doc>(t, 'GET', '/docs/json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/users', '/api/v1/users/{id}', '/api/v1/sessions', '/api/v1/sessions/current']),
    );
    expect(JSON.stringify(res.body.paths['/api/v1/sessions']?.post?.requestBody)).toContain('username');
    expect(res.body.paths['/api/v1/sessions']?.post?.security).toEqual([]);
    expect(res.body.components.securitySchemes.session).toMatchObject({ in: 'cookie', name: 'jn_session' });
  });

  it('lets an admin create, list, change and remove users, naming the field of a bad request', async () => {
    const created = await call<UserOut>(t, 'POST', '/api/v1/users', {
      cookie: admin.cookie,
      body: user('Wang.Li', 'officer', ['district:gulou']),
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ username: 'wang.li', role: 'officer', scopes: ['district:gulou'] });
    const taken = await call<Problem>(t, 'POST', '/api/v1/users', {
      token: TEST_ADMIN_TOKEN,
      body: user('WANG.LI', 'viewer', ['district:gulou']),
    });
    expect([taken.status, taken.body.code]).toEqual([409, 'JN_USERNAME_TAKEN']);

    const bad: [Record<string, unknown>, string][] = [
      [{ ...user('short', 'auditor'), password: 'too short' }, 'password'],
      [user('evil\u202Egnp.exe', 'auditor'), 'username'],
      [user('has space', 'auditor'), 'username'],
      [{ ...user('ctrl', 'auditor'), displayName: 'bell\u0007' }, 'displayName'],
      [user('noscope', 'officer'), 'scopes'],
      [user('scopedauditor', 'auditor', ['district:gulou']), 'scopes'],
      [user('instadmin', 'admin', ['institution:i-001']), 'scopes'],
      [{ ...user('extra', 'auditor'), passwordHash: 'x' }, 'passwordHash'],
    ];
    for (const [body, field] of bad) {
      const res = await call<Problem>(t, 'POST', '/api/v1/users', { token: TEST_ADMIN_TOKEN, body });
      expect([res.status, res.body.code], JSON.stringify(res.body)).toEqual([400, 'JN_REQUEST_INVALID']);
      expect(res.body.message).toContain(field);
    }
    const unknown = await call<Problem>(t, 'POST', '/api/v1/users', {
      token: TEST_ADMIN_TOKEN,
      body: user('nowhere', 'viewer', ['district:atlantis']),
    });
    expect([unknown.status, unknown.body.code, unknown.body.details[0]?.path]).toEqual([
      400,
      'JN_SCOPE_UNKNOWN',
      'scopes.0',
    ]);

    const list = await call<{ users: UserOut[] }>(t, 'GET', '/api/v1/users', { cookie: admin.cookie });
    expect(list.body.users.map((u) => u.username)).toEqual(['admin', 'wang.li']);
    const id = created.body.id;
    const patched = await call<UserOut>(t, 'PATCH', `/api/v1/users/${id}`, {
      cookie: admin.cookie,
      body: { displayName: '王丽', scopes: ['institution:i-001'] },
    });
    expect([patched.status, patched.body.displayName, patched.body.scopes]).toEqual([
      200,
      '王丽',
      ['institution:i-001'],
    ]);
    const toAuditor = await call<Problem>(t, 'PATCH', `/api/v1/users/${id}`, {
      cookie: admin.cookie,
      body: { role: 'auditor' },
    });
    expect([toAuditor.status, toAuditor.body.details[0]?.path]).toEqual([400, 'role']);
    const empty = await call<Problem>(t, 'PATCH', `/api/v1/users/${id}`, { cookie: admin.cookie, body: {} });
    expect(empty.status).toBe(400);
    const removed = await call(t, 'DELETE', `/api/v1/users/${id}`, { cookie: admin.cookie });
    expect(removed.status).toBe(204);
    expect((await call(t, 'GET', `/api/v1/users/${id}`, { cookie: admin.cookie })).status).toBe(404);
    expect((await call(t, 'DELETE', `/api/v1/users/${id}`, { cookie: admin.cookie })).status).toBe(404);

    // Neither an answer nor the audit log ever holds a password or its hash.
    const log = await t.api('GET', '/api/v1/audit?from=2020-01-01&to=2100-01-01');
    const everything = JSON.stringify([created.body, list.body, patched.body, log.body]);
    expect(everything).not.toMatch(/scrypt|passwordHash|a long enough password/);
    expect(everything).toContain(`user:${id}`);
  });

  it('limits a district admin to its district: 403 outside, its users only listed; elsewhere an officer', async () => {
    const gulouAdmin = await create(user('gulou-admin', 'admin', ['district:gulou']));
    const xuanwuViewer = await create(user('xuanwu-viewer', 'viewer', ['institution:i-003']));
    const { cookie } = await signIn(t, 'gulou-admin', PASSWORD);
    const post = (body: Record<string, unknown>) => call<UserOut>(t, 'POST', '/api/v1/users', { cookie, body });

    const inside = await post(user('gulou-officer', 'officer', ['institution:i-001']));
    expect(inside.status).toBe(201);
    expect((await post(user('gulou-deputy', 'admin', ['district:gulou']))).status).toBe(201);
    for (const outside of [
      user('xuanwu-officer', 'officer', ['institution:i-003']),
      user('both', 'viewer', ['district:gulou', 'district:xuanwu']),
      user('city-admin', 'admin'),
      user('auditor', 'auditor'),
    ]) {
      const res = await post(outside);
      expect([res.status, (res.body as unknown as Problem).code]).toEqual([403, 'JN_FORBIDDEN']);
    }
    const listed = await call<{ users: UserOut[] }>(t, 'GET', '/api/v1/users', { cookie });
    expect(listed.body.users.map((u) => u.username)).toEqual(['gulou-admin', 'gulou-deputy', 'gulou-officer']);
    expect((await call(t, 'GET', `/api/v1/users/${xuanwuViewer.id}`, { cookie })).status).toBe(403);
    const patchOutside = await call(t, 'PATCH', `/api/v1/users/${xuanwuViewer.id}`, {
      cookie,
      body: { displayName: 'mine now' },
    });
    expect(patchOutside.status).toBe(403);
    const moveOut = await call(t, 'PATCH', `/api/v1/users/${inside.body.id}`, {
      cookie,
      body: { scopes: ['institution:i-003'] },
    });
    expect(moveOut.status).toBe(403);
    const promoteSelf = await call(t, 'PATCH', `/api/v1/users/${gulouAdmin.id}`, { cookie, body: { scopes: [] } });
    expect(promoteSelf.status).toBe(403);
    expect((await call(t, 'DELETE', `/api/v1/users/${xuanwuViewer.id}`, { cookie })).status).toBe(403);
    expect((await call(t, 'DELETE', `/api/v1/users/${inside.body.id}`, { cookie })).status).toBe(204);

    // Everywhere else a district admin is an officer of its district: no city-wide admin actions.
    const registry = await call<{ districts: { id: string }[] }>(t, 'GET', '/api/v1/registry', { cookie });
    expect(registry.body.districts.map((d) => d.id)).toEqual(['gulou']);
    expect((await call(t, 'GET', '/api/v1/tokens', { cookie })).status).toBe(403);
    // Officers and viewers manage no users.
    const viewer = await signIn(t, 'xuanwu-viewer', PASSWORD);
    const refused = await call<Problem>(t, 'GET', '/api/v1/users', { cookie: viewer.cookie });
    expect([refused.status, refused.body.code]).toEqual([403, 'JN_FORBIDDEN']);
  });

  it('applies a changed scope to a live session, and signs a disabled user out until enabled', async () => {
    const officer = await create(user('mover', 'officer', ['district:gulou']));
    const { cookie } = await signIn(t, 'mover', PASSWORD);
    const districts = async (c: string) =>
      (await call<{ districts: { id: string }[] }>(t, 'GET', '/api/v1/registry', { cookie: c })).body.districts.map(
        (d) => d.id,
      );
    expect(await districts(cookie)).toEqual(['gulou']);
    await call(t, 'PATCH', `/api/v1/users/${officer.id}`, {
      cookie: admin.cookie,
      body: { scopes: ['district:xuanwu'] },
    });
    expect(await districts(cookie)).toEqual(['xuanwu']);

    const disabled = await call<UserOut>(t, 'PATCH', `/api/v1/users/${officer.id}`, {
      cookie: admin.cookie,
      body: { disabled: true },
    });
    expect(disabled.body.disabledAt).not.toBeNull();
    const gone = await call<Problem>(t, 'GET', '/api/v1/registry', { cookie });
    expect([gone.status, gone.body.code]).toEqual([401, 'JN_AUTH_REVOKED']);
    const again = await call<Problem>(t, 'POST', '/api/v1/sessions', {
      body: { username: 'mover', password: PASSWORD },
      csrf: true,
    });
    expect([again.status, again.body.code, sessionSetCookie(again.headers)]).toEqual([
      401,
      'JN_AUTH_INVALID',
      undefined,
    ]);
    await call(t, 'PATCH', `/api/v1/users/${officer.id}`, { cookie: admin.cookie, body: { disabled: false } });
    const back = await signIn(t, 'mover', PASSWORD);
    expect(back.body.user.disabledAt).toBeNull();

    // An admin signs a user out everywhere; removing a user ends its sessions too.
    const revoked = await call<{ revoked: number }>(t, 'DELETE', `/api/v1/users/${officer.id}/sessions`, {
      cookie: admin.cookie,
    });
    expect(revoked.body.revoked).toBe(1);
    expect((await call(t, 'GET', '/api/v1/registry', { cookie: back.cookie })).status).toBe(401);
    const last = await signIn(t, 'mover', PASSWORD);
    await call(t, 'DELETE', `/api/v1/users/${officer.id}`, { cookie: admin.cookie });
    expect((await call(t, 'GET', '/api/v1/registry', { cookie: last.cookie })).status).toBe(401);
  });
});
