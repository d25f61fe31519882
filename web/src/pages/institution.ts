/**
 * One institution: hourly/daily/monthly series by energy type and sub-item against the same period
 * last year (or `?compare=` another period, issue 17 item 3, with the change of the total), in native units or in kgce (当量值, 等价值), yuan or kgCO₂ with where the figures come
 * from; target progress, completeness, open anomalies with their evidence, buildings and meters.
 */

import { scopeWeatherStation } from '../../../core/domain/weather-station.js';
import { api, url } from '../api.js';
import { type ChartSeries, chart } from '../charts.js';
import { addDays, bucketLabel, monthOf, today, yearRange } from '../dates.js';
import { badge, card, field, h, section, select, table } from '../dom.js';
import { t } from '../i18n.js';
import { energyName, nativeUnit, num, pct, subItemName } from '../labels.js';
import { anomalies, consumption, energiesIn, targetProgress } from '../queries.js';
import type { PageContext } from '../router.js';
import type { Energy, Institution, Interval, MeterQuality, Quality, Registry } from '../types.js';
import { FIGURE_UNITS, type PageUnit, unitApplies, unitOf, unitOptionName, unitSymbol } from '../units.js';
import {
  type Compare,
  changeKpi,
  compareControl,
  comparedLabel,
  compareOf,
  compareParam,
  comparisonLine,
  normalizeControl,
  normalizedLine,
  normalizedTiles,
} from './compare.js';
import { flowSection } from './energy-flow.js';
import { anomalyTitle, evidence, kpi, targetTable } from './parts.js';
import { provenance } from './provenance.js';

type View = 'hour' | 'day' | 'month';

/** What the series card shows: `energy` '' is every energy, in a unit that adds them up (not native). */
interface Choice {
  readonly view: View;
  readonly energy: Energy | '';
  readonly subItem: string;
  readonly unit: PageUnit;
  /** What the series is compared with (`?compare=`, the same period last year by default). */
  readonly compare: Compare;
  /** `?normalize=weather`: the compared period under this period's weather too (issue 18, item 4). */
  readonly normalize: boolean;
}

const PAGE_UNITS: readonly PageUnit[] = ['native', ...FIGURE_UNITS];

/** The local range each view shows. */
function rangeOf(view: View, day: string): { from: string; to: string } {
  if (view === 'hour') return { from: addDays(day, -1), to: addDays(day, 1) };
  if (view === 'day') return { from: addDays(day, -29), to: addDays(day, 1) };
  return yearRange(day.slice(0, 4));
}

/** Sub-item classes (`01A`, `01B`, …) of an institution's electricity meters. */
function subItemClasses(institutionId: string, registry: Registry): string[] {
  const buildings = new Set(registry.buildings.filter((b) => b.institutionId === institutionId).map((b) => b.id));
  const codes = registry.meters
    .filter((m) => buildings.has(m.buildingId) && m.energy === 'electricity' && m.subItem !== undefined)
    .map((m) => (m.subItem as string).slice(0, 3));
  return [...new Set(codes)].sort();
}

/**
 * The bars of a choice: one per energy (every energy), one per sub-item class (electricity without
 * a sub-item, not in yuan: bills are per account), or none (the total is the bar).
 */
function splitOf(c: Choice, energies: readonly Energy[], classes: readonly string[]) {
  if (c.energy === '')
    return energies
      .filter((e) => unitApplies(c.unit, e))
      .map((e) => ({ key: e as string, name: energyName(e), query: { energy: e } }));
  if (c.energy !== 'electricity' || c.subItem !== '' || c.unit === 'yuan') return [];
  return classes.map((k) => ({ key: k, name: subItemName(`${k}00`), query: { subItem: k } }));
}

async function seriesChart(
  scope: string,
  choice: Choice,
  energies: readonly Energy[],
  classes: readonly string[],
): Promise<Node> {
  const range = rangeOf(choice.view, today());
  const interval: Interval = choice.view;
  const energy = choice.energy === '' ? undefined : choice.energy;
  const base = { scope, interval, energy, unit: choice.unit, subItem: choice.subItem || undefined };
  const split = splitOf(choice, energies, classes);
  const [total, ...parts] = await Promise.all([
    consumption({
      ...base,
      ...range,
      compare: compareParam(choice.compare),
      normalize: choice.normalize ? 'weather' : undefined,
    }),
    ...split.map((s) => consumption({ ...base, ...range, ...s.query })),
  ]);
  if (total === undefined) return h('p', {}, '—');
  const comparison = total.comparison;
  const unit = choice.unit === 'native' ? nativeUnit(energy ?? '') : choice.unit;
  const series: ChartSeries[] = [];
  if (parts.length === 0) {
    series.push({
      key: 'total',
      name: energyName(energy ?? 'all'),
      type: 'bar',
      data: total.series.map((p) => p.value),
    });
  } else {
    parts.forEach((c, i) => {
      const s = split[i];
      series.push({
        key: s?.key ?? '',
        name: s?.name ?? '',
        type: 'bar',
        stack: 'now',
        data: c.series.map((p) => p.value),
      });
    });
    // Meters without a sub-item. Energies partition the total: no remainder (in yuan each point is rounded alone).
    const other = total.series.map((p, i) => p.value - parts.reduce((s, c) => s + (c.series[i]?.value ?? 0), 0));
    if (energy !== undefined && other.some((v) => Math.abs(v) > 1e-6))
      series.push({ key: 'other', name: t('other'), type: 'bar', stack: 'now', data: other });
  }
  if (comparison !== undefined)
    series.push(comparisonLine(choice.compare, comparison), ...normalizedLine(comparison.normalized));
  const compared =
    comparison === undefined
      ? []
      : [
          kpi('series-compared', comparedLabel(choice.compare, comparison), comparison.total, unit),
          changeKpi('series-change', comparison.change),
          ...normalizedTiles(comparison.normalized, unit),
        ];
  return h(
    'div',
    {},
    h(
      'div',
      { class: 'kpis' },
      kpi('series-total', `${t('total')} (${range.from} – ${addDays(range.to, -1)})`, total.total, unit),
      ...compared,
    ),
    chart('series', {
      categories: total.series.map((p) => bucketLabel(p.start, interval)),
      unit: choice.unit === 'native' ? unit : unitSymbol(choice.unit),
      series,
    }),
    choice.unit === 'native' ? null : provenance(total, choice.unit),
  );
}

function metersTable(inst: Institution, registry: Registry, quality: Quality | undefined): Node[] {
  const buildings = registry.buildings.filter((b) => b.institutionId === inst.id);
  const byMeter = new Map<string, MeterQuality>((quality?.meters ?? []).map((m) => [m.meterId, m]));
  const meters = registry.meters.filter((m) => buildings.some((b) => b.id === m.buildingId));
  const threshold = quality?.threshold ?? 0.9;
  return [
    table(
      [t('building'), t('floorArea'), t('meters')],
      buildings,
      (b) => [b.name, num(b.floorAreaM2, 0), String(meters.filter((m) => m.buildingId === b.id).length)],
      (b) => ({ 'data-building': b.id }),
    ),
    table(
      [t('meter'), t('building'), t('energy'), t('subItem'), t('multiplier'), t('completeness')],
      meters,
      (m) => {
        const c = byMeter.get(m.id)?.completeness;
        return [
          m.id,
          buildings.find((b) => b.id === m.buildingId)?.name ?? m.buildingId,
          energyName(m.energy),
          m.subItem === undefined ? '—' : subItemName(m.subItem),
          String(m.multiplier),
          c === undefined ? '—' : h('span', { class: c < threshold ? 'low' : '' }, pct(c)),
        ];
      },
      (m) => ({ 'data-meter': m.id }),
    ),
  ];
}

/**
 * Renders `/institutions/:id`; `?view=hour|day|month&energy=…&subItem=01B&unit=…` choose the series
 * (`unit` native by default, or kgce, kgce_ev, yuan, kgco2; with those `energy=` empty is every energy).
 */
export async function renderInstitution(root: HTMLElement, ctx: PageContext): Promise<void> {
  const id = ctx.params[0] ?? '';
  const inst = ctx.registry.institutions.find((i) => i.id === id);
  if (inst === undefined) {
    // The registry a scoped reader gets holds its own institutions only: unknown or not visible.
    root.replaceChildren(
      h('p', { class: 'notice error', 'data-not-visible': id }, `${t('institution')} "${id}": ${t('notVisible')}`),
    );
    return;
  }
  const scope = `institution:${id}`;
  const energies = energiesIn(scope, ctx.registry);
  const view = (['hour', 'day', 'month'] as const).find((v) => v === ctx.query.get('view')) ?? 'day';
  const unit = unitOf(ctx.query.get('unit'), PAGE_UNITS, 'native');
  const compare = compareOf(ctx.query.get('compare'), 'last_year');
  const shown = energies.filter((e) => unitApplies(unit, e));
  const wanted = ctx.query.get('energy');
  const energy: Energy | '' =
    unit === 'native'
      ? (energies.find((e) => e === wanted) ?? energies[0] ?? 'electricity')
      : (shown.find((e) => e === wanted) ?? '');
  const classes = subItemClasses(id, ctx.registry);
  const subItem =
    energy === 'electricity' && unit !== 'yuan' ? (classes.find((c) => c === ctx.query.get('subItem')) ?? '') : '';
  // Weather-normalised: one energy in its native unit, compared, and a weather station (issue 18, item 4).
  const normalizable =
    unit === 'native' &&
    subItem === '' &&
    compare !== 'none' &&
    scopeWeatherStation(ctx.registry, { level: 'institution', id }).ok;
  const normalize = normalizable && ctx.query.get('normalize') === 'weather';
  const go = (change: Record<string, string>) => {
    const q = new URLSearchParams({
      view,
      energy,
      subItem,
      unit,
      compare,
      normalize: normalize ? 'weather' : '',
      ...change,
    });
    ctx.navigate(`/institutions/${encodeURIComponent(id)}?${q}`, true);
  };
  const district = ctx.registry.districts.find((d) => d.id === inst.districtId);
  // The overview has no native unit and shows kgce by default.
  const backUnit = unit === 'native' || unit === 'kgce' ? '' : `&unit=${unit}`;
  const day = today();
  const slot = () => h('div', { class: 'slot' });
  const [seriesSlot, flowSlot, targetsSlot, anomaliesSlot, metersSlot] = [slot(), slot(), slot(), slot(), slot()];
  const controls = h(
    'div',
    { class: 'controls' },
    field(
      t('interval'),
      select(
        'view',
        (['hour', 'day', 'month'] as const).map((v) => [v, t(v)]),
        view,
        (v) => go({ view: v }),
      ),
    ),
    field(
      t('unit'),
      select(
        'unit',
        PAGE_UNITS.map((u) => [u, unitOptionName(u)]),
        unit,
        (v) => go({ unit: v }),
      ),
    ),
    field(
      t('energy'),
      select(
        'energy',
        [
          ...(unit === 'native' ? [] : [['', t('allEnergies')] as const]),
          ...shown.map((e) => [e, energyName(e)] as const),
        ],
        energy,
        (v) => go({ energy: v, subItem: '' }),
      ),
    ),
    energy === 'electricity' && unit !== 'yuan' && classes.length > 0
      ? field(
          t('subItem'),
          select(
            'subItem',
            [['', t('allSubItems')], ...classes.map((c) => [c, subItemName(`${c}00`)] as const)],
            subItem,
            (v) => go({ subItem: v }),
          ),
        )
      : null,
    compareControl(compare, (next) => go({ compare: next })),
    normalizable ? normalizeControl(normalize, (on) => go({ normalize: on ? 'weather' : '' })) : null,
  );
  root.replaceChildren(
    h(
      'div',
      { class: 'page-head' },
      h('h1', { 'data-scope': scope }, inst.name),
      h(
        'a',
        { href: `/overview?district=${encodeURIComponent(inst.districtId)}${backUnit}`, class: 'back' },
        `← ${district?.name ?? inst.districtId}`,
      ),
      h(
        'span',
        { class: 'muted' },
        `${t(inst.type)} · ${t('floorArea')} ${num(inst.floorAreaM2, 0)} · ${t('occupants')} ${num(inst.occupants ?? 0, 0)}`,
      ),
    ),
    card(t('series'), controls, seriesSlot),
    card(t('energyFlow'), flowSlot),
    h('div', { class: 'grid-2' }, card(t('targets'), targetsSlot), card(t('openAnomalies'), anomaliesSlot)),
    card(`${t('buildings')} · ${t('meters')} · ${t('completeness')} ${monthOf(day)}`, metersSlot),
  );
  await Promise.all([
    section(seriesSlot, () =>
      seriesChart(scope, { view, energy, subItem, unit, compare, normalize }, energies, classes),
    ),
    section(flowSlot, () => flowSection(scope, rangeOf(view, day))),
    section(targetsSlot, async () => targetTable(await targetProgress(scope, day.slice(0, 4)))),
    section(anomaliesSlot, async () => {
      const open = await anomalies({ ...yearRange(day.slice(0, 4)), scope, status: 'open' });
      if (open.length === 0) return h('p', { class: 'muted' }, t('noAnomalies'));
      return h(
        'ul',
        { class: 'anomalies' },
        ...open.map((a) =>
          h(
            'li',
            { 'data-anomaly': a.id },
            h('div', {}, badge(a.severity, `${t('severity')}: ${t(a.severity)}`), ' ', anomalyTitle(a)),
            evidence(a),
            h(
              'a',
              { href: `/anomalies?scope=${encodeURIComponent(scope)}` },
              `${t('acknowledge')} / ${t('resolve')} →`,
            ),
          ),
        ),
      );
    }),
    section(metersSlot, async () => {
      const quality = await api<Quality>(url('/api/v1/quality', { month: monthOf(day), scope })).catch(() => undefined);
      const completeness = quality?.institutions.find((i) => i.institutionId === id)?.completeness;
      return [
        h('p', { 'data-completeness': completeness ?? '' }, `${t('completeness')}: ${pct(completeness)}`),
        ...metersTable(inst, ctx.registry, quality),
      ];
    }),
  ]);
}
