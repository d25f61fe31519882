/**
 * The ranking of institutions by intensity (kgce per m², this month), as in the public notice (通报),
 * with the institutions over a target and those with open anomalies highlighted.
 */
import { chart } from '../charts.js';
import { yearRange } from '../dates.js';
import { badge, h, table } from '../dom.js';
import { t } from '../i18n.js';
import { num, pct, showUnit } from '../labels.js';
import {
  anomalies,
  institutionOfScope,
  institutionsIn,
  intensityRanking,
  targetProgress,
  targets,
} from '../queries.js';
import type { Registry } from '../types.js';
import type { FigureUnit } from '../units.js';

/** How many institutions the chart shows (the table lists all). */
const CHART_TOP = 15;

/** Open anomalies per institution of a scope, this year. */
async function openAnomalyCounts(scope: string, year: string, registry: Registry): Promise<Map<string, number>> {
  const list = await anomalies({ ...yearRange(year), scope, status: 'open' });
  const counts = new Map<string, number>();
  for (const a of list) {
    const id = institutionOfScope(a.scope, registry);
    if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** Institutions of the scope with a target of the year whose status is `over`. */
async function overTarget(scope: string, year: string, registry: Registry): Promise<Set<string>> {
  const ids = new Set(institutionsIn(scope, registry).map((i) => i.id));
  const scopes = [...new Set((await targets(year)).map((x) => x.scope))].filter(
    (s) => s.startsWith('institution:') && ids.has(s.slice('institution:'.length)),
  );
  const progress = await Promise.all(scopes.map((s) => targetProgress(s, year)));
  return new Set(
    scopes.filter((_, i) => progress[i]?.some((p) => p.status === 'over')).map((s) => s.slice('institution:'.length)),
  );
}

/** Highlights are extras: a 403 on anomalies or targets leaves the ranking itself standing. */
const orEmpty = <T>(p: Promise<T>, empty: T): Promise<T> => p.catch(() => empty);

/**
 * The ranking card's content. It stays in kgce/m², the public notice's indicator, whatever the
 * page's unit; links to an institution carry that unit (`unit`, other than the default kgce).
 */
export async function rankingSection(
  scope: string,
  period: { month: string; year: string },
  registry: Registry,
  unit: FigureUnit = 'kgce',
): Promise<Node[]> {
  const linkQuery = unit === 'kgce' ? '' : `?unit=${unit}`;
  const [ranking, open, over] = await Promise.all([
    intensityRanking(scope, period.month, registry),
    orEmpty(openAnomalyCounts(scope, period.year, registry), new Map<string, number>()),
    orEmpty(overTarget(scope, period.year, registry), new Set<string>()),
  ]);
  const districts = new Map(registry.districts.map((d) => [d.id, d.name]));
  const top = ranking.entries.slice(0, CHART_TOP);
  const graph = chart(
    'ranking',
    {
      categories: top.map((e) => e.name),
      unit: showUnit(ranking.unit),
      horizontal: true,
      series: [{ key: 'intensity', name: showUnit(ranking.unit), type: 'bar', data: top.map((e) => e.value) }],
    },
    Math.max(160, 28 * top.length + 40),
  );
  const rows = table(
    [
      t('rank'),
      t('institution'),
      t('district'),
      t('type'),
      `${t('value')} (${showUnit(ranking.unit)})`,
      t('completeness'),
      '',
    ],
    ranking.entries,
    (e) => [
      String(e.rank),
      h('a', { href: `/institutions/${encodeURIComponent(e.institutionId)}${linkQuery}` }, e.name),
      districts.get(e.districtId) ?? e.districtId,
      t(e.type),
      num(e.value, 4),
      pct(e.completeness),
      h(
        'span',
        { class: 'flags' },
        over.has(e.institutionId) ? badge('over', t('overTarget')) : null,
        open.has(e.institutionId) ? badge('open', `${t('openAnomalies')} ${open.get(e.institutionId)}`) : null,
      ),
    ],
    (e) => ({
      'data-institution': e.institutionId,
      'data-value': e.value,
      class: [over.has(e.institutionId) ? 'row-over' : '', open.has(e.institutionId) ? 'row-anomaly' : '']
        .join(' ')
        .trim(),
      'data-over-target': over.has(e.institutionId),
      'data-open-anomalies': open.get(e.institutionId) ?? 0,
    }),
  );
  return [
    ...(ranking.computed === true
      ? [h('p', { class: 'muted', 'data-ranking-computed': '' }, t('rankingComputed'))]
      : []),
    graph,
    rows,
  ];
}
