/**
 * The savings-project pages (issue 18, item 3) in a real browser: the list shows the project, the
 * project page's chart holds the API's monthly adjusted baseline and actual use, its tiles the
 * reporting period's figures, its adjustments; the labels switch to English. A project is registered
 * and adjusted in the page (its refusal shown next to the field first), and the API has it.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SavingsAnswer } from '../../core/domain/savings-projects.js';
import { startTestPlatform, TEST_ADMIN_TOKEN, type TestPlatform } from '../helpers/platform.js';
import { b104Hours, b104Project, seedB104, TZ } from '../savings/fixture.js';
import { type Browser, chromiumAvailable, ensureWebBuild, launchBrowser, signIn } from './browser.js';
import { chartSeries, expectClose, ready, shot } from './page.js';

describe.skipIf(!chromiumAvailable())('the savings pages in chromium', () => {
  let t: TestPlatform;
  let browser: Browser;
  let page: Page;
  let answer: SavingsAnswer;

  beforeAll(async () => {
    await ensureWebBuild();
    t = await startTestPlatform({ TIMEZONE: TZ });
    await seedB104(t, await b104Hours());
    expect((await t.api('POST', '/api/v1/savings-projects', b104Project('b104-retrofit', 'daily'))).status).toBe(201);
    const wing = { kind: 'constant', value: 40, from: '2018-09-01', reason: '新建配楼' };
    expect((await t.api('POST', '/api/v1/savings-projects/b104-retrofit/adjustments', wing)).status).toBe(201);
    answer = (await t.api<SavingsAnswer>('GET', '/api/v1/savings-projects/b104-retrofit')).body;
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await signIn(page, t.platform.apiUrl, TEST_ADMIN_TOKEN);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('lists the project and shows baseline against actual by month, as the API answers', async () => {
    await page.goto(`${t.platform.apiUrl}/savings`);
    await ready(page);
    await page.click('[data-project="b104-retrofit"] a');
    await page.waitForURL(/\/savings\/b104-retrofit$/);
    await ready(page);
    const series = await chartSeries(page, 'savings');
    expect(series.map((s) => s.key)).toEqual(['baseline', 'actual']);
    expectClose(
      series[0]?.data ?? [],
      answer.months.map((m) => m.baseline ?? Number.NaN),
    );
    expectClose(
      series[1]?.data ?? [],
      answer.months.map((m) => m.actual ?? Number.NaN),
    );
    expect(Number(await page.getAttribute('[data-kpi="savings"]', 'data-value'))).toBeCloseTo(
      answer.reporting.savings ?? Number.NaN,
      6,
    );
    expect(await page.locator('[data-adjustment="1"]').textContent()).toContain('新建配楼');
    expect(await page.locator('main').textContent()).toContain('调整后基准能耗');
    await shot(page, 'savings-project');
    await page.click('[data-action=lang]');
    await ready(page);
    expect(await page.locator('main').textContent()).toContain('Adjusted baseline');
  });

  it('registers a project in the page (the API refusal next to its field first) and adds an adjustment', async () => {
    await page.click('[data-action=lang]');
    await ready(page);
    await page.goto(`${t.platform.apiUrl}/savings`);
    await ready(page);
    const form = page.locator('form[data-form=savings-project]');
    await form.locator('input[name=id]').fill('b104-page');
    await form.locator('input[name=name]').fill('页面登记的改造');
    await form.locator('select[name=scope]').selectOption('building:b104');
    // b104 names no station of its own (nor does its institution): the station is chosen.
    await form.locator('select[name=weatherStationId]').selectOption(b104Project('x', 'daily').weatherStationId);
    await form.locator('input[name=baselineFrom]').fill('2017-01-01');
    // The baseline ends before it starts: the API names baselineTo, shown next to it.
    await form.locator('input[name=baselineTo]').fill('2016-06-01');
    await form.locator('input[name=reportingFrom]').fill('2018-01-01');
    await form.locator('input[name=reportingTo]').fill('2019-01-01');
    await form.locator('button[type=submit]').click();
    await expect.poll(() => form.locator('[data-error-for=baselineTo]').textContent()).not.toBe('');
    await form.locator('input[name=baselineTo]').fill('2018-01-01');
    await form.locator('button[type=submit]').click();
    await page.waitForURL(/\/savings\/b104-page$/);
    await ready(page);
    const stored = await t.api<SavingsAnswer>('GET', '/api/v1/savings-projects/b104-page');
    expect(stored.status).toBe(200);
    expect(stored.body.project).toMatchObject({
      name: '页面登记的改造',
      scope: 'building:b104',
      weatherStationId: b104Project('x', 'daily').weatherStationId,
      baselineTo: '2018-01-01',
      model: 'daily',
    });

    await page.click('details:has(form[data-form=savings-adjustment]) > summary');
    const adjust = page.locator('form[data-form=savings-adjustment]');
    await adjust.locator('select[name=kind]').selectOption('percent');
    await adjust.locator('input[name=value]').fill('5');
    await adjust.locator('input[name=from]').fill('2018-03-01');
    await adjust.locator('input[name=reason]').fill('延长开放时间');
    await adjust.locator('button[type=submit]').click();
    await page.locator('[data-adjustment="1"]').waitFor();
    const after = (await t.api<SavingsAnswer>('GET', '/api/v1/savings-projects/b104-page')).body;
    expect(after.adjustments).toMatchObject([
      { n: 1, kind: 'percent', value: 5, from: '2018-03-01', reason: '延长开放时间' },
    ]);
    expect(await page.locator('[data-adjustment="1"]').textContent()).toContain('延长开放时间');
    await shot(page, 'savings-registered');

    // Edited in the page: renamed, its reporting end moved (PATCH).
    await page.click('details:has(form[data-form=savings-edit]) > summary');
    const edit = page.locator('form[data-form=savings-edit]');
    await edit.locator('input[name=name]').fill('页面改名的改造');
    await edit.locator('input[name=reportingTo]').fill('2018-10-01');
    await edit.locator('button[type=submit]').click();
    await expect
      .poll(async () => (await t.api<SavingsAnswer>('GET', '/api/v1/savings-projects/b104-page')).body.project)
      .toMatchObject({ name: '页面改名的改造', reportingTo: '2018-10-01' });
  });
});
