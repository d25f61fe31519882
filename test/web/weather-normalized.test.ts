/**
 * The weather-normalised comparison on the institution page (issue 18, item 4) in a real browser:
 * a synthetic building whose use follows its heating degree days, last year cold and this year
 * mild. Ticking "气候修正" keeps `normalize=weather` in the address; the chart then carries the
 * normalised line (`data-series` key `normalized`) and the tiles `comparison.normalized`'s total
 * and change, as `/consumption?…&normalize=weather` answers them for the same query.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Comparison } from '../../core/domain/comparison.js';
import type { RegistryInput } from '../../core/domain/registry.js';
import { localParts } from '../../core/domain/time.js';
import { hddBuilding } from '../comparison/hdd-building.js';
import { startTestPlatform, TEST_ADMIN_TOKEN, type TestPlatform } from '../helpers/platform.js';
import { type Browser, chromiumAvailable, ensureWebBuild, launchBrowser, signIn } from './browser.js';
import { chartSeries, expectClose, ready, shot } from './page.js';

const TZ = 'Asia/Shanghai';
const REGISTRY: RegistryInput = {
  districts: [{ id: 'd1', name: '鼓楼区' }],
  institutions: [{ id: 'lab', name: '气候楼', districtId: 'd1', type: 'office', floorAreaM2: 1000, occupants: 10 }],
  buildings: [{ id: 'syn', institutionId: 'lab', name: 'syn', floorAreaM2: 1000, weatherStationId: 'synth' }],
  gateways: [{ id: 'gw-1', secret: 'secret-gw-1' }],
  weatherStations: [{ id: 'synth', name: 'Synthetic' }],
  meters: [
    { id: 'syn-gas', buildingId: 'syn', gatewayId: 'gw-1', energy: 'gas', unit: 'm3', multiplier: 1, intervalS: 3600 },
  ],
};

describe.skipIf(!chromiumAvailable())('the weather-normalised comparison in chromium', () => {
  let t: TestPlatform;
  let browser: Browser;
  let page: Page;
  const year = localParts(Date.now(), TZ).year;

  beforeAll(async () => {
    await ensureWebBuild();
    t = await startTestPlatform({ TIMEZONE: TZ });
    expect((await t.api('PUT', '/api/v1/registry', REGISTRY)).status).toBe(200);
    const syn = hddBuilding('syn-gas', TZ, [
      [year - 1, 5],
      [year, 11],
    ]);
    const first = syn.rows[0]?.hourStartMs ?? 0;
    const last = (syn.rows.at(-1)?.hourStartMs ?? 0) + 3_600_000;
    await t.platform.store.replaceHourly([{ meterId: 'syn-gas', fromMs: first, toMs: last }], syn.rows);
    await t.platform.store.weather.putObservations('synth', syn.weather);
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await signIn(page, t.platform.apiUrl, TEST_ADMIN_TOKEN);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('offers "weather-normalised", keeps it in the address, and shows what the API answers', async () => {
    await page.goto(`${t.platform.apiUrl}/institutions/lab?view=month&unit=native&energy=gas&compare=last_year`);
    await ready(page);
    expect(await page.locator('[data-kpi="series-normalized-change"]').count()).toBe(0);
    await page.check('input[name=normalize]');
    await page.waitForURL((u) => u.searchParams.get('normalize') === 'weather');
    await ready(page);
    const res = await t.api<{ comparison: Comparison }>(
      'GET',
      `/api/v1/consumption?scope=institution:lab&from=${year}-01-01&to=${year + 1}-01-01&interval=month&energy=gas&unit=native&compare=last_year&normalize=weather`,
    );
    expect(res.status).toBe(200);
    const n = res.body.comparison.normalized;
    if (n?.status !== 'normalized') throw new Error(JSON.stringify(n));
    const values = (n.series ?? []).map((p) => p.value);
    expect(values.every((v) => v !== null)).toBe(true);
    const line = (await chartSeries(page, 'series')).find((s) => s.key === 'normalized');
    expectClose(line?.data ?? [], values as number[]);
    const value = async (id: string) => Number(await page.getAttribute(`[data-kpi="${id}"]`, 'data-value'));
    expect(await value('series-normalized')).toBeCloseTo(n.total, 5);
    expect(await value('series-normalized-change')).toBeCloseTo(n.change ?? Number.NaN, 6);
    // A mild year after a cold one: raw use fell, normalised it did not.
    expect(await value('series-change')).toBeLessThan(-0.1);
    expect(Math.abs(await value('series-normalized-change'))).toBeLessThan(0.01);
    await shot(page, 'institution-normalized');
    // Unticked: gone again.
    await page.uncheck('input[name=normalize]');
    await page.waitForURL((u) => u.searchParams.get('normalize') === '');
    await ready(page);
    expect(await page.locator('[data-kpi="series-normalized-change"]').count()).toBe(0);
    expect((await chartSeries(page, 'series')).map((s) => s.key)).not.toContain('normalized');
  });
});
