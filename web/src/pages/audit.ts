/**
 * The data audit (README, "Data audit (数据会审) and sign-off"): a year's flags by scope and status
 * with their evidence, resolving an open one (explained with a comment, corrected or accepted),
 * and the statistics forms with the sign-off of each institution's year.
 */
import { api, url } from '../api.js';
import { today } from '../dates.js';
import { badge, card, field, h, section, select } from '../dom.js';
import { apiField, done, onSubmit } from '../forms.js';
import { t } from '../i18n.js';
import { homeScope, mayAct } from '../identity.js';
import { evidenceKey, num, scopeName, when } from '../labels.js';
import type { PageContext } from '../router.js';
import type { Registry } from '../types.js';
import type { AuditFlagView } from '../types-admin.js';
import { statistics } from './audit-statistics.js';
import { scopePicker } from './pickers.js';

const STATUSES = ['open', 'explained', 'corrected', 'accepted'] as const;

function evidenceList(flag: AuditFlagView): HTMLElement {
  const show = (v: unknown) => (typeof v === 'number' ? num(v, 4) : typeof v === 'string' ? v : JSON.stringify(v));
  return h(
    'dl',
    { class: 'evidence' },
    ...Object.entries(flag.evidence).flatMap(([k, v]) => [h('dt', {}, evidenceKey(k)), h('dd', {}, show(v))]),
  );
}

function resolveForm(flag: AuditFlagView, onResolved: () => void): HTMLElement {
  const status = select(
    'status',
    STATUSES.filter((s) => s !== 'open').map((s): [string, string] => [s, t(`flag_${s}`)]),
    'explained',
  );
  const comment = h('input', { type: 'text', name: 'comment', maxlength: 2000, placeholder: t('commentPlaceholder') });
  const general = h('div', { 'data-form-status': 'resolve' });
  const form = h(
    'form',
    { class: 'actions', 'data-form': 'resolve' },
    apiField(t('resolution'), status),
    apiField(t('comment'), comment, t('explainHint')),
    h('button', { type: 'submit', class: 'primary' }, t('resolve')),
  );
  onSubmit(form, general, async () => {
    await api<AuditFlagView>(`/api/v1/audit-flags/${encodeURIComponent(flag.id)}/resolve`, {
      method: 'POST',
      body: { status: status.value, comment: comment.value },
    });
    onResolved();
    return done(t('flagResolved'), flag.id);
  });
  return h('div', {}, form, general);
}

function flagItem(flag: AuditFlagView, registry: Registry, act: boolean, onResolved: () => void): HTMLElement {
  const r = flag.resolution;
  return h(
    'li',
    { 'data-flag': flag.id, 'data-status': flag.status, 'data-rule': flag.rule },
    h(
      'div',
      { class: 'anomaly-head' },
      badge(flag.status === 'open' ? 'open' : 'resolved', t(`flag_${flag.status}`)),
      badge(flag.severity, `${t('severity')}: ${t(flag.severity)}`),
      h('strong', {}, t(`rule_${flag.rule}`)),
      h('span', {}, scopeName(flag.scope, registry)),
    ),
    h('p', {}, flag.message),
    h('details', {}, h('summary', {}, t('evidence')), evidenceList(flag)),
    r === null
      ? null
      : h('p', { class: 'muted step' }, `${t(`flag_${r.status}`)}: ${r.by} · ${when(r.at)} · ${r.comment || '—'}`),
    flag.status === 'open' && act ? resolveForm(flag, onResolved) : null,
  );
}

/** Renders `/audit?year&scope&status`. */
export async function renderAudit(root: HTMLElement, ctx: PageContext): Promise<void> {
  const q = ctx.query;
  const year = q.get('year') ?? String(Number(today().slice(0, 4)) - 1);
  const scope = q.get('scope') ?? homeScope(ctx.identity);
  const status = q.get('status') ?? '';
  const yearInput = h('input', { type: 'number', name: 'year', value: year, min: 2000, max: 2100, step: 1 });
  const scopeSelect = scopePicker('scope', ctx.registry, scope, ctx.identity);
  const statusSelect = select(
    'status',
    [['', t('all')], ...STATUSES.map((s): [string, string] => [s, t(`flag_${s}`)])],
    status,
  );
  const filters = h(
    'form',
    { class: 'controls', 'data-filters': '' },
    field(t('year'), yearInput),
    field(t('scope'), scopeSelect),
    field(t('status'), statusSelect),
    h('button', { type: 'submit', class: 'primary' }, t('filter')),
  );
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams({ year: yearInput.value, scope: scopeSelect.value, status: statusSelect.value });
    ctx.navigate(`/audit?${next}`, true);
  });
  const flagsSlot = h('div', { class: 'slot' });
  const statsSlot = h('div', {});
  const act = mayAct(ctx.identity);
  const loadFlags = (): Promise<void> =>
    section(flagsSlot, async () => {
      const res = await api<{ flags: AuditFlagView[] }>(
        url('/api/v1/audit-flags', { year, scope, status: status || undefined }),
      );
      if (res.flags.length === 0) return h('p', { class: 'muted', 'data-flags': 0 }, t('noFlags'));
      const order: Record<string, number> = { open: 0 };
      const flags = [...res.flags].sort(
        (a, b) =>
          (order[a.status] ?? 1) - (order[b.status] ?? 1) || a.scope.localeCompare(b.scope) || a.id.localeCompare(b.id),
      );
      return h(
        'ul',
        { class: 'anomalies', 'data-flags': flags.length },
        ...flags.map((f) => flagItem(f, ctx.registry, act, () => void loadFlags())),
      );
    });
  root.replaceChildren(
    h('div', { class: 'page-head' }, h('h1', {}, t('navAudit'))),
    card(t('filter'), filters),
    card(t('auditFlags', { year }), h('p', { class: 'muted' }, t('auditNote')), flagsSlot),
    statsSlot,
  );
  statsSlot.replaceChildren(statistics(ctx.registry, year, scope, act, () => void loadFlags()));
  await loadFlags();
}
