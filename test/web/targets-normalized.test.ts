/**
 * Weather-normalised target progress on the targets page (issue 18, item 4) in a real browser:
 * choosing "按常年气候" keeps `normalize=normal` in the address and shows each quota's normalised
 * year to date as `/targets/progress?…&normalize=normal` answers it.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDistrict } from '../comparison/normalize-district.js';
import { startTestPlatform, TEST_ADMIN_TOKEN, type TestPlatform } from '../helpers/platform.js';
import { type Browser, chromiumAvailable, ensureWebBuild, launchBrowser, signIn } from './browser.js';
import { ready } from './page.js';

const TZ = 'Asia/Shanghai';

describe.skipIf(!chromiumAvailable())('weather-normalised targets in chromium', () => {
  let t: TestPlatform;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await ensureWebBuild();
    t = await startTestPlatform({ TIMEZONE: TZ });
    await seedDistrict(t, TZ);
    const put = await t.api('PUT', '/api/v1/targets', {
      targets: [{ scope: 'institution:lab', energy: 'gas', period: '2021', value: 100_000, unit: 'm3' }],
    });
    expect(put.status).toBe(200);
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await signIn(page, t.platform.apiUrl, TEST_ADMIN_TOKEN);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('offers the weather choice, keeps it in the address, and shows what the API answers', async () => {
    await page.goto(`${t.platform.apiUrl}/targets?scope=institution:lab&year=2021`);
    await ready(page);
    expect(await page.locator('[data-normalized-target]').count()).toBe(0);
    await page.selectOption('form[data-filters] select[name=normalize]', 'normal');
    await page.click('form[data-filters] button[type=submit]');
    await page.waitForURL((u) => u.searchParams.get('normalize') === 'normal');
    await ready(page);
    const res = await t.api<{ progress: { normalized?: { status: string; toDate: number } }[] }>(
      'GET',
      '/api/v1/targets/progress?scope=institution:lab&year=2021&normalize=normal',
    );
    const n = res.body.progress[0]?.normalized;
    expect(n?.status).toBe('normalized');
    const shown = await page.getAttribute('[data-normalized-target="gas|2021|m3"]', 'data-value');
    expect(Number(shown)).toBeCloseTo(n?.toDate ?? Number.NaN, 6);
  }, 120_000);
});
