/**
 * Signing in with a username and password in a real browser (issue 17, item 1): the session
 * cookie is HttpOnly and the page keeps no secret in storage; a wrong password is refused with a
 * message; who is signed in is shown with role and scopes; a new password; sign-out revokes the
 * session on the API. An officer sees no administration and gets the 403 in place there.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { smallCity } from '../helpers/registry.js';
import {
  type Browser,
  chromiumAvailable,
  ensureWebBuild,
  launchBrowser,
  signInWithPassword,
  submitPassword,
  TEST_ADMIN_PASSWORD,
} from './browser.js';
import { ready, shot } from './page.js';

const OFFICER = { username: 'gulou.officer', password: 'officer-password-1', displayName: '鼓楼区节能专员' };
const DISTRICT_ADMIN = { username: 'gulou.admin', password: 'district-admin-pass', displayName: '鼓楼区管理员' };

/** Everything the page keeps in the tab's storage, as `key=value` lines. */
async function storage(page: Page): Promise<string> {
  return page.evaluate<string>(
    "[sessionStorage, localStorage].flatMap((s) => Object.keys(s).map((k) => k + '=' + s.getItem(k))).join('\\n')",
  );
}

describe.skipIf(!chromiumAvailable())('sign-in with a password in chromium', () => {
  let t: TestPlatform;
  let browser: Browser;
  let page: Page;
  let base: string;
  const sessionCookie = async () =>
    (await browser.context.cookies(`${base}/api/v1/sessions/current`)).find((c) => c.name === 'jn_session');
  /** `GET /api/v1/sessions/current` with a session secret, as a browser would send it. */
  const current = (secret: string) =>
    fetch(`${base}/api/v1/sessions/current`, { headers: { cookie: `jn_session=${secret}` } });

  beforeAll(async () => {
    await ensureWebBuild();
    t = await startTestPlatform({ ADMIN_PASSWORD: TEST_ADMIN_PASSWORD });
    base = t.platform.apiUrl;
    const put = await t.api('PUT', '/api/v1/registry', smallCity());
    if (put.status !== 200) throw new Error(`registry: ${JSON.stringify(put.body)}`);
    const officer = await t.api('POST', '/api/v1/users', { ...OFFICER, role: 'officer', scopes: ['district:gulou'] });
    if (officer.status !== 201) throw new Error(`user: ${JSON.stringify(officer.body)}`);
    const others = [
      { ...DISTRICT_ADMIN, role: 'admin', scopes: ['district:gulou'] },
      {
        username: 'xuanwu.viewer',
        password: 'viewer-password-12',
        displayName: '玄武',
        role: 'viewer',
        scopes: ['district:xuanwu'],
      },
    ];
    for (const user of others) {
      const res = await t.api('POST', '/api/v1/users', user);
      if (res.status !== 201) throw new Error(`user: ${JSON.stringify(res.body)}`);
    }
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('refuses a wrong password with a message and sets no cookie', async () => {
    await page.goto(`${base}/anomalies`);
    await page.waitForURL(/\/signin$/);
    // A first visit has nothing to explain.
    expect(await page.getAttribute('[data-signin-message]', 'class')).toBe('hidden');
    await submitPassword(page, base, 'admin', 'not-the-password');
    // The API checks a wrong password as slowly as a right one (scrypt): wait for the answer.
    await page.locator('[data-signin-message].error').waitFor();
    expect(await page.textContent('[data-signin-message]')).toContain('用户名或密码错误');
    expect(page.url()).toMatch(/\/signin$/);
    expect(await sessionCookie()).toBeUndefined();
    await shot(page, 'signin-wrong-password');
  });

  it('signs in with the password: an HttpOnly cookie, nothing secret in storage, who and role shown', async () => {
    await signInWithPassword(page, base, 'admin', TEST_ADMIN_PASSWORD);
    const cookie = await sessionCookie();
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Strict');
    expect(cookie?.path).toBe('/api');
    expect(await page.evaluate('document.cookie')).toBe('');
    const kept = await storage(page);
    expect(kept).not.toContain('jieneng.token');
    expect(kept).not.toContain(cookie?.value ?? '?');
    expect(kept).not.toContain(TEST_ADMIN_PASSWORD);
    // What the header says is what the API says of the session.
    const me = (await (await current(cookie?.value ?? '')).json()) as { user: { username: string; role: string } };
    expect(me.user).toMatchObject({ username: 'admin', role: 'admin' });
    expect(await page.getAttribute('[data-who]', 'data-who')).toBe(me.user.username);
    expect(await page.textContent('[data-who]')).toContain('管理员');
    expect(await page.locator('a[data-nav="admin"]').count()).toBe(1);
    // A reload keeps the session (the cookie), without asking again.
    await page.reload();
    await ready(page);
    expect(page.url()).toMatch(/\/overview$/);
  });

  it('signs out: back to sign-in, the session revoked on the API', async () => {
    const secret = (await sessionCookie())?.value ?? '';
    expect((await current(secret)).status).toBe(200);
    await page.click('header [data-action=signout]');
    await page.waitForURL(/\/signin$/);
    await expect.poll(async () => (await current(secret)).status).toBe(401);
    expect(await sessionCookie()).toBeUndefined();
    await page.goto(`${base}/overview`);
    await page.waitForURL(/\/signin$/);
  });

  it('shows an officer its role and scope, no administration, and the 403 in place if it goes there', async () => {
    await signInWithPassword(page, base, OFFICER.username, OFFICER.password);
    const who = await page.textContent('[data-who]');
    expect(who).toContain(OFFICER.displayName);
    expect(who).toContain('节能专员');
    expect(who).toContain('鼓楼区');
    expect(await page.locator('a[data-nav="admin"]').count()).toBe(0);
    for (const tab of ['users', 'tokens', 'jobs', 'registry']) {
      await page.goto(`${base}/admin/${tab}`);
      await ready(page);
      expect(await page.locator('[data-forbidden]').count(), tab).toBe(1);
      expect(await page.locator('[data-tab]').count()).toBe(0);
    }
    // The API says the same: an officer may not list users.
    const secret = (await sessionCookie())?.value ?? '';
    const users = await fetch(`${base}/api/v1/users`, { headers: { cookie: `jn_session=${secret}` } });
    expect(users.status).toBe(403);
    await shot(page, 'admin-forbidden');
  });

  it('keeps a district officer out of another district: not listed, 403 in place, changes refused by the API', async () => {
    await signInWithPassword(page, base, OFFICER.username, OFFICER.password);
    // The overview lists gulou's institutions only.
    await page.goto(`${base}/overview`);
    await ready(page);
    expect(await page.locator('main a[href="/institutions/i-001"]').count()).toBeGreaterThan(0);
    expect(await page.locator('main a[href="/institutions/i-003"]').count()).toBe(0);
    // xuanwu's hospital by its address: the registry the officer gets does not hold it; nothing is shown.
    await page.goto(`${base}/institutions/i-003`);
    await ready(page);
    await shot(page, 'district-officer-other-institution');
    expect(await page.locator('[data-not-visible="i-003"]').count()).toBe(1);
    expect(await page.locator('main [data-kpi], main [data-series]').count()).toBe(0);
    // The targets page offers only the officer's own scopes.
    await page.goto(`${base}/targets`);
    await ready(page);
    const scopes = await page
      .locator('select[name=scope] option')
      .evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value));
    expect(scopes).toContain('district:gulou');
    expect(scopes.filter((s) => s.includes('xuanwu') || s.includes('i-003'))).toEqual([]);
    // The API decides: reading or changing xuanwu with the officer's cookie is refused.
    const secret = (await sessionCookie())?.value ?? '';
    const headers = {
      cookie: `jn_session=${secret}`,
      'x-requested-with': 'jieneng',
      'content-type': 'application/json',
    };
    const month = new Date().toISOString().slice(0, 7);
    const read = await fetch(`${base}/api/v1/consumption?scope=institution:i-003&from=${month}-01&to=${month}-02`, {
      headers,
    });
    expect(read.status).toBe(403);
    const target = { scope: 'institution:i-003', energy: 'all', period: month, value: 1, unit: 'kgce' };
    const change = await fetch(`${base}/api/v1/targets`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ targets: [target] }),
    });
    expect(change.status).toBe(403);
    expect(((await change.json()) as { details?: { path: string }[] }).details?.[0]?.path).toBe('targets[0].scope');
    // Its own district's is accepted.
    const own = await fetch(`${base}/api/v1/targets`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ targets: [{ ...target, scope: 'institution:i-001' }] }),
    });
    expect(own.status).toBe(200);
    await shot(page, 'district-officer-targets');
  });

  it('changes the officer’s own password, which then signs it in', async () => {
    await page.goto(`${base}/account`);
    await ready(page);
    expect(await page.getAttribute('[data-account]', 'data-role')).toBe('officer');
    const next = 'a-new-officer-password';
    await page.fill('form[data-form=password] input[name=currentPassword]', 'wrong-current-password');
    await page.fill('form[data-form=password] input[name=password]', next);
    await page.fill('form[data-form=password] input[name=again]', next);
    await page.click('form[data-form=password] button[type=submit]');
    // A wrong current password is that field's error (a 401 that does not end the session).
    const error = page.locator('form[data-form=password] [data-error-for=currentPassword]');
    await expect.poll(() => error.textContent(), { timeout: 10_000 }).toContain('wrong username or password');
    expect(await page.getAttribute('form[data-form=password] input[name=currentPassword]', 'aria-invalid')).toBe(
      'true',
    );
    expect(page.url()).toMatch(/\/account$/);
    await page.fill('form[data-form=password] input[name=currentPassword]', OFFICER.password);
    await page.fill('form[data-form=password] input[name=password]', next);
    await page.fill('form[data-form=password] input[name=again]', next);
    await page.click('form[data-form=password] button[type=submit]');
    await page.locator('[data-done=password]').waitFor();
    await page.click('header [data-action=signout]');
    await page.waitForURL(/\/signin$/);
    await signInWithPassword(page, base, OFFICER.username, next);
    await page.click('header [data-action=signout]');
    await page.waitForURL(/\/signin$/);
  });

  it('shows a district admin the users tab only, with the users of its district as the API lists them', async () => {
    await signInWithPassword(page, base, DISTRICT_ADMIN.username, DISTRICT_ADMIN.password);
    expect(await page.textContent('[data-who]')).toContain('区管理员');
    await page.click('a[data-nav="admin"]');
    await ready(page);
    expect(await page.locator('[data-tab]').evaluateAll((els) => els.map((e) => e.getAttribute('data-tab')))).toEqual([
      'users',
    ]);
    const secret = (await sessionCookie())?.value ?? '';
    const res = await fetch(`${base}/api/v1/users`, { headers: { cookie: `jn_session=${secret}` } });
    const listed = ((await res.json()) as { users: { username: string }[] }).users.map((u) => u.username).sort();
    expect(listed).toEqual([DISTRICT_ADMIN.username, OFFICER.username]);
    const shown = await page.locator('tr[data-user]').evaluateAll((els) => els.map((e) => e.getAttribute('data-user')));
    expect(shown.sort()).toEqual(listed);
    // The city's tabs stay the city admins': the API refuses, the page says so in place.
    await page.goto(`${base}/admin/jobs`);
    await ready(page);
    expect(await page.locator('[data-forbidden]').count()).toBe(1);
    await page.click('header [data-action=signout]');
    await page.waitForURL(/\/signin$/);
  });

  it('brings a user whose sessions were ended elsewhere back to sign-in with the reason', async () => {
    await signInWithPassword(page, base, 'admin', TEST_ADMIN_PASSWORD);
    const users = await t.api<{ users: { id: string; username: string }[] }>('GET', '/api/v1/users');
    const admin = users.body.users.find((u) => u.username === 'admin');
    expect((await t.api('DELETE', `/api/v1/users/${admin?.id}/sessions`)).status).toBe(200);
    await page.click('a[data-nav="anomalies"]');
    await page.waitForURL(/\/signin$/);
    await expect.poll(() => page.textContent('[data-signin-message]')).toContain('signed out, sign in again');
    expect(await sessionCookie()).toBeUndefined();
  });
});
