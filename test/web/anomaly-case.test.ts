/**
 * Anomaly assignment in a real browser (issue 17, item 3): an assignment with a due date and a
 * comment made in the page are what `GET /api/v1/anomalies/{id}` answers, with who and when; a
 * past due date shows the overdue badge; the assignee and overdue filters list what the API lists.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLocalIso } from '../../core/domain/time.js';
import type { TestPlatform } from '../helpers/platform.js';
import { type Browser, chromiumAvailable, closeSeededSession, openSeededSession, type SeededCity } from './browser.js';
import { ready, shot } from './page.js';

interface AnomalyView {
  id: string;
  assignee: string | null;
  dueDate: string | null;
  assigned: { by: string; at: string } | null;
  overdue: boolean;
  comments: { by: string; at: string; text: string }[];
}

describe.skipIf(!chromiumAvailable())('anomaly assignment in chromium', () => {
  let t: TestPlatform;
  let browser: Browser;
  let page: Page;
  let city: SeededCity;
  let tz: string;
  const get = async <T>(path: string): Promise<T> => {
    const res = await t.api<T>('GET', path);
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const yearRange = () => `from=${city.year}-01-01&to=${Number(city.year) + 1}-01-01`;

  beforeAll(async () => {
    ({ t, tz, city, browser, page } = await openSeededSession());
  }, 180_000);
  afterAll(() => closeSeededSession({ browser, t }));

  it('assigns with a due date and comments; the API shows both with who and when', async () => {
    await page.goto(`${t.platform.apiUrl}/anomalies?${yearRange()}&scope=institution:${city.overTarget}`);
    await ready(page);
    const item = page.locator('li[data-anomaly]').first();
    const id = (await item.getAttribute('data-anomaly')) ?? '';
    expect(id).not.toBe('');
    expect(await item.locator('.badge-overdue').count()).toBe(0);

    const yesterday = formatLocalIso(Date.now() - 86_400_000, tz).slice(0, 10);
    // The case is folded while there are no comments; the assignee field suggests the users.
    expect(await item.locator('details[data-case]').getAttribute('open')).toBeNull();
    await item.locator('details[data-case] > summary').click();
    expect(await page.locator('datalist#anomaly-assignees option[value=admin]').count()).toBe(1);
    await item.locator('form[data-assign] input[name=assignee]').fill('王工');
    await item.locator('form[data-assign] input[name=dueDate]').fill(yesterday);
    await item.locator('form[data-assign] button[data-action=assign]').click();
    const reloaded = page.locator(`li[data-anomaly="${id}"]`);
    await reloaded.locator('.badge-overdue').waitFor();
    const assigned = await get<AnomalyView>(`/api/v1/anomalies/${id}`);
    expect(assigned).toMatchObject({ assignee: '王工', dueDate: yesterday, overdue: true });
    expect(assigned.assigned?.by).toBeTruthy();
    expect(await reloaded.getAttribute('data-overdue')).toBe('');
    expect(await reloaded.locator('[data-assignee]').getAttribute('data-assignee')).toBe('王工');
    expect(await reloaded.locator('[data-assignee]').textContent()).toContain(assigned.assigned?.by ?? '?');

    await reloaded.locator('details[data-case] > summary').click();
    await reloaded.locator('form[data-comment] input[name=commentText]').fill('已派人现场核查');
    await reloaded.locator('form[data-comment] button[data-action=comment]').click();
    await page.locator(`li[data-anomaly="${id}"] ol.comments li`).waitFor();
    const commented = await get<AnomalyView>(`/api/v1/anomalies/${id}`);
    expect(commented.comments).toHaveLength(1);
    const comment = commented.comments[0];
    expect(comment?.text).toBe('已派人现场核查');
    // With a comment the case opens by itself.
    expect(await page.locator(`li[data-anomaly="${id}"] details[data-case]`).getAttribute('open')).toBe('');
    const shown = page.locator(`li[data-anomaly="${id}"] ol.comments li`);
    expect(await shown.getAttribute('data-by')).toBe(comment?.by);
    expect(await shown.getAttribute('data-at')).toBe(comment?.at);
    expect(await shown.textContent()).toContain(comment?.by ?? '?');
    await shot(page, 'anomaly-case');
  });

  it('filters by assignee and overdue list what the API lists', async () => {
    await page.goto(`${t.platform.apiUrl}/anomalies?${yearRange()}`);
    await ready(page);
    await page.fill('form[data-filters] input[name=assignee]', '王工');
    await page.check('form[data-filters] input[name=overdue]');
    await page.click('form[data-filters] button[type=submit]');
    await page.waitForURL((u) => u.searchParams.get('overdue') === 'true' && u.searchParams.get('assignee') === '王工');
    await ready(page);
    const api = await get<{ anomalies: AnomalyView[] }>(
      `/api/v1/anomalies?${yearRange()}&assignee=${encodeURIComponent('王工')}&overdue=true`,
    );
    expect(api.anomalies).toHaveLength(1);
    const ids = await page.locator('li[data-anomaly]').evaluateAll((els) => els.map((e) => e.dataset.anomaly));
    expect(ids).toEqual(api.anomalies.map((a) => a.id));

    await page.fill('form[data-filters] input[name=assignee]', '李工');
    await page.click('form[data-filters] button[type=submit]');
    await page.waitForURL((u) => u.searchParams.get('assignee') === '李工');
    await ready(page);
    await page.locator('[data-empty]').waitFor();
  });
});
