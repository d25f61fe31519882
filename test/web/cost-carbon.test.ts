/**
 * The unit choice of the overview and institution pages (issue "The statutory year", items 1 and
 * 2) in a real browser, in Chinese and in English: in 元 and kgCO₂ (and on the overview kgce
 * 等价值) the KPI tiles, the tables, the charts and the provenance line equal what /consumption
 * answers for the same scope and period, with the unit named in the page's language. The city has
 * the demo's tariffs and two bills.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLocalIso } from '../../core/domain/time.js';
import type { TestPlatform } from '../helpers/platform.js';
import { type Browser, chromiumAvailable, closeSeededSession, openSeededSession, type SeededCity } from './browser.js';
import { chartSeries, expectClose, expectShown, kpiOf, ready, shot, stackTotals } from './page.js';

interface Answer {
  series: { start: string; value: number }[];
  total: number;
  billed?: number;
  tariffed?: number;
  factors?: { table: string; years: number[] };
}

type Lang = 'zh' | 'en';
type Unit = 'yuan' | 'kgco2' | 'kgce_ev';

/** How each unit is named after a figure, and its decimals. */
const SYMBOL: Record<Lang, Record<Unit, string>> = {
  zh: { yuan: '元', kgco2: 'kgCO₂', kgce_ev: 'kgce（等价值）' },
  en: { yuan: 'yuan', kgco2: 'kgCO₂', kgce_ev: 'kgce (equal value)' },
};
const DIGITS: Record<Unit, number> = { yuan: 2, kgco2: 1, kgce_ev: 1 };
/** What the cost line calls bills. */
const BILLS: Record<Lang, string> = { zh: '账单', en: 'Bills' };

const day = (offsetDays: number, tz: string) => formatLocalIso(Date.now() + offsetDays * 86_400_000, tz).slice(0, 10);
/** `from=…&to=…` of a month `YYYY-MM`. */
const monthRange = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return `from=${month}-01&to=${next}-01`;
};

describe.skipIf(!chromiumAvailable())('cost and CO₂ on the officers’ pages in chromium', () => {
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
  const consumption = (query: string) => get<Answer>(`/api/v1/consumption?${query}`);

  /** Switches the page's language with the header button (kept in localStorage). */
  const useLang = async (lang: Lang) => {
    if ((await page.getAttribute('html', 'lang')) === (lang === 'zh' ? 'zh-CN' : 'en')) return;
    await page.click('header [data-action=lang]');
    await ready(page);
  };

  /** Chooses a unit in the page's unit select and waits for the page to load in it. */
  const choose = async (unit: string) => {
    await page.selectOption('select[name=unit]', unit);
    await page.waitForURL(new RegExp(`unit=${unit}`));
    await ready(page);
  };

  /** A KPI tile equals an API figure: raw, as shown, and with its unit named. */
  const expectKpi = async (id: string, value: number, unit: Unit, lang: Lang) => {
    const k = await kpiOf(page, id);
    expect(k.value).toBeCloseTo(value, 6);
    expectShown(k.shown, value, DIGITS[unit]);
    expect(k.unit).toBe(SYMBOL[lang][unit]);
  };

  beforeAll(async () => {
    ({ t, tz, city, browser, page } = await openSeededSession());
  }, 180_000);
  afterAll(() => closeSeededSession({ browser, t }));

  for (const lang of ['zh', 'en'] as const) {
    it(`city overview in 元, kgCO₂ and kgce 等价值 equals /consumption (${lang})`, async () => {
      await page.goto(`${t.platform.apiUrl}/overview`);
      await ready(page);
      await useLang(lang);
      const { month, year } = city;
      const yearRange = `from=${year}-01-01&to=${Number(year) + 1}-01-01`;
      const energies = [...new Set(city.fleet.registry.meters.map((m) => m.energy))];
      for (const unit of ['yuan', 'kgco2', 'kgce_ev'] as const) {
        await choose(unit);
        const all = await consumption(`scope=city&${yearRange}&interval=month&unit=${unit}`);
        expect(all.total).toBeGreaterThan(0);
        await expectKpi(`month-${unit}`, all.series.find((p) => p.start.startsWith(month))?.value ?? 0, unit, lang);
        await expectKpi(`year-${unit}`, all.total, unit, lang);

        // By energy: water has a cost, but no CO₂ factor and no standard coal in the totals.
        for (const energy of energies) {
          const row = page.locator(`tr[data-energy="${energy}"]`);
          if (unit !== 'yuan' && energy === 'water') {
            expect(await row.getAttribute('data-year')).toBeNull();
            continue;
          }
          const api = await consumption(`scope=city&${yearRange}&interval=month&energy=${energy}&unit=${unit}`);
          expect(Number(await row.getAttribute('data-year'))).toBeCloseTo(api.total, 6);
        }

        const trend = await chartSeries(page, 'trend');
        expect(trend.some((s) => s.key === 'water')).toBe(unit === 'yuan');
        const days = `from=${day(-29, tz)}&to=${day(1, tz)}`;
        for (const s of trend) {
          const api = await consumption(`scope=city&${days}&interval=day&energy=${s.key}&unit=${unit}`);
          expectClose(
            s.data,
            api.series.map((p) => p.value),
          );
        }

        for (const d of city.fleet.registry.districts) {
          const api = await consumption(`scope=district:${d.id}&${monthRange(month)}&interval=month&unit=${unit}`);
          const shown = Number(await page.getAttribute(`tr[data-row="${d.id}"]`, 'data-value'));
          expect(shown).toBeCloseTo(api.total, 6);
        }

        const line = page.locator(`[data-provenance="${unit}"]`);
        if (unit === 'yuan') {
          expect(Number(await line.getAttribute('data-billed'))).toBeCloseTo(all.billed ?? Number.NaN, 6);
          expect(Number(await line.getAttribute('data-tariffed'))).toBeCloseTo(all.tariffed ?? Number.NaN, 6);
          if (city.billedDay.startsWith(year)) expect(all.billed).toBeCloseTo(888.88 + 98.76, 6);
          expect(await line.textContent()).toContain(BILLS[lang]);
          // Links to an institution keep the unit.
          expect(await page.locator('tr[data-institution] a').first().getAttribute('href')).toMatch(/unit=yuan$/);
        } else {
          expect(await line.textContent()).toContain(all.factors?.table ?? '?');
          expect(await line.getAttribute('data-years')).toBe(all.factors?.years.join(','));
        }
        await shot(page, `overview-${unit}-${lang}`);
      }
      await useLang('zh');
    });

    it(`institution page in 元 and kgCO₂ equals /consumption (${lang})`, async () => {
      const id = city.overTarget;
      const scope = `institution:${id}`;
      await page.goto(`${t.platform.apiUrl}/institutions/${id}`);
      await ready(page);
      await useLang(lang);
      const days = `from=${day(-29, tz)}&to=${day(1, tz)}&interval=day`;

      // 元 keeps the energy chosen (electricity, the first); then every energy: one bar per energy,
      // the total and the share that bills paid.
      await choose('yuan');
      const electricity = await consumption(`scope=${scope}&${days}&energy=electricity&unit=yuan`);
      await expectKpi('series-total', electricity.total, 'yuan', lang);
      await page.selectOption('select[name=energy]', '');
      await page.waitForURL(/energy=&/);
      await ready(page);
      const total = await consumption(`scope=${scope}&${days}&unit=yuan`);
      await expectKpi('series-total', total.total, 'yuan', lang);
      const bars = (await chartSeries(page, 'series')).filter((s) => s.key !== 'lastYear');
      expect(bars.map((s) => s.key).sort()).toEqual(
        [
          ...new Set(
            city.fleet.registry.meters
              .filter((m) => city.fleet.registry.buildings.some((b) => b.id === m.buildingId && b.institutionId === id))
              .map((m) => m.energy),
          ),
        ].sort(),
      );
      for (const s of bars) {
        const api = await consumption(`scope=${scope}&${days}&energy=${s.key}&unit=yuan`);
        expectClose(
          s.data,
          api.series.map((p) => p.value),
        );
      }
      const line = page.locator('[data-provenance="yuan"]');
      expect(total.billed).toBeCloseTo(888.88 + 98.76, 6);
      expect(Number(await line.getAttribute('data-billed'))).toBeCloseTo(total.billed ?? Number.NaN, 6);
      expect(Number(await line.getAttribute('data-tariffed'))).toBeCloseTo(total.tariffed ?? Number.NaN, 6);
      expect(await page.locator('select[name=subItem]').count()).toBe(0);

      // kgCO₂ of electricity: the sub-item bars add up to the total; water is not offered.
      await choose('kgco2');
      expect(await page.locator('select[name=energy] option[value=water]').count()).toBe(0);
      await page.selectOption('select[name=energy]', 'electricity');
      await page.waitForURL(/energy=electricity/);
      await ready(page);
      const co2 = await consumption(`scope=${scope}&${days}&energy=electricity&unit=kgco2`);
      expect(co2.total).toBeGreaterThan(0);
      await expectKpi('series-total', co2.total, 'kgco2', lang);
      const split = (await chartSeries(page, 'series')).filter((s) => s.key !== 'lastYear');
      expect(split.length).toBeGreaterThan(1);
      expectClose(
        stackTotals(split, co2.series.length),
        co2.series.map((p) => p.value),
      );
      expect(await page.getAttribute('[data-provenance="kgco2"]', 'data-years')).toBe(co2.factors?.years.join(','));
      await shot(page, `institution-kgco2-${lang}`);
      await useLang('zh');
    });
  }
});
