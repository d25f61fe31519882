/**
 * The work pages in a real browser, signed in with a password (issue 17, item 2): a quota and a
 * five-year reduction set in the page and their progress as the API has it; a meter's multiplier
 * event recorded (and a contradictory one refused next to its field); a manual meter's readings
 * entered, a future one refused next to its cell.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLocalIso } from '../../core/domain/time.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { smallCity } from '../helpers/registry.js';
import {
  type Browser,
  chromiumAvailable,
  ensureWebBuild,
  launchBrowser,
  signInWithPassword,
  TEST_ADMIN_PASSWORD,
} from './browser.js';
import { ready, shot } from './page.js';

const H = 3_600_000;

describe.skipIf(!chromiumAvailable())('the work pages in chromium', () => {
  let t: TestPlatform;
  let browser: Browser;
  let page: Page;
  let base: string;
  /** A local date-time of the platform, `YYYY-MM-DDTHH:mm`, as a datetime-local input takes it. */
  const local = (ms: number) => formatLocalIso(ms, t.platform.config.TIMEZONE).slice(0, 16);
  const hourMs = Math.floor(Date.now() / H) * H;

  beforeAll(async () => {
    await ensureWebBuild();
    t = await startTestPlatform({ ADMIN_PASSWORD: TEST_ADMIN_PASSWORD });
    base = t.platform.apiUrl;
    const city = smallCity();
    const diesel = { id: 'm-diesel', buildingId: 'b-001', energy: 'diesel', unit: 'L', reading: 'manual' };
    const put = await t.api('PUT', '/api/v1/registry', { ...city, meters: [...city.meters, diesel] });
    if (put.status !== 200) throw new Error(`registry: ${JSON.stringify(put.body)}`);
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await signInWithPassword(page, base, 'admin', TEST_ADMIN_PASSWORD);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('sets a quota and a five-year reduction, shown with their progress as the API answers', async () => {
    const year = local(Date.now()).slice(0, 4);
    const month = local(Date.now()).slice(0, 7);
    const scope = 'institution:i-001';
    await page.goto(`${base}/targets?scope=${scope}&year=${year}`);
    await ready(page);
    const quota = page.locator('form[data-form=quota]');
    await quota.locator('input[name=period]').fill(month);
    await quota.locator('input[name=value]').fill('1200');
    // kWh does not fit "all energies": the API names the unit, shown next to it.
    await quota.locator('input[name=unit]').fill('kWh');
    await quota.locator('button[type=submit]').click();
    await expect.poll(() => quota.locator('[data-error-for=unit]').textContent()).not.toBe('');
    await quota.locator('input[name=unit]').fill('kgce');
    await quota.locator('button[type=submit]').click();
    await page.locator('[data-form-status=quota] [data-done]').waitFor();
    await page.locator(`[data-stored-target="quota|all|${month}|kgce"]`).waitFor();

    const reduction = page.locator('form[data-form=reduction]');
    await reduction.locator('input[name=reductionPct]').fill('5');
    await reduction.locator('button[type=submit]').click();
    await page.locator('[data-form-status=reduction] [data-done]').waitFor();

    const api = await t.api<{
      progress: { energy: string; period: string; value: number; status: string }[];
      reductions: { energy: string; unit: string; period: string; reductionPct: number; status: string }[];
    }>('GET', `/api/v1/targets/progress?scope=${scope}&year=${year}`);
    expect(api.body.progress).toMatchObject([{ energy: 'all', period: month, value: 1200 }]);
    expect(api.body.reductions).toMatchObject([{ energy: 'all', unit: 'kgce/m2', period: year, reductionPct: 5 }]);
    const row = page.locator(`[data-target="all|${month}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe(api.body.progress[0]?.status);
    const reductionRow = page.locator(`[data-reduction="all|kgce/m2|${year}"]`);
    expect(await reductionRow.getAttribute('data-status')).toBe(api.body.reductions[0]?.status);
    await shot(page, 'targets');
  });

  it('records a multiplier event, and shows the API’s refusal of the same one next to its instant', async () => {
    await page.goto(`${base}/meters?meter=m-hvac`);
    await ready(page);
    const form = page.locator('form[data-form=meter-event]');
    const record = async () => {
      await form.locator('select[name=type]').selectOption('multiplier');
      await form.locator('input[name=ts]').fill(local(hourMs - 2 * H));
      await form.locator('input[name=multiplier]').fill('2');
      await form.locator('button[type=submit]').click();
    };
    await record();
    await page.locator('[data-form-status=meter-event] [data-done]').waitFor();
    const events = await t.api<{ events: { type: string; ts: string; multiplier: number }[] }>(
      'GET',
      '/api/v1/meters/m-hvac/events',
    );
    expect(events.body.events).toMatchObject([{ type: 'multiplier', multiplier: 2 }]);
    expect(Date.parse(events.body.events[0]?.ts ?? '')).toBe(hourMs - 2 * H);
    await page.locator('[data-events="1"] tr[data-event="multiplier"]').waitFor();
    await record();
    await expect.poll(() => form.locator('[data-error-for=ts]').textContent()).toContain('already exists');
    await shot(page, 'meter-events');
  });

  it('enters a manual meter’s readings: a future one refused next to its cell, then stored', async () => {
    await page.goto(`${base}/meters?meter=m-diesel`);
    await ready(page);
    const form = page.locator('form[data-form=manual]');
    await form.locator('[data-action=add-row]').click();
    await form.locator('input[name="readings.0.ts"]').fill(local(hourMs - 3 * H));
    await form.locator('input[name="readings.0.value"]').fill('100');
    await form.locator('input[name="readings.1.ts"]').fill(local(hourMs + 48 * H));
    await form.locator('input[name="readings.1.value"]').fill('150');
    await form.locator('button[type=submit]').click();
    await expect.poll(() => form.locator('[data-error-for="readings.1.ts"]').textContent()).not.toBe('');
    expect(await form.locator('[data-error-for="readings.0.ts"]').textContent()).toBe('');

    await form.locator('input[name="readings.1.ts"]').fill(local(hourMs - H));
    await form.locator('button[type=submit]').click();
    await form.locator('[data-done="2"]').waitFor();
    const day = local(hourMs - 3 * H).slice(0, 10);
    const readings = await t.api<{ readings: { ts: string; value: number }[] }>(
      'GET',
      `/api/v1/meters/m-diesel/readings?from=${day}T00:00&to=${local(hourMs + H).slice(0, 13)}:00`,
    );
    expect(readings.body.readings.map((r) => [Date.parse(r.ts), r.value])).toEqual([
      [hourMs - 3 * H, 100],
      [hourMs - H, 150],
    ]);
    await shot(page, 'manual-entry');
  });
});
