/**
 * The Notifications tab of the administration (issue 17, item 4) in a real browser: a route saved
 * in the page is what `GET /api/v1/notification-routes` answers, the channels' URLs and secrets are
 * never in the page and are kept when left empty, the API's 400 appears next to the field it names,
 * and the delivery log lists what `/notification-deliveries` answers. The webhook channel points at
 * a real HTTP server of the test, which the detection run of the seeded city notifies.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLocalIso } from '../../core/domain/time.js';
import { startTestPlatform, TEST_ADMIN_TOKEN, type TestPlatform } from '../helpers/platform.js';
import {
  type Browser,
  chromiumAvailable,
  ensureWebBuild,
  launchBrowser,
  type SeededCity,
  seedCity,
  signIn,
} from './browser.js';
import { ready, shot } from './page.js';

interface RoutesView {
  channels: { id: string; kind: string; urlOrigin?: string; hasSecret: boolean; to?: string[] }[];
  routes: { channelId: string; districtIds?: string[]; types?: string[]; minSeverity?: string }[];
}

const DING_URL = 'https://oapi.dingtalk.com/robot/send?access_token=do-not-show-this-token';
const DING_SECRET = 'SECdo-not-show-this-secret';
const HOOK_SECRET = 'hook-secret-never-shown';

describe.skipIf(!chromiumAvailable())('the Notifications tab in chromium', () => {
  let t: TestPlatform;
  let browser: Browser;
  let page: Page;
  let city: SeededCity;
  let hook: Server;
  const received: string[] = [];
  const get = async <T>(path: string): Promise<T> => {
    const res = await t.api<T>('GET', path);
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const openTab = async () => {
    await page.goto(`${t.platform.apiUrl}/admin/notifications`);
    await ready(page);
    await page.locator('form[data-form=notifications]').waitFor();
  };

  beforeAll(async () => {
    await ensureWebBuild();
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        received.push(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/jieneng`;
    t = await startTestPlatform();
    const put = await t.api('PUT', '/api/v1/notification-routes', {
      channels: [
        { id: 'ops', kind: 'webhook', url: hookUrl, secret: HOOK_SECRET },
        { id: 'duty-ding', kind: 'dingtalk', url: DING_URL, secret: DING_SECRET },
      ],
      routes: [{ channelId: 'ops' }],
    });
    if (put.status !== 200) throw new Error(`notification-routes: ${JSON.stringify(put.body)}`);
    city = await seedCity(t); // its detection run notifies the webhook
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await signIn(page, t.platform.apiUrl, TEST_ADMIN_TOKEN);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await new Promise((resolve) => hook?.close(resolve));
  });

  it('an admin saves a route in the page and the API shows it; secrets stay hidden and kept', async () => {
    await openTab();
    expect(await page.locator('fieldset[data-channel]').count()).toBe(2);
    const html = await page.content();
    for (const secret of [DING_SECRET, HOOK_SECRET, 'do-not-show-this-token']) expect(html).not.toContain(secret);
    expect(await page.textContent('fieldset[data-channel="duty-ding"]')).toContain('https://oapi.dingtalk.com');

    const district = city.fleet.registry.districts[0]?.id ?? '';
    await page.click('button[data-action=add-route]');
    await page.fill('input[name="routes.1.channelId"]', 'duty-ding');
    await page.fill('input[name="routes.1.districtIds"]', district);
    await page.fill('input[name="routes.1.types"]', 'over_target');
    await page.selectOption('select[name="routes.1.minSeverity"]', 'high');
    await page.click('form[data-form=notifications] button[type=submit]');
    await page.locator('[data-done=notifications]').waitFor();

    const after = await get<RoutesView>('/api/v1/notification-routes');
    expect(after.routes).toEqual([
      { channelId: 'ops' },
      { channelId: 'duty-ding', districtIds: [district], types: ['over_target'], minSeverity: 'high' },
    ]);
    // Left empty in the page, the URL and the secret are kept.
    expect(after.channels.find((c) => c.id === 'duty-ding')).toMatchObject({
      urlOrigin: 'https://oapi.dingtalk.com',
      hasSecret: true,
    });
    expect(after.channels.find((c) => c.id === 'ops')?.hasSecret).toBe(true);
    await shot(page, 'admin-notifications');
  });

  it('adds an e-mail channel: the API’s 400 is shown next to the field, then it is saved; a route is removed', async () => {
    await openTab();
    await page.click('button[data-action=add-channel]');
    await page.fill('input[name="channels.2.id"]', 'energy-office');
    await page.selectOption('select[name="channels.2.kind"]', 'email');
    await page.fill('input[name="channels.2.to"]', 'not-an-address');
    await page.click('form[data-form=notifications] button[type=submit]');
    // `channels.2.to.0` names an item of the field `channels.2.to`: the message is shown next to it.
    await expect.poll(() => page.textContent('[data-error-for="channels.2.to"]')).not.toBe('');
    expect(await page.getAttribute('input[name="channels.2.to"]', 'aria-invalid')).toBe('true');
    expect((await get<RoutesView>('/api/v1/notification-routes')).channels).toHaveLength(2);

    await page.fill('input[name="channels.2.to"]', 'energy@example.gov.cn');
    await page.locator('fieldset[data-route="1"] button[data-action=remove-route]').click();
    await page.click('form[data-form=notifications] button[type=submit]');
    await page.locator('[data-done=notifications]').waitFor();
    const after = await get<RoutesView>('/api/v1/notification-routes');
    expect(after.channels.find((c) => c.id === 'energy-office')).toMatchObject({
      kind: 'email',
      to: ['energy@example.gov.cn'],
    });
    expect(after.routes).toEqual([{ channelId: 'ops' }]);
  });

  it('the delivery log lists what /notification-deliveries answers, with its filters', async () => {
    const tz = t.platform.config.TIMEZONE;
    const day = (offset: number) => formatLocalIso(Date.now() + offset * 86_400_000, tz).slice(0, 10);
    const range = `from=${day(-6)}&to=${day(1)}`;
    await expect
      .poll(async () => (await get<{ deliveries: unknown[] }>(`/api/v1/notification-deliveries?${range}`)).deliveries)
      .not.toHaveLength(0);
    expect(received.length).toBeGreaterThan(0);
    const api = await get<{ deliveries: { id: string; channelId: string; status: string }[] }>(
      `/api/v1/notification-deliveries?${range}`,
    );
    await openTab();
    const ids = () => page.locator('tr[data-delivery]').evaluateAll((els) => els.map((e) => e.dataset.delivery));
    expect(await ids()).toEqual(api.deliveries.map((d) => d.id));
    expect(api.deliveries[0]).toMatchObject({ channelId: 'ops', status: 'delivered' });

    await page.selectOption('form[data-filters=deliveries] select[name=status]', 'failed');
    await page.click('form[data-filters=deliveries] button[type=submit]');
    await page.locator('[data-deliveries="0"]').waitFor();
    await page.selectOption('form[data-filters=deliveries] select[name=status]', 'delivered');
    await page.selectOption('form[data-filters=deliveries] select[name=channelId]', 'ops');
    await page.click('form[data-filters=deliveries] button[type=submit]');
    await page.locator(`[data-deliveries="${api.deliveries.length}"]`).waitFor();
  });
});
