/**
 * City (or district) overview: this month's and this year's totals in kgce and by energy type,
 * target progress, the daily trend, the ranking by intensity and the districts to drill into.
 */
import { chart } from '../charts.js';
import { addDays, bucketLabel, monthOf, monthRange, today, yearRange } from '../dates.js';
import { card, h, section, table } from '../dom.js';
import { t } from '../i18n.js';
import { countsAsEnergy, energyName, nativeUnit, num, pct, scopeName } from '../labels.js';
import { consumption, energiesIn, targetProgress } from '../queries.js';
import type { PageContext } from '../router.js';
import type { Consumption, Energy, Registry } from '../types.js';
import { kpi, targetTable } from './parts.js';
import { rankingSection } from './ranking.js';

interface Period {
  readonly month: string;
  readonly year: string;
}

const slot = () => h('div', { class: 'slot' });

/** The value of a monthly series' bucket for `month`. */
const monthValue = (c: Consumption, month: string) => c.series.find((p) => p.start.startsWith(month))?.value ?? 0;

async function totals(scope: string, energies: readonly Energy[], period: Period): Promise<Node[]> {
  const year = yearRange(period.year);
  const base = { scope, ...year, interval: 'month' as const };
  const [all, ...perEnergy] = await Promise.all([
    consumption({ ...base, unit: 'kgce' }),
    ...energies.map(async (energy) => {
      const [native, kgce] = await Promise.all([
        consumption({ ...base, energy, unit: 'native' }),
        countsAsEnergy(energy) ? consumption({ ...base, energy, unit: 'kgce' }) : undefined,
      ]);
      return { energy, native, kgce };
    }),
  ]);
  if (all === undefined) return [];
  const monthKgce = monthValue(all, period.month);
  const tiles = h(
    'div',
    { class: 'kpis' },
    kpi('month-kgce', `${t('thisMonth')} · ${t('total')}`, monthKgce, 'kgce'),
    kpi('year-kgce', `${t('thisYear')} · ${t('total')}`, all.total, 'kgce'),
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
      `${t('thisMonth')} kgce`,
      `${t('thisYear')} kgce`,
      t('share'),
    ],
    perEnergy,
    (e) => [
      energyName(e.energy),
      `${num(monthValue(e.native, period.month), 1)} ${nativeUnit(e.energy)}`,
      `${num(e.native.total, 1)} ${nativeUnit(e.energy)}`,
      e.kgce === undefined ? '—' : num(monthValue(e.kgce, period.month), 1),
      e.kgce === undefined ? '—' : num(e.kgce.total, 1),
      e.kgce === undefined || all.total === 0 ? '—' : pct(e.kgce.total / all.total),
    ],
    (e) => ({ 'data-energy': e.energy }),
  );
  const water = energies.includes('water') ? h('p', { class: 'muted' }, t('waterNote')) : null;
  return [tiles, h('h3', {}, t('byEnergy')), rows, ...(water === null ? [] : [water])];
}

async function trend(scope: string, energies: readonly Energy[]): Promise<Node> {
  const day = today();
  const range = { from: addDays(day, -29), to: addDays(day, 1) };
  const counted = energies.filter(countsAsEnergy);
  const series = await Promise.all(
    counted.map((energy) => consumption({ scope, ...range, interval: 'day', energy, unit: 'kgce' })),
  );
  const categories = series[0]?.series.map((p) => bucketLabel(p.start, 'day')) ?? [];
  return chart('trend', {
    categories,
    unit: 'kgce',
    series: counted.map((energy, i) => ({
      key: energy,
      name: energyName(energy),
      type: 'bar',
      stack: 'kgce',
      data: series[i]?.series.map((p) => p.value) ?? [],
    })),
  });
}

async function districts(registry: Registry, period: Period): Promise<Node> {
  const range = monthRange(period.month);
  const year = yearRange(period.year);
  const rows = await Promise.all(
    registry.districts.map(async (d) => {
      const scope = `district:${d.id}`;
      const [month, annual] = await Promise.all([
        consumption({ scope, ...range, interval: 'month', unit: 'kgce' }),
        consumption({ scope, ...year, interval: 'year', unit: 'kgce' }),
      ]);
      return { d, month: month.total, year: annual.total, completeness: month.series[0]?.completeness };
    }),
  );
  return table(
    [t('district'), `${t('thisMonth')} kgce`, `${t('thisYear')} kgce`, t('completeness'), ''],
    rows,
    (r) => [
      r.d.name,
      num(r.month, 1),
      num(r.year, 1),
      pct(r.completeness),
      h('a', { href: `/overview?district=${encodeURIComponent(r.d.id)}`, 'data-district': r.d.id }, t('drillDown')),
    ],
    (r) => ({ 'data-row': r.d.id, 'data-value': r.month }),
  );
}

/** Renders the overview of the city, or of `?district=ID`. */
export async function renderOverview(root: HTMLElement, ctx: PageContext): Promise<void> {
  const district = ctx.query.get('district');
  const scope = district === null ? 'city' : `district:${district}`;
  const day = today();
  const period: Period = { month: monthOf(day), year: day.slice(0, 4) };
  const energies = energiesIn(scope, ctx.registry);
  const [totalsSlot, targetsSlot, trendSlot, rankingSlot, districtsSlot] = [slot(), slot(), slot(), slot(), slot()];
  root.replaceChildren(
    h(
      'div',
      { class: 'page-head' },
      h('h1', { 'data-scope': scope }, scopeName(scope, ctx.registry)),
      district === null ? null : h('a', { href: '/overview', class: 'back' }, `← ${t('backToCity')}`),
      h('span', { class: 'muted' }, `${period.month} · ${t('thisYear')} ${period.year}`),
    ),
    card(`${t('thisMonth')} / ${t('thisYear')}`, totalsSlot),
    h('div', { class: 'grid-2' }, card(t('trendDaily'), trendSlot), card(t('targets'), targetsSlot)),
    card(t('ranking'), rankingSlot),
  );
  if (district === null) root.append(card(t('districts'), districtsSlot));
  await Promise.all([
    section(totalsSlot, () => totals(scope, energies, period)),
    section(trendSlot, () => trend(scope, energies)),
    section(targetsSlot, async () => targetTable(await targetProgress(scope, period.year))),
    section(rankingSlot, () => rankingSection(scope, period, ctx.registry)),
    district === null ? section(districtsSlot, () => districts(ctx.registry, period)) : undefined,
  ]);
}
