/**
 * The administration in a real browser, signed in as the first admin with its password (issue 17,
 * item 2): a user created in the page signs in; an API token issued in the page works until it is
 * revoked there; detect-daily run over a date range shows its last run. What the page shows is
 * compared with what the API answers.
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

interface UserView {
  id: string;
  username: string;
  role: string;
  scopes: string[];
  disabledAt: string | null;
}

describe.skipIf(!chromiumAvailable())('the administration in chromium', () => {
  let t: TestPlatform;
  let browser: Browser;
  let page: Page;
  let base: string;
  const day = (offsetDays: number) =>
    formatLocalIso(Date.now() + offsetDays * 86_400_000, t.platform.config.TIMEZONE).slice(0, 10);
  const fillCreate = async (username: string, password: string) => {
    await page.fill('form[data-form=user-create] input[name=username]', username);
    await page.fill('form[data-form=user-create] input[name=displayName]', '玄武区查看员');
    await page.fill('form[data-form=user-create] input[name=password]', password);
    await page.selectOption('form[data-form=user-create] select[name=role]', 'viewer');
    await page.selectOption('form[data-form=user-create] select[name=scopes]', ['district:xuanwu']);
    await page.click('form[data-form=user-create] button[type=submit]');
  };

  beforeAll(async () => {
    await ensureWebBuild();
    t = await startTestPlatform({ ADMIN_PASSWORD: TEST_ADMIN_PASSWORD });
    base = t.platform.apiUrl;
    const put = await t.api('PUT', '/api/v1/registry', smallCity());
    if (put.status !== 200) throw new Error(`registry: ${JSON.stringify(put.body)}`);
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await signInWithPassword(page, base, 'admin', TEST_ADMIN_PASSWORD);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('creates a user (the API’s refusal shown next to the field first), who then signs in', async () => {
    await page.click('a[data-nav="admin"]');
    await ready(page);
    expect(page.url()).toMatch(/\/admin$/);
    expect(await page.locator('[data-tab]').count()).toBe(5); // users, tokens, jobs, registry, notifications
    const before = await t.api<{ users: UserView[] }>('GET', '/api/v1/users');
    expect(Number(await page.getAttribute('[data-users]', 'data-users'))).toBe(before.body.users.length);

    // The API's 400 names the field: its message appears next to that field, and nothing is created.
    const refused = await t.api<{ details: { path: string; message: string }[] }>('POST', '/api/v1/users', {
      username: 'xuanwu.viewer',
      displayName: 'x',
      password: 'short',
      role: 'viewer',
      scopes: ['district:xuanwu'],
    });
    expect(refused.status).toBe(400);
    const detail = refused.body.details.find((d) => d.path.endsWith('password'));
    await fillCreate('xuanwu.viewer', 'short');
    const error = page.locator('form[data-form=user-create] [data-error-for=password]');
    await expect.poll(() => error.textContent()).toBe(detail?.message);
    await shot(page, 'admin-user-field-error');

    await fillCreate('xuanwu.viewer', 'viewer-password-123');
    await page.locator('[data-form-status=user-create] [data-done]').waitFor();
    const after = await t.api<{ users: UserView[] }>('GET', '/api/v1/users');
    const created = after.body.users.find((u) => u.username === 'xuanwu.viewer');
    expect(created).toMatchObject({ role: 'viewer', scopes: ['district:xuanwu'], disabledAt: null });
    expect(await page.locator('tr[data-user="xuanwu.viewer"]').count()).toBe(1);
    expect(await page.getAttribute('tr[data-user="xuanwu.viewer"]', 'data-user-id')).toBe(created?.id);
    await shot(page, 'admin-users');

    await page.click('header [data-action=signout]');
    await page.waitForURL(/\/signin$/);
    await signInWithPassword(page, base, 'xuanwu.viewer', 'viewer-password-123');
    expect(await page.textContent('[data-who]')).toContain('只读用户');
    expect(await page.locator('a[data-nav="admin"]').count()).toBe(0);
    await page.click('header [data-action=signout]');
    await page.waitForURL(/\/signin$/);
    await signInWithPassword(page, base, 'admin', TEST_ADMIN_PASSWORD);
  });

  it('disables and deletes a user', async () => {
    await page.goto(`${base}/admin/users`);
    await ready(page);
    await page.click('tr[data-user="xuanwu.viewer"] [data-action=edit]');
    await page.check('form[data-form=user-edit] input[name=disabled]');
    await page.click('form[data-form=user-edit] button[type=submit]');
    await page.locator('[data-form-status=user-edit] [data-done]').waitFor();
    const users = await t.api<{ users: UserView[] }>('GET', '/api/v1/users');
    const user = users.body.users.find((u) => u.username === 'xuanwu.viewer');
    expect(user?.disabledAt).not.toBeNull();
    expect(await page.getAttribute('tr[data-user="xuanwu.viewer"]', 'data-disabled')).toBe('true');
    await page.click('tr[data-user="xuanwu.viewer"] [data-action=delete]');
    await page.click('tr[data-user="xuanwu.viewer"] [data-confirm=delete]');
    await page.locator('[data-users-status] [data-done]').waitFor();
    expect(await page.locator('tr[data-user="xuanwu.viewer"]').count()).toBe(0);
    expect((await t.api('GET', `/api/v1/users/${user?.id}`)).status).toBe(404);
  });

  it('issues a token shown once, which works until it is revoked in the page', async () => {
    await page.click('a[data-tab="tokens"]');
    await ready(page);
    await page.fill('form[data-form=token-issue] input[name=name]', 'i-001 meter reader');
    await page.selectOption('form[data-form=token-issue] select[name=role]', 'officer');
    await page.selectOption('form[data-form=token-issue] select[name=scopes]', ['institution:i-001']);
    await page.click('form[data-form=token-issue] button[type=submit]');
    const shown = page.locator('[data-token-shown] input[data-secret]');
    await shown.waitFor();
    const id = (await shown.getAttribute('data-secret')) ?? '';
    const token = await shown.inputValue();
    expect(token).toMatch(/^jn_/);
    const listed = await t.api<{ tokens: { id: string; name: string; role: string; scopes: string[] }[] }>(
      'GET',
      '/api/v1/tokens',
    );
    expect(listed.body.tokens.find((x) => x.id === id)).toMatchObject({
      name: 'i-001 meter reader',
      role: 'officer',
      scopes: ['institution:i-001'],
    });
    expect(JSON.stringify(listed.body)).not.toContain(token);
    expect(await page.getAttribute(`tr[data-token="${id}"]`, 'data-revoked')).toBe('false');
    // The token is the officer's: it reads its institution, not another's.
    expect(
      (
        await t.api(
          'GET',
          `/api/v1/targets/progress?scope=institution:i-001&year=${day(0).slice(0, 4)}`,
          undefined,
          token,
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await t.api(
          'GET',
          `/api/v1/targets/progress?scope=institution:i-003&year=${day(0).slice(0, 4)}`,
          undefined,
          token,
        )
      ).status,
    ).toBe(403);
    await shot(page, 'admin-tokens');

    await page.click(`tr[data-token="${id}"] [data-action=revoke]`);
    await page.click(`tr[data-token="${id}"] [data-confirm=revoke]`);
    await page.locator(`[data-tokens-status] [data-done="${id}"]`).waitFor();
    expect(await page.getAttribute(`tr[data-token="${id}"]`, 'data-revoked')).toBe('true');
    expect((await t.api('GET', '/api/v1/registry', undefined, token)).status).toBe(401);
  });

  it('runs detect-daily over a date range and shows its last run as the API has it', async () => {
    await page.click('a[data-tab="jobs"]');
    await ready(page);
    const jobs = await t.api<{ jobs: { name: string; schedule: string; description: string }[] }>(
      'GET',
      '/api/v1/jobs',
    );
    expect(Number(await page.getAttribute('[data-jobs]', 'data-jobs'))).toBe(jobs.body.jobs.length);
    // Every job is described in Chinese on the Chinese page (the API's description is English).
    for (const job of jobs.body.jobs) {
      const text = await page.locator(`[data-job="${job.name}"] [data-description]`).textContent();
      expect(text, job.name).not.toBe(job.description);
      expect(text, job.name).toMatch(/[\u4e00-\u9fff]/);
    }
    const block = page.locator('[data-job="detect-daily"]');
    expect(await block.locator('[data-schedule]').textContent()).toBe(
      jobs.body.jobs.find((j) => j.name === 'detect-daily')?.schedule,
    );

    // `to` before `from`: the API's message appears next to `to`.
    await block.locator('input[name=from]').fill(day(-1));
    await block.locator('input[name=to]').fill(day(-3));
    await block.locator('[data-action=run]').click();
    await expect.poll(() => block.locator('[data-error-for=to]').textContent()).toContain('must be after from');

    const from = day(-3);
    const to = day(0);
    await block.locator('input[name=from]').fill(from);
    await block.locator('input[name=to]').fill(to);
    await block.locator('[data-action=run]').click();
    await block.locator('[data-done="detect-daily"]').waitFor({ timeout: 60_000 });
    const after = await t.api<{
      jobs: { name: string; lastRun: { startedAt: string; outcome: string; detail: unknown } }[];
    }>('GET', '/api/v1/jobs');
    const run = after.body.jobs.find((j) => j.name === 'detect-daily')?.lastRun;
    expect(run).toMatchObject({ outcome: 'ok', detail: { from, to } });
    expect(await block.locator('[data-last-run]').getAttribute('data-last-run')).toBe(run?.startedAt);
    expect(await block.locator('[data-last-run]').getAttribute('data-outcome')).toBe('ok');
    expect(await block.locator('pre.job-detail').textContent()).toBe(JSON.stringify(run?.detail, null, 2));
    await shot(page, 'admin-jobs');
    await page.click('header [data-action=lang]');
    await ready(page);
    expect(await page.textContent('a[data-tab="jobs"]')).toBe('Scheduled jobs');
    expect(await page.textContent('[data-job="detect-daily"] [data-action=run]')).toBe('Run now');
    expect(await page.textContent('[data-job="detect-daily"] [data-description]')).toBe(
      jobs.body.jobs.find((j) => j.name === 'detect-daily')?.description,
    );
    await shot(page, 'admin-jobs-en');
    await page.click('header [data-action=lang]');
    await ready(page);
  });
});
