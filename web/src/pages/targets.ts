/**
 * Targets (README, "Targets, budgets and anomalies", "Five-year targets"): a scope's quotas and
 * five-year reductions for a year with their progress, and forms to set a monthly or annual quota
 * or a reduction against a base year. Officers set them in their scopes, admins anywhere.
 */
import type { z } from 'zod';
import type { ReductionProgressSchema } from '../../../api/schemas/targets.js';
import { api, url } from '../api.js';
import { ENERGIES } from '../codes.js';
import { today } from '../dates.js';
import { badge, card, field, h, section, select, table } from '../dom.js';
import { apiField, done, onSubmit } from '../forms.js';
import { t } from '../i18n.js';
import { homeScope, mayAct } from '../identity.js';
import { energyName, num, showUnit } from '../labels.js';
import type { PageContext } from '../router.js';
import type { Target, TargetProgress } from '../types.js';
import { targetTable } from './parts.js';
import { scopePicker } from './pickers.js';

/** A five-year reduction target's progress (`/targets/progress`, `reductions`). */
type Reduction = z.output<typeof ReductionProgressSchema>;

type StoredTarget = Target & { kind?: 'quota' | 'reduction'; baseYear?: number; reductionPct?: number };

const INTENSITY_UNITS = ['kgce/m2', 'kgce/capita', 'kgce_ev/m2', 'kgco2/m2', 'kgco2/capita', 'm3/capita'];

function energyChoice(value = 'all'): HTMLSelectElement {
  return select(
    'energy',
    [['all', t('total')], ...Object.keys(ENERGIES).map((e): [string, string] => [e, energyName(e)])],
    value,
  );
}

function unitInput(listId: string, units: readonly string[], value = ''): [HTMLInputElement, HTMLElement] {
  const input = h('input', { type: 'text', name: 'unit', required: true, list: listId, value });
  return [input, h('datalist', { id: listId }, ...units.map((u) => h('option', { value: u })))];
}

function quotaForm(scope: string, year: string, reload: () => void): HTMLElement {
  const energy = energyChoice();
  const period = h('input', {
    type: 'text',
    name: 'period',
    required: true,
    value: year,
    placeholder: 'YYYY / YYYY-MM',
  });
  const value = h('input', { type: 'number', name: 'value', required: true, min: 0, step: 'any' });
  const [unit, units] = unitInput('quota-units', ['kgce', 'kgce/m2', 'kgce/capita', 'kWh', 'm3', 'kgco2'], 'kgce');
  const general = h('div', { 'data-form-status': 'quota' });
  const form = h(
    'form',
    { class: 'controls', 'data-form': 'quota' },
    apiField(t('energy'), energy),
    apiField(t('period'), period, t('periodHint')),
    apiField(t('value'), value),
    apiField(t('unit'), unit as HTMLInputElement),
    units,
    h('button', { type: 'submit', class: 'primary' }, t('save')),
  );
  onSubmit(form, general, async () => {
    const target = {
      scope,
      energy: energy.value,
      period: period.value.trim(),
      value: Number(value.value),
      unit: unit.value.trim(),
    };
    await api('/api/v1/targets', { method: 'PUT', body: { targets: [target] } });
    reload();
    return done(t('targetSaved'), 'quota');
  });
  return h('div', {}, form, general);
}

function reductionForm(scope: string, year: string, reload: () => void): HTMLElement {
  const energy = energyChoice();
  const baseYear = h('input', { type: 'number', name: 'baseYear', required: true, value: Number(year) - 5, step: 1 });
  const period = h('input', { type: 'number', name: 'period', required: true, value: year, step: 1 });
  const pctInput = h('input', { type: 'number', name: 'reductionPct', required: true, min: 0, max: 100, step: 'any' });
  const [unit, units] = unitInput('reduction-units', INTENSITY_UNITS, 'kgce/m2');
  const general = h('div', { 'data-form-status': 'reduction' });
  const form = h(
    'form',
    { class: 'controls', 'data-form': 'reduction' },
    apiField(t('energy'), energy),
    apiField(t('baseYear'), baseYear),
    apiField(t('targetYear'), period),
    apiField(t('reductionPct'), pctInput),
    apiField(t('unit'), unit as HTMLInputElement),
    units,
    h('button', { type: 'submit', class: 'primary' }, t('save')),
  );
  onSubmit(form, general, async () => {
    const target = {
      scope,
      energy: energy.value,
      kind: 'reduction',
      baseYear: Number(baseYear.value),
      period: period.value.trim(),
      reductionPct: Number(pctInput.value),
      unit: unit.value.trim(),
    };
    await api('/api/v1/targets', { method: 'PUT', body: { targets: [target] } });
    reload();
    return done(t('targetSaved'), 'reduction');
  });
  return h('div', {}, form, general);
}

function reductionTable(rows: readonly Reduction[]): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'muted' }, t('noReductions'));
  const pct = (v: number | null) => (v === null ? '—' : `${num(v, 2)} %`);
  return table(
    [
      t('energy'),
      t('unit'),
      t('baseYear'),
      t('targetYear'),
      t('reductionPct'),
      t('targetValue'),
      t('reductionSoFar'),
      t('status'),
    ],
    rows,
    (r) => [
      energyName(r.energy),
      showUnit(r.unit),
      `${r.baseYear}: ${r.base.value === null ? '—' : num(r.base.value, 3)}`,
      r.period,
      pct(r.reductionPct),
      r.targetValue === null ? '—' : num(r.targetValue, 3),
      `${pct(r.reductionSoFarPct)}${r.asOfYear === null ? '' : ` (${r.asOfYear})`}`,
      badge(r.status),
    ],
    (r) => ({ 'data-reduction': `${r.energy}|${r.unit}|${r.period}`, 'data-status': r.status }),
  );
}

function storedTable(rows: readonly StoredTarget[]): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'muted' }, t('noTargets'));
  return table(
    [t('kind'), t('period'), t('energy'), t('value'), t('unit')],
    rows,
    (x) => [
      t(x.kind === 'reduction' ? 'kindReduction' : 'kindQuota'),
      x.kind === 'reduction' ? `${x.baseYear} → ${x.period}` : x.period,
      energyName(x.energy),
      x.kind === 'reduction' ? `−${num(x.reductionPct ?? 0, 2)} %` : num(x.value, 3),
      showUnit(x.unit),
    ],
    (x) => ({ 'data-stored-target': `${x.kind ?? 'quota'}|${x.energy}|${x.period}|${x.unit}` }),
  );
}

/**
 * The quotas' year to date under reference weather (`normalize=normal|base`, issue 18, item 4):
 * raw and normalised, the adjustment, the status of the normalised figures and how many
 * institution-energies count raw.
 */
function normalizedTable(rows: readonly TargetProgress[]): HTMLElement {
  return table(
    [
      t('period'),
      t('energy'),
      t('unit'),
      t('toDate'),
      t('normalizedToDate'),
      t('weatherAdjustment'),
      t('status'),
      t('notNormalizedCount'),
    ],
    rows,
    (p) => {
      const n = p.normalized;
      if (n === undefined || n.status === 'refused')
        return [p.period, energyName(p.energy), showUnit(p.unit), num(p.toDate, 3), '—', n?.reason ?? '—', '', ''];
      return [
        p.period,
        energyName(p.energy),
        showUnit(p.unit),
        num(p.toDate, 3),
        num(n.toDate, 3),
        num(n.adjustment, 3),
        badge(n.targetStatus),
        String(n.institutions.notNormalized.length),
      ];
    },
    (p) => ({
      'data-normalized-target': `${p.energy}|${p.period}|${p.unit}`,
      'data-value': p.normalized?.status === 'normalized' ? p.normalized.toDate : '',
    }),
  );
}

/** Renders `/targets?scope&year&normalize`. */
export async function renderTargets(root: HTMLElement, ctx: PageContext): Promise<void> {
  const scope = ctx.query.get('scope') ?? homeScope(ctx.identity);
  const year = ctx.query.get('year') ?? today().slice(0, 4);
  const scopeSelect = scopePicker('scope', ctx.registry, scope, ctx.identity);
  const yearInput = h('input', { type: 'number', name: 'year', value: year, min: 2000, max: 2100, step: 1 });
  const asked = ctx.query.get('normalize');
  const normalize = asked === 'normal' || asked === 'base' ? asked : '';
  const normalizeSelect = select(
    'normalize',
    [
      ['', t('normalizeNone')],
      ['normal', t('normalizeNormal')],
      ['base', t('normalizeBase')],
    ],
    normalize,
  );
  const filters = h(
    'form',
    { class: 'controls', 'data-filters': '' },
    field(t('scope'), scopeSelect),
    field(t('year'), yearInput),
    field(t('weatherNormalized'), normalizeSelect),
    h('button', { type: 'submit', class: 'primary' }, t('show')),
  );
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = { scope: scopeSelect.value, year: yearInput.value };
    const query = new URLSearchParams(
      normalizeSelect.value === '' ? next : { ...next, normalize: normalizeSelect.value },
    );
    ctx.navigate(`/targets?${query}`, true);
  });
  const progressSlot = h('div', { class: 'slot' });
  const storedSlot = h('div', { class: 'slot' });
  const load = () =>
    Promise.all([
      section(progressSlot, async () => {
        const res = await api<{ progress: TargetProgress[]; reductions: Reduction[] }>(
          url('/api/v1/targets/progress', { scope, year, normalize }),
        );
        return [
          h('h3', {}, t('quotas')),
          targetTable(res.progress),
          ...(normalize === '' ? [] : [h('h3', {}, t('weatherNormalized')), normalizedTable(res.progress)]),
          h('h3', {}, t('reductions')),
          reductionTable(res.reductions),
        ];
      }),
      section(storedSlot, async () => {
        const res = await api<{ targets: StoredTarget[] }>(url('/api/v1/targets', { scope, year }));
        return h('div', { 'data-stored-targets': res.targets.length }, storedTable(res.targets));
      }),
    ]);
  const reload = () => void load();
  root.replaceChildren(
    h('div', { class: 'page-head' }, h('h1', {}, t('navTargets'))),
    card(t('filter'), filters),
    card(t('targetProgress'), progressSlot),
    card(t('targetsSet'), storedSlot),
    ...(mayAct(ctx.identity)
      ? [
          card(t('setQuota'), quotaForm(scope, year, reload)),
          card(t('setReduction'), reductionForm(scope, year, reload)),
        ]
      : []),
  );
  await load();
}
