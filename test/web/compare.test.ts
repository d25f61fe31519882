/**
 * Comparisons on the overview and the institution page (issue 17, item 3) in a real browser: the
 * "compare with" choice is kept in the address, the chart carries the compared period's line and
 * the change tiles equal `comparison.change` of `/consumption?compare=…` for the same query, in
 * every unit the overview offers.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLocalIso } from '../../core/domain/time.js';
import type { TestPlatform } from '../helpers/platform.js';
import { type Browser, chromiumAvailable, closeSeededSession, openSeededSession, type SeededCity } from './browser.js';
import { chartSeries, expectClose, ready, shot } from './page.js';

interface Compared {
  total: number;
  comparison: { series: { value: number }[]; total: number; change: number | null };
}

const day = (offsetDays: number, tz: string) => formatLocalIso(Date.now() + offsetDays * 86_400_000, tz).slice(0, 10);

describe.skipIf(!chromiumAvailable())('comparisons in chromium', () => {
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
  /** A change tile's raw value: the API's `change`, or null when it shows none. */
  const changeOf = async (id: string): Promise<number | null> => {
    const raw = await page.getAttribute(`[data-kpi="${id}"]`, 'data-value');
    return raw === '' || raw === null ? null : Number(raw);
  };

  beforeAll(async () => {
    ({ t, tz, city, browser, page } = await openSeededSession());
  }, 180_000);
  afterAll(() => closeSeededSession({ browser, t }));

  it('overview: a chosen range, kept in the address, gives the change /consumption answers in every unit', async () => {
    await page.goto(`${t.platform.apiUrl}/overview`);
    await ready(page);
    expect(await page.locator('[data-kpi="trend-change"]').count()).toBe(0);
    // Two days with data: the change of the 30 days against them is a figure, not null.
    const first = day(-2, tz);
    const last = day(-1, tz);
    await page.selectOption('select[name=compare]', 'range');
    await page.fill('input[name=compareFrom]', first);
    await page.fill('input[name=compareTo]', last);
    await page.click('[data-action=compare-range]');
    const range = `${first}..${day(0, tz)}`;
    await page.waitForURL((u) => u.searchParams.get('compare') === range);
    await ready(page);
    for (const unit of ['kgce', 'kgce_ev', 'yuan', 'kgco2'] as const) {
      if (unit !== 'kgce') {
        await page.selectOption('select[name=unit]', unit);
        await page.waitForURL((u) => u.searchParams.get('unit') === unit && u.searchParams.get('compare') === range);
        await ready(page);
      }
      const api = await get<Compared>(
        `/api/v1/consumption?scope=city&from=${day(-29, tz)}&to=${day(1, tz)}&interval=day&unit=${unit}&compare=${range}`,
      );
      expect(api.comparison.change).not.toBeNull();
      expect(await changeOf('trend-change')).toBeCloseTo(api.comparison.change ?? Number.NaN, 6);
      expect(Number(await page.getAttribute('[data-kpi="trend-compared"]', 'data-value'))).toBeCloseTo(
        api.comparison.total,
        5,
      );
      const line = (await chartSeries(page, 'trend')).find((s) => s.key === 'comparison');
      expectClose(
        line?.data ?? [],
        api.comparison.series.map((p) => p.value),
      );
      const year = await get<Compared>(
        `/api/v1/consumption?scope=city&from=${city.year}-01-01&to=${Number(city.year) + 1}-01-01&interval=month&unit=${unit}&compare=${range}`,
      );
      expect(await changeOf('year-change')).toBeCloseTo(year.comparison.change ?? Number.NaN, 6);
    }
    await shot(page, 'overview-compare');
  });

  it('overview: the previous period has no data here, and the change says so (null, shown as —)', async () => {
    await page.goto(`${t.platform.apiUrl}/overview?compare=previous`);
    await ready(page);
    const api = await get<Compared>(
      `/api/v1/consumption?scope=city&from=${day(-29, tz)}&to=${day(1, tz)}&interval=day&unit=kgce&compare=previous`,
    );
    expect(await changeOf('trend-change')).toBe(api.comparison.change);
    if (api.comparison.change === null) expect(await page.textContent('[data-kpi="trend-change"] strong')).toBe('—');
  });

  it('institution: compare with a chosen range in kgCO₂ equals /consumption', async () => {
    const id = city.overTarget;
    const range = `${day(-1, tz)}..${day(0, tz)}`;
    await page.goto(`${t.platform.apiUrl}/institutions/${id}?view=day&unit=kgco2&compare=${range}`);
    await ready(page);
    expect(await page.inputValue('select[name=compare]')).toBe('range');
    const api = await get<Compared>(
      `/api/v1/consumption?scope=institution:${id}&from=${day(-29, tz)}&to=${day(1, tz)}&interval=day&unit=kgco2&compare=${range}`,
    );
    expect(await changeOf('series-change')).toBeCloseTo(api.comparison.change ?? Number.NaN, 6);
    const line = (await chartSeries(page, 'series')).find((s) => s.key === 'comparison');
    expectClose(
      line?.data ?? [],
      api.comparison.series.map((p) => p.value),
    );
    // Back to none: no line, no change.
    await page.selectOption('select[name=compare]', 'none');
    await page.waitForURL((u) => u.searchParams.get('compare') === 'none');
    await ready(page);
    expect(await page.locator('[data-kpi="series-change"]').count()).toBe(0);
    const keys = (await chartSeries(page, 'series')).map((s) => s.key);
    expect(keys).not.toContain('comparison');
    expect(keys).not.toContain('lastYear');
  });
});
