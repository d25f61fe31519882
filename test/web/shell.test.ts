/**
 * The page's shell in a real browser: sign-in with an API token (and refusal of a wrong one), what the
 * token can read, a 403 shown in place, the English switch, a tablet layout, and the way back to
 * sign-in when the API answers 401.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLocalIso } from '../../core/domain/time.js';
import { startTestPlatform, TEST_ADMIN_TOKEN, type TestPlatform } from '../helpers/platform.js';
import { type Browser, chromiumAvailable, ensureWebBuild, launchBrowser, seedCity, signIn } from './browser.js';
import { chartSeries, ready, shot } from './page.js';

describe.skipIf(!chromiumAvailable())('the web page’s shell in chromium', () => {
  let t: TestPlatform;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await ensureWebBuild();
    t = await startTestPlatform();
    await seedCity(t);
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('sends a visitor without a token to sign-in, refuses a wrong token with the API’s message', async () => {
    await page.goto(`${t.platform.apiUrl}/quality`);
    await page.waitForURL(/\/signin$/);
    await page.click('details[data-token-signin] summary');
    await page.fill('input[name=token]', 'not-a-token');
    await page.click('form[data-signin=token] button[type=submit]');
    await expect.poll(() => page.textContent('[data-signin-message]')).toMatch(/unknown token/);
    expect(await page.evaluate("sessionStorage.getItem('jieneng.token')")).toBeNull();
    await shot(page, 'signin');
  });

  it('signs in, keeps the token for the tab only, and shows what the token can read', async () => {
    await signIn(page, t.platform.apiUrl, TEST_ADMIN_TOKEN);
    expect(await page.evaluate("sessionStorage.getItem('jieneng.token')")).toBe(TEST_ADMIN_TOKEN);
    expect(await page.evaluate("localStorage.getItem('jieneng.token')")).toBeNull();
    expect(await page.getAttribute('[data-access]', 'data-access')).toBe('4');
    // A deep link survives a reload (the server falls back to index.html).
    await page.goto(`${t.platform.apiUrl}/anomalies?status=open`);
    await ready(page);
    expect(await page.getAttribute('a[data-nav="anomalies"]', 'class')).toMatch(/active/);
  });

  it('switches to English and back', async () => {
    await page.goto(`${t.platform.apiUrl}/overview`);
    await ready(page);
    await page.click('header [data-action=lang]');
    await ready(page);
    expect(await page.textContent('a[data-nav="overview"]')).toBe('City overview');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await chartSeries(page, 'trend');
    await shot(page, 'overview-en');
    await page.click('header [data-action=lang]');
    await ready(page);
    expect(await page.textContent('a[data-nav="overview"]')).toBe('城市总览');
  });

  it('lays out on a tablet without horizontal scrolling', async () => {
    await page.setViewportSize({ width: 820, height: 1180 });
    try {
      await page.reload();
      await ready(page);
      await chartSeries(page, 'trend');
      expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
      await shot(page, 'overview-tablet');
    } finally {
      await page.setViewportSize({ width: 1366, height: 900 });
    }
  });

  it('shows a 403 in place and marks the section, leaving the rest of the page working', async () => {
    // Roles come in a later issue: until the API can answer 403, the browser fakes it for one route.
    await page.route('**/api/v1/quality?*', (route) =>
      route.fulfill({
        status: 403,
        contentType: 'application/json',
        body: JSON.stringify({ code: 'JN_AUTH_FORBIDDEN', message: 'quality: not for this role', details: [] }),
      }),
    );
    try {
      await page.click('header [data-action=signout]');
      await signIn(page, t.platform.apiUrl, TEST_ADMIN_TOKEN);
      expect(await page.getAttribute('[data-access]', 'data-access')).toBe('3');
      expect(await page.getAttribute('a[data-nav="quality"]', 'class')).toMatch(/denied/);
      await page.click('a[data-nav="quality"]');
      await ready(page);
      expect(await page.locator('[data-forbidden]').count()).toBe(1);
      // Dead letters come from another route: still shown.
      expect(await page.getAttribute('[data-dead-letters]', 'data-dead-letters')).not.toBe('0');
      await shot(page, 'forbidden');
    } finally {
      await page.unroute('**/api/v1/quality?*');
    }
  });

  it('computes the ranking from /consumption when the reports ranking answers 404', async () => {
    const month = formatLocalIso(Date.now(), t.platform.config.TIMEZONE).slice(0, 7);
    const ranking = await t.api<{ entries: { institutionId: string; value: number }[] }>(
      'GET',
      `/api/v1/reports/ranking?month=${month}&metric=kgce_per_m2`,
    );
    // The reports route may be missing on a platform (it came later): the browser fakes its 404.
    await page.route('**/api/v1/reports/ranking?*', (route) =>
      route.fulfill({
        status: 404,
        contentType: 'application/json',
        body: JSON.stringify({ code: 'JN_NOT_FOUND', message: 'no route GET /api/v1/reports/ranking', details: [] }),
      }),
    );
    try {
      await page.goto(`${t.platform.apiUrl}/overview`);
      await ready(page);
      expect(await page.locator('[data-ranking-computed]').count()).toBe(1);
      const rows = page.locator('tr[data-institution]');
      expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-institution')))).toEqual(
        ranking.body.entries.map((e) => e.institutionId),
      );
      const values = await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
      values.forEach((v, i) => {
        expect(v).toBeCloseTo(ranking.body.entries[i]?.value ?? Number.NaN, 4);
      });
    } finally {
      await page.unroute('**/api/v1/reports/ranking?*');
    }
  });

  it('returns to sign-in with the reason when the API answers 401', async () => {
    await page.evaluate("sessionStorage.setItem('jieneng.token', 'revoked-token')");
    await page.reload();
    await page.waitForURL(/\/signin$/);
    await expect.poll(() => page.textContent('[data-signin-message]')).toMatch(/unknown token/);
    expect(await page.evaluate("sessionStorage.getItem('jieneng.token')")).toBeNull();
  });
});
