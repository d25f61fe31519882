/**
 * City (or district) overview: this month's and this year's totals in the chosen unit (`?unit=`:
 * kgce 当量值 by default, kgce_ev 等价值, yuan, kgCO₂) with where they come from, and by energy
 * type; target progress, the daily trend, the ranking by intensity and the districts to drill into;
 * `?compare=` adds the compared period's line and the change of the totals (issue 17, item 3).
 */
import { chart } from '../charts.js';
import { addDays, bucketLabel, monthOf, monthRange, today, yearRange } from '../dates.js';
import { card, field, h, section, select, table } from '../dom.js';
import { t } from '../i18n.js';
import type { Identity } from '../identity.js';
import { energyName, nativeUnit, num, pct, scopeName } from '../labels.js';
import { consumption, energiesIn, targetProgress } from '../queries.js';
import type { PageContext } from '../router.js';
import type { Consumption, Energy, Registry } from '../types.js';
import {
  digitsOf,
  FIGURE_UNITS,
  type FigureUnit,
  measureName,
  unitApplies,
  unitOf,
  unitOptionName,
  unitSymbol,
} from '../units.js';
import {
  type Compare,
  changeKpi,
  compareControl,
  comparedLabel,
  compareName,
  compareOf,
  compareParam,
  comparisonLine,
} from './compare.js';
import { flowSection } from './energy-flow.js';
import { kpi, targetTable } from './parts.js';
import { provenance } from './provenance.js';
import { rankingSection } from './ranking.js';

interface Period {
  readonly month: string;
  readonly year: string;
}

const slot = () => h('div', { class: 'slot' });

/** The value of a monthly series' bucket for `month`. */
const monthValue = (c: Consumption, month: string) => c.series.find((p) => p.start.startsWith(month))?.value ?? 0;

/** The overview's address with its choices; kgce, the default unit, and no comparison are left out. */
function overviewHref(district: string | null, unit: FigureUnit, compare: Compare = 'none'): string {
  const q = new URLSearchParams();
  if (district !== null) q.set('district', district);
  if (unit !== 'kgce') q.set('unit', unit);
  if (compare !== 'none') q.set('compare', compare);
  const s = q.toString();
  return s === '' ? '/overview' : `/overview?${s}`;
}

/** What the water line under the table says in a unit: not energy, no CO₂ factor, or in the cost. */
const WATER_NOTE: Readonly<Record<FigureUnit, string>> = {
  kgce: 'waterNote',
  kgce_ev: 'waterNote',
  kgco2: 'waterNoteCo2',
  yuan: 'waterNoteYuan',
};

async function totals(
  scope: string,
  energies: readonly Energy[],
  period: Period,
  unit: FigureUnit,
  compare: Compare,
): Promise<Node[]> {
  const year = yearRange(period.year);
  const base = { scope, ...year, interval: 'month' as const };
  const [all, ...perEnergy] = await Promise.all([
    consumption({ ...base, unit, compare: compareParam(compare) }),
    ...energies.map(async (energy) => {
      const [native, figure] = await Promise.all([
        consumption({ ...base, energy, unit: 'native' }),
        unitApplies(unit, energy) ? consumption({ ...base, energy, unit }) : undefined,
      ]);
      return { energy, native, figure };
    }),
  ]);
  if (all === undefined) return [];
  const digits = digitsOf(unit);
  const symbol = unitSymbol(unit);
  const tiles = h(
    'div',
    { class: 'kpis' },
    kpi(`month-${unit}`, `${t('thisMonth')} · ${t('total')}`, monthValue(all, period.month), unit),
    kpi(`year-${unit}`, `${t('thisYear')} · ${t('total')}`, all.total, unit),
    ...(all.comparison === undefined
      ? []
      : [
          kpi(`year-compared-${unit}`, `${t('thisYear')} · ${compareName(compare)}`, all.comparison.total, unit),
          changeKpi('year-change', all.comparison.change),
        ]),
    ...perEnergy.map((e) =>
      kpi(
        `month-${e.energy}`,
        `${t('thisMonth')} · ${energyName(e.energy)}`,
        monthValue(e.native, period.month),
        nativeUnit(e.energy),
      ),
    ),
  );
  const rows = table(
    [
      t('energy'),
      `${t('thisMonth')} (${t('native')})`,
      `${t('thisYear')} (${t('native')})`,
      `${t('thisMonth')} ${symbol}`,
      `${t('thisYear')} ${symbol}`,
      t('share'),
    ],
    perEnergy,
    (e) => [
      energyName(e.energy),
      `${num(monthValue(e.native, period.month), 1)} ${nativeUnit(e.energy)}`,
      `${num(e.native.total, 1)} ${nativeUnit(e.energy)}`,
      e.figure === undefined ? '—' : num(monthValue(e.figure, period.month), digits),
      e.figure === undefined ? '—' : num(e.figure.total, digits),
      e.figure === undefined || all.total === 0 ? '—' : pct(e.figure.total / all.total),
    ],
    (e) => ({
      'data-energy': e.energy,
      'data-month': e.figure === undefined ? undefined : monthValue(e.figure, period.month),
      'data-year': e.figure?.total,
    }),
  );
  const water = energies.includes('water') ? h('p', { class: 'muted' }, t(WATER_NOTE[unit])) : null;
  return [
    tiles,
    provenance(all, unit, t('thisYear')),
    h('h3', {}, t('byEnergy')),
    rows,
    ...(water === null ? [] : [water]),
  ];
}

/** The daily trend of the last 30 days by energy; with a comparison, its line and the change of the total. */
async function trend(scope: string, energies: readonly Energy[], unit: FigureUnit, compare: Compare): Promise<Node> {
  const day = today();
  const range = { from: addDays(day, -29), to: addDays(day, 1) };
  const counted = energies.filter((e) => unitApplies(unit, e));
  const [all, ...series] = await Promise.all([
    compare === 'none' ? undefined : consumption({ scope, ...range, interval: 'day', unit, compare }),
    ...counted.map((energy) => consumption({ scope, ...range, interval: 'day', energy, unit })),
  ]);
  const categories = series[0]?.series.map((p) => bucketLabel(p.start, 'day')) ?? [];
  const bars = counted.map((energy, i) => ({
    key: energy,
    name: energyName(energy),
    type: 'bar' as const,
    stack: unit,
    data: series[i]?.series.map((p) => p.value) ?? [],
  }));
  const comparison = all?.comparison;
  const figure = chart('trend', {
    categories,
    unit: unitSymbol(unit),
    series: comparison === undefined ? bars : [...bars, comparisonLine(compare, comparison)],
  });
  if (all === undefined || comparison === undefined) return figure;
  return h(
    'div',
    { 'data-compare': compare, 'data-from': range.from, 'data-to': range.to },
    h(
      'div',
      { class: 'kpis' },
      kpi('trend-total', `${t('total')} (${range.from} – ${day})`, all.total, unit),
      kpi('trend-compared', comparedLabel(compare, comparison), comparison.total, unit),
      changeKpi('trend-change', comparison.change),
    ),
    figure,
  );
}

async function districts(registry: Registry, period: Period, unit: FigureUnit, compare: Compare): Promise<Node> {
  const range = monthRange(period.month);
  const year = yearRange(period.year);
  const rows = await Promise.all(
    registry.districts.map(async (d) => {
      const scope = `district:${d.id}`;
      const [month, annual, quality] = await Promise.all([
        consumption({ scope, ...range, interval: 'month', unit }),
        consumption({ scope, ...year, interval: 'year', unit }),
        // A cost answer has no completeness: the month's kgce answer gives it.
        unit === 'yuan' ? consumption({ scope, ...range, interval: 'month', unit: 'kgce' }) : undefined,
      ]);
      const completeness = (quality ?? month).series[0]?.completeness;
      return { d, month: month.total, year: annual.total, completeness };
    }),
  );
  const symbol = unitSymbol(unit);
  return table(
    [t('district'), `${t('thisMonth')} ${symbol}`, `${t('thisYear')} ${symbol}`, t('completeness'), ''],
    rows,
    (r) => [
      r.d.name,
      num(r.month, digitsOf(unit)),
      num(r.year, digitsOf(unit)),
      pct(r.completeness),
      h('a', { href: overviewHref(r.d.id, unit, compare), 'data-district': r.d.id }, t('drillDown')),
    ],
    (r) => ({ 'data-row': r.d.id, 'data-value': r.month, 'data-year': r.year }),
  );
}

/**
 * Where a scoped user's overview starts: its first district's overview, or (scoped to institutions
 * only) its first institution's page; undefined for a user who may read the city.
 */
function ownStart(who: Identity, unit: FigureUnit, compare: Compare): string | undefined {
  if (who.kind !== 'user' || who.user.scopes.length === 0) return undefined;
  const district = who.user.scopes.find((s) => s.startsWith('district:'));
  if (district !== undefined) return overviewHref(district.slice('district:'.length), unit, compare);
  const institution = who.user.scopes.find((s) => s.startsWith('institution:'));
  return institution === undefined ? undefined : `/institutions/${encodeURIComponent(institution.slice(12))}`;
}

/** Renders the overview of the city, or of `?district=ID`; `?unit=kgce_ev|yuan|kgco2` chooses the unit. */
export async function renderOverview(root: HTMLElement, ctx: PageContext): Promise<void> {
  const district = ctx.query.get('district');
  const unit = unitOf(ctx.query.get('unit'), FIGURE_UNITS, 'kgce');
  const compare = compareOf(ctx.query.get('compare'), 'none');
  // A user limited to districts or institutions may not read the city: its overview is its own.
  const own = district === null ? ownStart(ctx.identity, unit, compare) : undefined;
  if (own !== undefined) {
    ctx.navigate(own, true);
    return;
  }
  const scope = district === null ? 'city' : `district:${district}`;
  const day = today();
  const period: Period = { month: monthOf(day), year: day.slice(0, 4) };
  const energies = energiesIn(scope, ctx.registry);
  const [totalsSlot, targetsSlot, trendSlot, flowSlot, rankingSlot, districtsSlot] = [
    slot(),
    slot(),
    slot(),
    slot(),
    slot(),
    slot(),
  ];
  root.replaceChildren(
    h(
      'div',
      { class: 'page-head' },
      h('h1', { 'data-scope': scope }, scopeName(scope, ctx.registry)),
      district === null
        ? null
        : h('a', { href: overviewHref(null, unit, compare), class: 'back' }, `← ${t('backToCity')}`),
      h('span', { class: 'muted' }, `${period.month} · ${t('thisYear')} ${period.year}`),
      field(
        t('unit'),
        select(
          'unit',
          FIGURE_UNITS.map((u) => [u, unitOptionName(u)]),
          unit,
          (v) => ctx.navigate(overviewHref(district, unitOf(v, FIGURE_UNITS, 'kgce'), compare), true),
        ),
      ),
      compareControl(compare, (next) => ctx.navigate(overviewHref(district, unit, next), true)),
    ),
    card(`${t('thisMonth')} / ${t('thisYear')}`, totalsSlot),
    h(
      'div',
      { class: 'grid-2' },
      card(t('trendDaily', { measure: measureName(unit), unit: unitSymbol(unit) }), trendSlot),
      card(t('targets'), targetsSlot),
    ),
    card(t('energyFlow'), flowSlot),
    card(t('ranking'), rankingSlot),
  );
  if (district === null) root.append(card(t('districts'), districtsSlot));
  await Promise.all([
    section(totalsSlot, () => totals(scope, energies, period, unit, compare)),
    section(trendSlot, () => trend(scope, energies, unit, compare)),
    section(targetsSlot, async () => targetTable(await targetProgress(scope, period.year))),
    section(flowSlot, () => flowSection(scope, { from: addDays(day, -29), to: addDays(day, 1) })),
    section(rankingSlot, () => rankingSection(scope, period, ctx.registry, unit)),
    district === null ? section(districtsSlot, () => districts(ctx.registry, period, unit, compare)) : undefined,
  ]);
}
