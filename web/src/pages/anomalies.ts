/**
 * Anomalies: filters (type, status, scope, date range, assignee, overdue), evidence, acknowledge and
 * resolve with a comment; assign with a due date and comment (issue 17, item 3).
 */
import { addDays, today } from '../dates.js';
import { badge, card, failure, field, h, section, select } from '../dom.js';
import { t } from '../i18n.js';
import { mayAct } from '../identity.js';
import { ANOMALY_TYPE_CODES, anomalyTypeName, num, scopeName, when } from '../labels.js';
import { actOnAnomaly, anomalies, assignableUsers, institutionOfScope } from '../queries.js';
import type { PageContext } from '../router.js';
import type { Anomaly, AnomalyStatus, Registry } from '../types.js';
import { ASSIGNEES_LIST_ID, anomalyCase, overdueBadge } from './anomaly-case.js';
import { anomalyTitle, evidence } from './parts.js';

interface Filters {
  type: string;
  status: string;
  scope: string;
  from: string;
  to: string;
  assignee: string;
  overdue: boolean;
}

/** Scopes to filter by: the city, its districts and institutions. */
function scopeOptions(registry: Registry): [string, string][] {
  return [
    ['', t('city')],
    ...registry.districts.map((d): [string, string] => [`district:${d.id}`, `${t('district')} · ${d.name}`]),
    ...registry.institutions.map((i): [string, string] => [`institution:${i.id}`, `${t('institution')} · ${i.name}`]),
  ];
}

function step(label: string, s: Anomaly['acknowledged']): HTMLElement | null {
  return s === null ? null : h('p', { class: 'muted step' }, `${label}: ${s.by} · ${when(s.at)} · ${s.comment || '—'}`);
}

function item(a: Anomaly, registry: Registry, canAct: boolean, refresh: () => void): HTMLElement {
  const comment = h('input', { type: 'text', name: 'comment', placeholder: t('commentPlaceholder'), maxlength: 2000 });
  const message = h('div', {});
  const act = (action: 'ack' | 'resolve') => async () => {
    try {
      await actOnAnomaly(a.id, action, comment.value);
      refresh();
    } catch (error) {
      message.replaceChildren(failure(error));
    }
  };
  const institution = institutionOfScope(a.scope, registry);
  return h(
    'li',
    { 'data-anomaly': a.id, 'data-status': a.status, 'data-type': a.type, 'data-overdue': a.overdue },
    h(
      'div',
      { class: 'anomaly-head' },
      badge(a.status),
      badge(a.severity, `${t('severity')}: ${t(a.severity)}`),
      overdueBadge(a),
      h('strong', {}, anomalyTitle(a)),
      institution === undefined
        ? h('span', {}, scopeName(a.scope, registry))
        : h('a', { href: `/institutions/${encodeURIComponent(institution)}` }, scopeName(a.scope, registry)),
    ),
    h('p', { class: 'muted' }, `${t('wasted')}: ${num(a.wastedKgce, 1)} · ${when(a.detectedAt)}`),
    h('details', {}, h('summary', {}, t('evidence')), evidence(a)),
    step(t('acknowledged'), a.acknowledged),
    step(t('resolved'), a.resolved),
    anomalyCase(a, canAct, refresh),
    a.status === 'resolved'
      ? null
      : h(
          'div',
          { class: 'actions' },
          field(t('comment'), comment),
          a.status === 'open'
            ? h('button', { type: 'button', 'data-action': 'ack', onclick: act('ack') }, t('acknowledge'))
            : null,
          h(
            'button',
            { type: 'button', class: 'primary', 'data-action': 'resolve', onclick: act('resolve') },
            t('resolve'),
          ),
        ),
    message,
  );
}

/** Renders `/anomalies?type&status&scope&from&to&assignee&overdue=true`. */
export async function renderAnomalies(root: HTMLElement, ctx: PageContext): Promise<void> {
  const day = today();
  const q = ctx.query;
  const filters: Filters = {
    type: q.get('type') ?? '',
    status: q.get('status') ?? '',
    scope: q.get('scope') ?? '',
    from: q.get('from') ?? `${day.slice(0, 4)}-01-01`,
    to: q.get('to') ?? addDays(day, 1),
    assignee: q.get('assignee') ?? '',
    overdue: q.get('overdue') === 'true',
  };
  const fromInput = h('input', { type: 'date', name: 'from', value: filters.from });
  const toInput = h('input', { type: 'date', name: 'to', value: filters.to });
  const typeSelect = select(
    'type',
    [['', t('all')], ...ANOMALY_TYPE_CODES.map((c): [string, string] => [c, anomalyTypeName(c)])],
    filters.type,
  );
  const statusSelect = select(
    'status',
    [['', t('all')], ...(['open', 'acknowledged', 'resolved'] as const).map((s): [string, string] => [s, t(s)])],
    filters.status,
  );
  const scopeSelect = select('scope', scopeOptions(ctx.registry), filters.scope);
  const assigneeInput = h('input', { type: 'text', name: 'assignee', value: filters.assignee });
  const overdueInput = h('input', { type: 'checkbox', name: 'overdue', checked: filters.overdue });
  const form = h(
    'form',
    { class: 'controls', 'data-filters': '' },
    field(t('type'), typeSelect),
    field(t('status'), statusSelect),
    field(t('scope'), scopeSelect),
    field(t('from'), fromInput),
    field(t('to'), toInput),
    field(t('assignee'), assigneeInput),
    h('label', { class: 'field check' }, h('span', {}, t('overdueOnly')), overdueInput),
    h('button', { type: 'submit', class: 'primary' }, t('filter')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams({
      type: typeSelect.value,
      status: statusSelect.value,
      scope: scopeSelect.value,
      from: fromInput.value,
      to: toInput.value,
    });
    if (assigneeInput.value.trim() !== '') next.set('assignee', assigneeInput.value.trim());
    if (overdueInput.checked) next.set('overdue', 'true');
    ctx.navigate(`/anomalies?${next}`, true);
  });
  const list = h('div', { class: 'slot' });
  const load = () =>
    section(list, async () => {
      const found = await anomalies({
        from: filters.from,
        to: filters.to,
        scope: filters.scope || undefined,
        type: filters.type || undefined,
        status: (filters.status || undefined) as AnomalyStatus | undefined,
        assignee: filters.assignee || undefined,
        overdue: filters.overdue ? 'true' : undefined,
      });
      if (found.length === 0) return h('p', { class: 'muted', 'data-empty': '' }, t('noAnomalies'));
      // Open first, then acknowledged, then resolved; newest first within each.
      const order: Record<string, number> = { open: 0, acknowledged: 1, resolved: 2 };
      found.sort((a, b) => (order[a.status] ?? 3) - (order[b.status] ?? 3) || b.start.localeCompare(a.start));
      return h(
        'ul',
        { class: 'anomalies', 'data-count': found.length },
        ...found.map((a) => item(a, ctx.registry, mayAct(ctx.identity), () => void load())),
      );
    });
  // Suggestions for the assignee fields: the users this reader may list (none for an officer).
  const assignees = h('datalist', { id: ASSIGNEES_LIST_ID });
  void assignableUsers().then((users) =>
    assignees.replaceChildren(...users.map((u) => h('option', { value: u.username }, u.displayName))),
  );
  root.replaceChildren(
    h('div', { class: 'page-head' }, h('h1', {}, t('navAnomalies'))),
    card(t('filter'), form),
    assignees,
    list,
  );
  await load();
}
