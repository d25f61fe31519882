/**
 * The energy-flow Sankey (issue 17, item 4) in a real browser: on the institution page and on the
 * overview (city and district) the diagram's `data-series` equals `/energy-flow` for the same scope
 * and period (every positive link, every node they join), the total and the water beside it equal
 * `totalKgce` and `waterM3`, and a negative link is a note, not a link.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLocalIso } from '../../core/domain/time.js';
import type { TestPlatform } from '../helpers/platform.js';
import { type Browser, chromiumAvailable, closeSeededSession, openSeededSession, type SeededCity } from './browser.js';
import { ready, shot } from './page.js';

interface Flow {
  nodes: { id: string; valueKgce: number }[];
  links: { source: string; target: string; valueKgce: number }[];
  totalKgce: number;
  waterM3: number;
}

interface Held {
  key: string;
  nodes: { id: string; value: number }[];
  links: { source: string; target: string; value: number }[];
}

const day = (offsetDays: number, tz: string) => formatLocalIso(Date.now() + offsetDays * 86_400_000, tz).slice(0, 10);

describe.skipIf(!chromiumAvailable())('the energy-flow diagram in chromium', () => {
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

  /** The page's diagram equals /energy-flow of the scope over the last 30 days. */
  const expectFlow = async (scope: string) => {
    const api = await get<Flow>(`/api/v1/energy-flow?scope=${scope}&from=${day(-29, tz)}&to=${day(1, tz)}`);
    expect(api.links.length).toBeGreaterThan(0);
    const el = page.locator('[data-chart="flow"][data-rendered="true"]');
    await el.waitFor();
    expect(await el.locator('canvas').count()).toBeGreaterThan(0);
    const [held] = JSON.parse((await el.getAttribute('data-series')) ?? '[]') as Held[];
    const drawn = api.links.filter((l) => l.valueKgce > 0);
    expect(held?.links).toEqual(drawn.map((l) => ({ source: l.source, target: l.target, value: l.valueKgce })));
    const joined = new Set(drawn.flatMap((l) => [l.source, l.target]));
    expect(held?.nodes).toEqual(
      api.nodes.filter((n) => joined.has(n.id)).map((n) => ({ id: n.id, value: n.valueKgce })),
    );
    expect(Number(await page.getAttribute('[data-kpi="flow-total"]', 'data-value'))).toBeCloseTo(api.totalKgce, 6);
    expect(Number(await page.getAttribute('[data-kpi="flow-water"]', 'data-value'))).toBeCloseTo(api.waterM3, 6);
    expect(api.waterM3).toBeGreaterThan(0);
    const negative = api.links.filter((l) => l.valueKgce < 0).map((l) => `${l.source}>${l.target}`);
    const notes = await page.locator('[data-negative]').evaluateAll((els) => els.map((e) => e.dataset.negative));
    expect(notes).toEqual(negative);
  };

  beforeAll(async () => {
    ({ t, tz, city, browser, page } = await openSeededSession());
  }, 180_000);
  afterAll(() => closeSeededSession({ browser, t }));

  it('institution page: the Sankey equals /energy-flow, with the water beside it', async () => {
    await page.goto(`${t.platform.apiUrl}/institutions/${city.overTarget}?view=day`);
    await ready(page);
    await expectFlow(`institution:${city.overTarget}`);
    await shot(page, 'energy-flow-institution');
  });

  it('overview: the city and a district', async () => {
    await page.goto(`${t.platform.apiUrl}/overview`);
    await ready(page);
    await expectFlow('city');
    const district = city.fleet.registry.districts[0]?.id ?? '';
    await page.goto(`${t.platform.apiUrl}/overview?district=${district}`);
    await ready(page);
    await expectFlow(`district:${district}`);
  });
});
