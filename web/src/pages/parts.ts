/** Pieces shared by several pages: target progress, anomaly evidence, KPI tiles. */
import { badge, h, table } from '../dom.js';
import { t } from '../i18n.js';
import { anomalyTypeName, energyName, evidenceKey, num, pct, showUnit, when } from '../labels.js';
import type { Anomaly, TargetProgress } from '../types.js';
import { digitsOf, isFigureUnit } from '../units.js';

/** A figure tile (yuan to the fen, others to one decimal); `data-kpi` carries the raw value for scripts and tests. */
export function kpi(id: string, label: string, value: number, unit: string, note?: string): HTMLElement {
  return h(
    'div',
    { class: 'kpi', 'data-kpi': id, 'data-value': value, 'data-unit': unit },
    h('span', { class: 'kpi-label' }, label),
    h('strong', {}, num(value, digitsOf(isFigureUnit(unit) ? unit : 'native'))),
    h('span', { class: 'kpi-unit' }, ` ${showUnit(unit)}`),
    note === undefined ? null : h('small', { class: 'muted' }, note),
  );
}

/** A bar showing a share of a target (red past 100 %). */
export function meter(share: number): HTMLElement {
  const width = Math.max(0, Math.min(1, share)) * 100;
  return h(
    'span',
    { class: `bar${share > 1 ? ' bar-over' : ''}`, title: pct(share) },
    h('span', { style: `width:${width}%` }),
  );
}

/** The target progress table of a scope. */
export function targetTable(progress: readonly TargetProgress[]): HTMLElement {
  if (progress.length === 0) return h('p', { class: 'muted' }, t('noTargets'));
  return table(
    [t('period'), t('energy'), t('target'), t('toDate'), t('share'), t('forecast'), t('status')],
    progress,
    (p) => [
      p.period,
      energyName(p.energy),
      `${num(p.value, 1)} ${showUnit(p.unit)}`,
      num(p.toDate, 1),
      h('span', { class: 'share' }, meter(p.share), ` ${pct(p.share)}`),
      num(p.forecast, 1),
      badge(p.status),
    ],
    (p) => ({ 'data-target': `${p.energy}|${p.period}`, 'data-status': p.status }),
  );
}

function evidenceValue(value: unknown): string {
  if (typeof value === 'number') return num(value, 3);
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** An anomaly's evidence as a definition list (observed, expected, band, forecast, …). */
export function evidence(a: Anomaly): HTMLElement {
  return h(
    'dl',
    { class: 'evidence', 'data-evidence': a.id },
    ...Object.entries(a.evidence).flatMap(([k, v]) => [h('dt', {}, evidenceKey(k)), h('dd', {}, evidenceValue(v))]),
  );
}

/** A short line naming an anomaly: type, energy, period. */
export function anomalyTitle(a: Anomaly): string {
  return `${anomalyTypeName(a.type)} · ${energyName(a.energy)} · ${when(a.start)} – ${when(a.end)}`;
}
