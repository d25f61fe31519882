/**
 * The energy flow of a scope as a Sankey diagram (issue 17, item 4; README "Energy flow"): energy →
 * electricity sub-item → building in kgce (当量值), the total and the water beside it (water is no
 * part of the flow). A negative link (sub-meters measured more than their parent) cannot be drawn:
 * it is listed as a note under the diagram.
 */
import type { EnergyFlow } from '../../../core/domain/energy-flow.js';
import { api, url } from '../api.js';
import { type FlowNode, sankey } from '../charts.js';
import { addDays } from '../dates.js';
import { h } from '../dom.js';
import { lang, t } from '../i18n.js';
import { num } from '../labels.js';
import { kpi } from './parts.js';

/** `GET /api/v1/energy-flow` of a scope over [from, to). */
export async function energyFlow(scope: string, from: string, to: string): Promise<EnergyFlow> {
  return api<EnergyFlow>(url('/api/v1/energy-flow', { scope, from, to }));
}

/** The diagram of a scope over [from, to), with its total in kgce and its water in m³. */
export async function flowSection(scope: string, range: { from: string; to: string }): Promise<Node> {
  const flow = await energyFlow(scope, range.from, range.to);
  const nameOf = (id: string) => {
    const n = flow.nodes.find((x) => x.id === id);
    return n === undefined ? id : lang() === 'en' ? (n.nameEn ?? n.name) : n.name;
  };
  const drawn = flow.links.filter((l) => l.valueKgce > 0);
  const negative = flow.links.filter((l) => l.valueKgce < 0);
  const linked = new Set(drawn.flatMap((l) => [l.source, l.target]));
  const nodes: FlowNode[] = flow.nodes
    .filter((n) => linked.has(n.id))
    .map((n) => ({ id: n.id, name: nameOf(n.id), value: n.valueKgce }));
  const tiles = h(
    'div',
    { class: 'kpis' },
    kpi('flow-total', t('flowTotal'), flow.totalKgce, 'kgce'),
    kpi('flow-water', t('flowWater'), flow.waterM3, 'm3'),
  );
  const notes = negative.map((l) =>
    h(
      'p',
      { class: 'notice', 'data-negative': `${l.source}>${l.target}`, 'data-value': l.valueKgce },
      t('flowNegative', { from: nameOf(l.source), to: nameOf(l.target), value: num(l.valueKgce, 1) }),
    ),
  );
  const diagram =
    drawn.length === 0
      ? h('p', { class: 'muted', 'data-flow-empty': '' }, t('flowEmpty'))
      : sankey('flow', {
          nodes,
          links: drawn.map((l) => ({ source: l.source, target: l.target, value: l.valueKgce })),
          unit: 'kgce',
        });
  return h(
    'div',
    { 'data-flow': scope, 'data-from': range.from, 'data-to': range.to },
    tiles,
    diagram,
    ...notes,
    h('p', { class: 'muted' }, `${range.from} – ${addDays(range.to, -1)} · ${flow.coefficients}`),
  );
}
