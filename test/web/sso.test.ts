/**
 * Single sign-on in a real browser (issue 17, item 1): the sign-in page shows the SSO button
 * only when the API says it is configured; through it, the provider's pages and back, the
 * officer lands on the overview signed in with its district, and its account has no password;
 * someone whose groups are not mapped comes back to the sign-in page with the reason. The
 * provider is on `localhost` and the platform on `127.0.0.1`, two sites to the browser: the
 * sign-in cookie must survive the cross-site return (SameSite=Lax) while the session cookie
 * stays Strict.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OIDC_CLIENT, type OidcProvider, startOidcProvider } from '../helpers/oidc.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { smallCity } from '../helpers/registry.js';
import { type Browser, chromiumAvailable, ensureWebBuild, launchBrowser } from './browser.js';
import { ready, shot } from './page.js';

/** Signs in at the provider's own pages (oidc-provider's devInteractions: login, then consent). */
async function atProvider(page: Page, issuer: string, login: string): Promise<void> {
  await page.waitForURL((url) => url.href.startsWith(issuer));
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', 'any password');
  await page.click('button[type=submit]');
  await page.locator('input[name=prompt][value=consent]').waitFor({ state: 'attached' });
  await page.click('button[type=submit]');
}

describe.skipIf(!chromiumAvailable())('single sign-on in chromium', () => {
  let idp: OidcProvider;
  let t: TestPlatform;
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    await ensureWebBuild();
    idp = await startOidcProvider('localhost');
    t = await startTestPlatform({
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: OIDC_CLIENT.id,
      OIDC_CLIENT_SECRET: OIDC_CLIENT.secret,
      OIDC_GROUP_ROLES: JSON.stringify({ 'gulou-officers': { role: 'officer', scopes: ['district:gulou'] } }),
    });
    base = t.platform.apiUrl;
    idp.register(`${base}/api/v1/sessions/oidc/callback`);
    const put = await t.api('PUT', '/api/v1/registry', smallCity());
    if (put.status !== 200) throw new Error(`registry: ${JSON.stringify(put.body)}`);
    idp.people.set('sub-liu', { preferred_username: 'liu.yang', name: '刘洋', groups: ['gulou-officers'] });
    idp.people.set('sub-guest', { preferred_username: 'guest', groups: ['everyone'] });
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await idp?.close();
  });

  it('signs an officer in through the provider and lands on the overview with its district', async () => {
    await page.goto(`${base}/signin`);
    const button = page.locator('[data-action=sso]');
    await button.waitFor({ state: 'visible' });
    expect(await button.textContent()).toBe('使用单点登录');
    await shot(page, 'signin-sso');
    await button.click();
    await atProvider(page, idp.issuer, 'sub-liu');
    await page.waitForURL(`${base}/overview`);
    await ready(page);
    expect(await page.getAttribute('[data-who]', 'data-who')).toBe('liu.yang');
    expect(await page.getAttribute('[data-who]', 'data-role')).toBe('officer');
    const cookies = await browser.context.cookies(`${base}/api/v1/sessions/current`);
    const session = cookies.find((c) => c.name === 'jn_session');
    expect([session?.httpOnly, session?.sameSite]).toEqual([true, 'Strict']);
    expect(cookies.find((c) => c.name === 'jn_sso')).toBeUndefined();
    // Its account has no password here to change.
    await page.goto(`${base}/account`);
    await ready(page);
    expect(await page.getAttribute('[data-account]', 'data-account')).toBe('liu.yang');
    expect(await page.textContent('[data-account]')).toContain('单点登录用户');
    expect(await page.locator('[data-form=password]').count()).toBe(0);
  });

  it('brings someone without a mapped group back to the sign-in page with the reason', async () => {
    await browser.context.clearCookies();
    await page.goto(`${base}/signin`);
    await page.locator('[data-action=sso]').click();
    await atProvider(page, idp.issuer, 'sub-guest');
    await page.waitForURL(/\/signin\?sso_error=JN_AUTH_SSO_UNMAPPED$/);
    const message = page.locator('[data-signin-message][data-sso-error=JN_AUTH_SSO_UNMAPPED]');
    await message.waitFor();
    expect(await message.textContent()).toContain('用户组没有本平台的权限');
    await shot(page, 'signin-sso-refused');
  });
});

describe.skipIf(!chromiumAvailable())('the sign-in page without single sign-on', () => {
  it('shows no SSO button', async () => {
    await ensureWebBuild();
    const t = await startTestPlatform();
    const browser = await launchBrowser();
    try {
      const page = browser.context.pages()[0] ?? (await browser.context.newPage());
      const methods = page.waitForResponse((r) => r.url().endsWith('/api/v1/sessions/methods'));
      await page.goto(`${t.platform.apiUrl}/signin`);
      expect(await (await methods).json()).toEqual({ password: true, sso: false });
      expect(await page.locator('[data-sso]').getAttribute('class')).toContain('hidden');
    } finally {
      await browser.close();
      await t.close();
    }
  });
});
