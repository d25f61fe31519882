/** Reading the page in tests: readiness, chart data as ECharts holds it, screenshots. */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { SCREENSHOT_DIR } from './browser.js';

/** A chart's series as ECharts holds them (written to `data-series` once rendered). */
export interface ChartSeries {
  readonly key: string;
  readonly data: number[];
}

/** Waits until the current page has loaded all its parts. */
export async function ready(page: Page): Promise<void> {
  await page.locator('main[data-ready="true"]').waitFor();
}

/** Waits for a chart to render on a canvas and returns its series. */
export async function chartSeries(page: Page, id: string): Promise<ChartSeries[]> {
  const el = page.locator(`[data-chart="${id}"][data-rendered="true"]`);
  await el.waitFor();
  expect(await el.locator('canvas').count()).toBeGreaterThan(0);
  return JSON.parse((await el.getAttribute('data-series')) ?? '[]') as ChartSeries[];
}

/** Element-wise equality of two series to 1e-5 (the API rounds to 6 decimals). */
export function expectClose(actual: readonly number[], expected: readonly number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => {
    expect(v).toBeCloseTo(expected[i] ?? Number.NaN, 5);
  });
}

/** Sums stacked series bucket by bucket. */
export function stackTotals(series: readonly ChartSeries[], length: number): number[] {
  return Array.from({ length }, (_, i) => series.reduce((sum, s) => sum + (s.data[i] ?? 0), 0));
}

/** Saves a full-page screenshot to test-results/web/<name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** A KPI tile: its raw value (`data-value`), the number it shows, and the unit it names. */
export async function kpiOf(page: Page, id: string): Promise<{ value: number; shown: number; unit: string }> {
  const tile = page.locator(`[data-kpi="${id}"]`);
  const value = Number(await tile.getAttribute('data-value'));
  const shown = Number(((await tile.locator('strong').textContent()) ?? '').replace(/[,\s]/g, ''));
  const unit = ((await tile.locator('.kpi-unit').textContent()) ?? '').trim();
  return { value, shown, unit };
}

/** A shown number equals `value` rounded to `digits` decimals. */
export function expectShown(shown: number, value: number, digits: number): void {
  expect(Math.abs(shown - value)).toBeLessThanOrEqual(0.5 * 10 ** -digits + 1e-9);
}
