/**
 * Where a figure comes from, in one muted line under it (issue "The statutory year", items 1 and
 * 2): the coefficient or factor tables, years and grid regions a kgce, kgce_ev or kgCO₂ answer
 * used (with the API's notes, e.g. a later year taking the table's latest), or how much of a cost
 * came from bills and how much from tariff × metered, and the hours neither priced.
 */
import { GRID_REGION_NAMES_ZH, type GridRegion } from '../../../core/domain/carbon-factors.js';
import { h } from '../dom.js';
import { lang, t } from '../i18n.js';
import { num, pct } from '../labels.js';
import type { Consumption } from '../types.js';
import { type FigureUnit, unitSymbol } from '../units.js';

/** A grid region's name: 华东 / East. */
function regionName(region: GridRegion): string {
  return lang() === 'zh' ? GRID_REGION_NAMES_ZH[region] : region.charAt(0).toUpperCase() + region.slice(1);
}

/** An amount of yuan as shown: two decimals and the unit. */
export function money(yuan: number): string {
  return `${num(yuan, 2)} ${unitSymbol('yuan')}`;
}

function costParts(c: Consumption): { parts: string[]; warn?: string; attrs: Record<string, number> } {
  const billed = c.billed ?? 0;
  const tariffed = c.tariffed ?? 0;
  const uncosted = c.uncosted ?? [];
  const hours = uncosted.reduce((sum, u) => sum + u.hours, 0);
  const attrs = { 'data-billed': billed, 'data-tariffed': tariffed, 'data-uncosted-hours': hours };
  const warn =
    uncosted.length === 0 ? undefined : t('uncosted', { hours: num(hours, 0), meters: String(uncosted.length) });
  if ((c.bills ?? []).length === 0 && (c.tariffs ?? []).length === 0)
    return { parts: [t('noCostSources')], ...(warn === undefined ? {} : { warn }), attrs };
  const parts = [
    t('costBilled', { amount: money(billed), share: pct(c.total === 0 ? 0 : billed / c.total) }),
    t('costTariffed', { amount: money(tariffed) }),
    t('costSources', { bills: String(c.bills?.length ?? 0), tariffs: String(c.tariffs?.length ?? 0) }),
  ];
  return { parts, ...(warn === undefined ? {} : { warn }), attrs };
}

function factorParts(c: Consumption): string[] {
  const f = c.factors;
  if (f === undefined) return c.coefficients === undefined ? [] : [t('coefficientsUsed', { table: c.coefficients })];
  return [
    t('factorsUsed', { table: f.table, years: f.years.join(', ') }),
    ...(f.fuels === undefined ? [] : [t('fuelsUsed', { table: f.fuels })]),
    ...(f.coefficients === undefined ? [] : [t('coefficientsUsed', { table: f.coefficients })]),
    ...(f.regions === undefined
      ? []
      : [t('regionsUsed', { regions: f.regions.map(regionName).join(lang() === 'zh' ? '、' : ', ') })]),
    ...(f.notes ?? []),
  ];
}

/**
 * The provenance line of an answer in `unit`, `label` first (e.g. 本年); `data-*` attributes carry
 * the raw figures (billed, tariffed, uncosted hours) for scripts and tests.
 */
export function provenance(c: Consumption, unit: FigureUnit, label?: string): HTMLElement {
  const head = label === undefined ? [] : [`${label}${lang() === 'zh' ? '：' : ': '}`];
  if (unit === 'yuan') {
    const { parts, warn, attrs } = costParts(c);
    return h(
      'p',
      { class: 'provenance muted', 'data-provenance': unit, ...attrs },
      ...head,
      parts.join(' · '),
      warn === undefined ? null : h('span', { class: 'low', 'data-uncosted': '' }, ` · ${warn}`),
    );
  }
  return h(
    'p',
    { class: 'provenance muted', 'data-provenance': unit, 'data-years': c.factors?.years.join(',') ?? '' },
    ...head,
    factorParts(c).join(' · '),
  );
}
