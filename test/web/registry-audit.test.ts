/**
 * The registry and the data audit in a real browser, as the first admin (issue 17, item 2): a
 * dry-run import of a workbook with an error lists it by sheet, row and column as the API does; a
 * meter edit refused by the API shows next to its field; a gateway's secret rotated in the page
 * logs the gateway in; an audit flag raised by data-audit (run from the jobs tab) blocks the
 * sign-off (409 with the flag listed) until it is explained in the page.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLocalIso } from '../../core/domain/time.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { smallCity } from '../helpers/registry.js';
import { getWorkbook, openWorkbook, postImport } from '../registry-sheet/helpers.js';
import {
  type Browser,
  chromiumAvailable,
  ensureWebBuild,
  launchBrowser,
  signInWithPassword,
  TEST_ADMIN_PASSWORD,
} from './browser.js';
import { ready, shot } from './page.js';

interface Flag {
  id: string;
  status: string;
  rule: string;
  resolution: { status: string; by: string; comment: string } | null;
}

describe.skipIf(!chromiumAvailable())('the registry and the data audit in chromium', () => {
  let t: TestPlatform;
  let browser: Browser;
  let page: Page;
  let base: string;
  let lastYear: string;

  beforeAll(async () => {
    await ensureWebBuild();
    t = await startTestPlatform({ ADMIN_PASSWORD: TEST_ADMIN_PASSWORD });
    base = t.platform.apiUrl;
    lastYear = String(Number(formatLocalIso(Date.now(), t.platform.config.TIMEZONE).slice(0, 4)) - 1);
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

  it('dry-runs an import with an error and lists it by sheet, row and column as the API does', async () => {
    // The registry's own export, with one floor area made negative.
    const wb = await openWorkbook((await getWorkbook(t, '/api/v1/registry/export.xlsx')).body);
    const sheet = wb.getWorksheet('buildings');
    if (sheet === undefined) throw new Error('the export has no buildings sheet');
    let keyRow = 0;
    let column = 0;
    sheet.eachRow((row, r) =>
      row.eachCell((cell, c) => {
        if (keyRow === 0 && cell.value === 'floorAreaM2') [keyRow, column] = [r, c];
      }),
    );
    expect(keyRow).toBeGreaterThan(0);
    sheet.getCell(keyRow + 2, column).value = -5;
    const bytes = Buffer.from(await wb.xlsx.writeBuffer());
    const file = join(t.dataDir, 'registry-bad.xlsx');
    await writeFile(file, bytes);
    const api = await postImport(t, bytes, { query: '?dryRun=true' });
    expect(api.status).toBe(400);
    const problem = api.body.details?.[0];
    expect(problem).toMatchObject({ sheet: 'buildings', row: keyRow + 2, column: 'floorAreaM2' });

    await page.goto(`${base}/admin/registry`);
    await ready(page);
    await page.setInputFiles('form[data-form=registry-import] input[name=workbook]', file);
    await page.click('form[data-form=registry-import] [data-action=dry-run]');
    const listed = page.locator('[data-import-result] [data-problems]');
    await listed.waitFor();
    expect(Number(await listed.getAttribute('data-problems'))).toBe(api.body.details?.length);
    const row = page.locator(`tr[data-problem="${problem?.path}"]`);
    expect(await row.getAttribute('data-row')).toBe(String(problem?.row));
    expect(await row.getAttribute('data-column')).toBe(problem?.column);
    expect(await row.textContent()).toContain(problem?.message);
    await shot(page, 'admin-registry-import');

    // The unchanged export passes the check, and nothing was applied by either.
    await writeFile(file, (await getWorkbook(t, '/api/v1/registry/export.xlsx')).body);
    await page.setInputFiles('form[data-form=registry-import] input[name=workbook]', file);
    await page.click('form[data-form=registry-import] [data-action=dry-run]');
    await page.locator('[data-import-result] [data-import="dry-run"]').waitFor();
    const registry = await t.api<{ buildings: { id: string; floorAreaM2: number }[] }>('GET', '/api/v1/registry');
    expect(registry.body.buildings.every((b) => b.floorAreaM2 > 0)).toBe(true);
  });

  it('shows a building’s meter tree and an edit refused by the API next to its field', async () => {
    // A sub-meter under m-light, and a virtual meter: the rest of m-light beyond it.
    const meters = [
      {
        id: 'm-sub',
        buildingId: 'b-001',
        gatewayId: 'gw-001',
        energy: 'electricity',
        unit: 'kWh',
        parentId: 'm-light',
      },
      {
        id: 'm-rest',
        buildingId: 'b-001',
        energy: 'electricity',
        unit: 'kWh',
        virtual: { plus: ['m-light'], minus: ['m-sub'] },
      },
    ];
    expect((await t.api('PUT', '/api/v1/registry', { meters })).status).toBe(200);
    await page.goto(`${base}/admin/registry?building=b-001`);
    await ready(page);
    const tree = page.locator('[data-tree="electricity"]');
    const nodes = await tree
      .locator('li[data-meter]')
      .evaluateAll((els) => els.map((e) => [e.getAttribute('data-meter'), e.getAttribute('data-depth')]));
    expect(nodes).toEqual([
      ['m-light', '0'],
      ['m-sub', '1'],
      ['m-rest', null],
    ]);
    expect(await tree.locator('li[data-meter="m-sub"]').getAttribute('data-parent')).toBe('m-light');
    expect(await tree.locator('ul.virtual li[data-meter="m-rest"]').textContent()).toContain('= m-light − m-sub');
    await tree.locator('li[data-meter="m-light"] > .tree-line [data-action=edit-meter]').click();
    const form = page.locator('form[data-form=registry-edit]');
    await form.locator('input[name=multiplier]').fill('-1');
    await form.locator('button[type=submit]').click();
    await expect.poll(() => form.locator('[data-error-for=multiplier]').textContent()).not.toBe('');
    await form.locator('input[name=multiplier]').fill('80');
    await form.locator('input[name=name]').fill('1号楼照明');
    await form.locator('button[type=submit]').click();
    await form.locator('[data-done="m-light"]').waitFor();
    const registry = await t.api<{ meters: { id: string; name?: string; multiplier: number }[] }>(
      'GET',
      '/api/v1/registry',
    );
    expect(registry.body.meters.find((m) => m.id === 'm-light')).toMatchObject({ name: '1号楼照明', multiplier: 80 });
    expect(await tree.locator('li[data-meter="m-light"]').textContent()).toContain('1号楼照明');
    await shot(page, 'admin-registry-tree');
  });

  it('rotates a gateway secret, shown once, with which the gateway logs in', async () => {
    await page.selectOption('form[data-form=gateway-secret] select[name=id]', 'gw-002');
    await page.click('form[data-form=gateway-secret] button[type=submit]');
    const shown = page.locator('[data-form-status=gateway-secret] input[data-secret="gw-002"]');
    await shown.waitFor();
    const secret = await shown.inputValue();
    expect(secret.length).toBeGreaterThanOrEqual(16);
    const client = await t.connectGateway('gw-002', secret);
    expect(client.connected).toBe(true);
    await expect(t.connectGateway('gw-002', 'secret-gw-002')).rejects.toThrow();
  });

  it('runs the data audit, refuses the sign-off while a flag is open, resolves it and signs off', async () => {
    const fact = await t.api('POST', '/api/v1/institutions/i-001/facts', {
      from: `${lastYear}-07-01`,
      floorAreaM2: 60_000,
    });
    expect(fact.status).toBe(201);
    await page.goto(`${base}/admin/jobs`);
    await ready(page);
    const job = page.locator('[data-job="data-audit"]');
    await job.locator('input[name=year]').fill(lastYear);
    await job.locator('[data-action=run]').click();
    await job.locator('[data-done="data-audit"]').waitFor({ timeout: 60_000 });

    const scope = 'institution:i-001';
    await page.goto(`${base}/audit?year=${lastYear}&scope=${scope}`);
    await ready(page);
    const flags = await t.api<{ flags: Flag[] }>('GET', `/api/v1/audit-flags?year=${lastYear}&scope=${scope}`);
    // The fact raises facts_changed; the meters' missing readings of last year raise month_incomplete.
    expect(flags.body.flags.filter((f) => f.rule === 'facts_changed')).toHaveLength(1);
    const flag = flags.body.flags.find((f) => f.rule === 'facts_changed') as Flag;
    const others = flags.body.flags.filter((f) => f !== flag);
    expect(Number(await page.getAttribute('[data-flags]', 'data-flags'))).toBe(flags.body.flags.length);
    expect(
      await page.locator('li[data-flag]').evaluateAll((els) => els.map((e) => e.getAttribute('data-flag')).sort()),
    ).toEqual(flags.body.flags.map((f) => f.id).sort());
    const item = page.locator(`li[data-flag="${flag.id}"]`);
    expect(await item.getAttribute('data-status')).toBe('open');

    await page.click('form[data-form=signoff] button[type=submit]');
    const refused = page.locator('[data-form-status=signoff] [data-open-flags]');
    await refused.waitFor();
    const listed = await refused
      .locator('[data-open-flag]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-open-flag')));
    expect(listed.sort()).toEqual(flags.body.flags.map((f) => f.id).sort());
    await shot(page, 'audit-signoff-refused');

    // Explaining needs a comment: the API's refusal shows next to it.
    await item.locator('button[type=submit]').click();
    await expect.poll(() => item.locator('[data-error-for=comment]').textContent()).not.toBe('');
    await item.locator('input[name=comment]').fill('7 月起新楼投入使用');
    await item.locator('button[type=submit]').click();
    await page.locator(`li[data-flag="${flag.id}"][data-status="explained"]`).waitFor();
    const resolved = await t.api<{ flags: Flag[] }>('GET', `/api/v1/audit-flags?year=${lastYear}&scope=${scope}`);
    expect(resolved.body.flags.find((f) => f.id === flag.id)?.resolution).toMatchObject({
      status: 'explained',
      by: 'admin',
      comment: '7 月起新楼投入使用',
    });

    // The others are accepted through the API; then the page signs the year off.
    for (const other of others) {
      const res = await t.api('POST', `/api/v1/audit-flags/${encodeURIComponent(other.id)}/resolve`, {
        status: 'accepted',
      });
      expect(res.status).toBe(200);
    }
    await page.click('form[data-form=signoff] button[type=submit]');
    await page.locator('[data-form-status=signoff] [data-done="i-001"]').waitFor();
    const signoffs = await t.api<{ signoffs: { institutionId: string; by: string; flags: number }[] }>(
      'GET',
      `/api/v1/statistics/annual/${lastYear}/signoffs?scope=${scope}`,
    );
    expect(signoffs.body.signoffs).toMatchObject([
      { institutionId: 'i-001', by: 'admin', flags: flags.body.flags.length },
    ]);
    await page.locator('tr[data-signoff="i-001"]').waitFor();
    await shot(page, 'audit-signed-off');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button[data-format=xlsx]')]);
    expect(download.suggestedFilename()).toBe(`jieneng-statistics-${lastYear}-institution-i-001.xlsx`);
  });
});
