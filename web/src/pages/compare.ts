/**
 * The comparison choice of the overview and institution pages (issue 17, item 3; README
 * "Consumption", `compare=`): none, the previous period, the same period last year or a chosen
 * range, kept in the address as `?compare=previous|last_year|YYYY-MM-DD..YYYY-MM-DD`.
 */
import type { ChartSeries } from '../charts.js';
import { addDays } from '../dates.js';
import { field, h, select } from '../dom.js';
import { t } from '../i18n.js';
import { num, pct } from '../labels.js';
import type { Comparison } from '../types.js';
import { kpi } from './parts.js';

/** What a page compares with: `none`, or a value of the API's `compare=`. */
export type Compare = string;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Whether a `compare=` value is a range `YYYY-MM-DD..YYYY-MM-DD` with its start before its end. */
function isRange(value: string): boolean {
  const [from, to, ...rest] = value.split('..');
  return rest.length === 0 && from !== undefined && to !== undefined && DATE.test(from) && DATE.test(to) && from < to;
}

/** The comparison of the query string, or `fallback` when absent or not understood. */
export function compareOf(value: string | null, fallback: Compare): Compare {
  if (value === 'none' || value === 'previous' || value === 'last_year') return value;
  return value !== null && isRange(value) ? value : fallback;
}

/** The API's `compare=` of a choice (none: no parameter). */
export const compareParam = (c: Compare): string | undefined => (c === 'none' ? undefined : c);

/** The label of a comparison line and tile: 上一周期, 去年同期, or the chosen dates. */
export function compareName(c: Compare): string {
  if (c === 'previous') return t('comparePrevious');
  if (c === 'last_year') return t('lastYear');
  const [from, to] = c.split('..');
  return `${from ?? ''} – ${addDays(to ?? '', -1)}`;
}

/** The label of the compared total: the choice and, for previous and last year, the dates it meant. */
export function comparedLabel(c: Compare, comparison: Comparison): string {
  if (c !== 'previous' && c !== 'last_year') return compareName(c);
  return `${compareName(c)} (${comparison.from.slice(0, 10)} – ${addDays(comparison.to.slice(0, 10), -1)})`;
}

/** A change as shown: a sign and a percentage, `—` against 0. */
export function changeText(change: number | null | undefined): string {
  if (change === null || change === undefined) return '—';
  return `${change > 0 ? '+' : ''}${pct(change)}`;
}

/** A tile with the change of a total against the comparison; `data-value` is the API's `change`. */
export function changeKpi(id: string, change: number | null): HTMLElement {
  const trend = change === null ? '' : change > 0 ? 'up' : change < 0 ? 'down' : '';
  return h(
    'div',
    { class: `kpi change ${trend}`, 'data-kpi': id, 'data-value': change === null ? '' : change },
    h('span', { class: 'kpi-label' }, t('change')),
    h('strong', {}, changeText(change)),
  );
}

/** The comparison's points as a chart line (`lastYear` for last year, as the pages always called it). */
export function comparisonLine(c: Compare, comparison: Comparison): ChartSeries {
  return {
    key: c === 'last_year' ? 'lastYear' : 'comparison',
    name: compareName(c),
    type: 'line',
    data: comparison.series.map((p) => p.value),
  };
}

/**
 * The "compare with" control: a select, and for a chosen range its first and last day (inclusive;
 * the API's end is exclusive) with a button. `onChange` gets the new `compare=` value.
 */
export function compareControl(value: Compare, onChange: (next: Compare) => void): HTMLElement {
  const ranged = isRange(value);
  const [rangeFrom, rangeTo] = ranged ? value.split('..') : [undefined, undefined];
  const from = h('input', { type: 'date', name: 'compareFrom', value: rangeFrom ?? '', 'aria-label': t('from') });
  const last = h('input', {
    type: 'date',
    name: 'compareTo',
    value: rangeTo === undefined ? '' : addDays(rangeTo, -1),
    'aria-label': t('to'),
  });
  const apply = h('button', { type: 'button', 'data-action': 'compare-range' }, t('apply'));
  const dates = h('span', { class: 'compare-range', hidden: !ranged }, from, ' – ', last, ' ', apply);
  apply.addEventListener('click', () => {
    if (DATE.test(from.value) && DATE.test(last.value) && from.value <= last.value)
      onChange(`${from.value}..${addDays(last.value, 1)}`);
  });
  const choice = select(
    'compare',
    [
      ['none', t('compareNone')],
      ['previous', t('comparePrevious')],
      ['last_year', t('compareLastYear')],
      ['range', t('compareRange')],
    ],
    ranged ? 'range' : value,
    (v) => {
      if (v === 'range') dates.hidden = false;
      else onChange(v);
    },
  );
  return h('span', { class: 'compare' }, field(t('compareWith'), choice), dates);
}

/** The weather-normalised part of a comparison (issue 18, item 4; `normalize=weather`). */
type Normalized = NonNullable<Comparison['normalized']>;

/** The "weather-normalised" checkbox, kept in the address as `?normalize=weather`. */
export function normalizeControl(on: boolean, onChange: (next: boolean) => void): HTMLElement {
  const box = h('input', { type: 'checkbox', name: 'normalize', checked: on });
  box.addEventListener('change', () => onChange(box.checked));
  return h('label', { class: 'field check' }, h('span', {}, t('weatherNormalized')), box);
}

/**
 * The normalised line (`data-series` key `normalized`): the compared period's model under each
 * bucket's weather, on this period's buckets; none when withheld or without a series (hourly).
 */
export function normalizedLine(n: Normalized | undefined): ChartSeries[] {
  if (n?.status !== 'normalized' || n.series === undefined) return [];
  return [
    { key: 'normalized', name: t('normalizedTotal'), type: 'line', data: n.series.map((p) => p.value ?? Number.NaN) },
  ];
}

/**
 * The normalised tiles: the compared period under this period's weather and the change against
 * it (`data-value` the API's `normalized.total` and `normalized.change`), or why it is withheld.
 */
export function normalizedTiles(n: Normalized | undefined, unit: string): HTMLElement[] {
  if (n === undefined) return [];
  if (n.status === 'refused')
    return [h('p', { class: 'notice', 'data-normalize-refused': n.code }, `${t('normalizedRefused')}: ${n.reason}`)];
  const trend = n.change === null ? '' : n.change > 0 ? 'up' : n.change < 0 ? 'down' : '';
  // Both sides cover the same days (those with complete use and a temperature): say how many, and this period's use on them.
  const note = ` · ${t('normalizedDays', { days: String(n.currentDays.used), current: num(n.current, 1) })} · ${n.model.form} · R² ${n.model.fit.r2 ?? '—'}`;
  return [
    kpi('series-normalized', t('normalizedTotal'), n.total, unit, note),
    h(
      'div',
      { class: `kpi change ${trend}`, 'data-kpi': 'series-normalized-change', 'data-value': n.change ?? '' },
      h('span', { class: 'kpi-label' }, t('normalizedChange')),
      h('strong', {}, changeText(n.change)),
    ),
  ];
}
