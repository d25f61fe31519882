/**
 * Editing one record of the registry: a meter, a building or an institution, sent whole through
 * `PUT /api/v1/registry` as the README says (each record replaces the stored one). The API's 400
 * names the field (`meters[0].parentId`), and a change that would rewrite a meter's history is a
 * 409 naming the field and the event to record instead: both shown next to the field.
 */
import { api } from '../api.js';
import { ENERGIES } from '../codes.js';
import { card, h, select } from '../dom.js';
import { apiField, done, onSubmit } from '../forms.js';
import { t } from '../i18n.js';
import type { Registry } from '../types.js';

type Table = 'meters' | 'buildings' | 'institutions';

/** A field of the form: free text, a number, a choice (`''`: none), or a comma-separated list. */
interface Spec {
  readonly key: string;
  readonly kind: 'text' | 'number' | 'choice' | 'list';
  readonly options?: readonly (readonly [string, string])[];
}

const PLATFORM_FIELDS = ['registeredAt', 'attribution'];

function specs(registry: Registry, table: Table, record: Record<string, unknown>): Spec[] {
  const none: [string, string] = ['', '—'];
  const ids = (list: readonly { id: string; name?: string }[]) =>
    list.map((x): [string, string] => [x.id, x.name === undefined ? x.id : `${x.name} (${x.id})`]);
  if (table === 'institutions')
    return [
      { key: 'name', kind: 'text' },
      { key: 'districtId', kind: 'choice', options: ids(registry.districts) },
      {
        key: 'type',
        kind: 'choice',
        options: ['office', 'school', 'hospital', 'venue', 'other'].map((x) => [x, t(x)]),
      },
      { key: 'floorAreaM2', kind: 'number' },
      { key: 'occupants', kind: 'number' },
      { key: 'gridRegion', kind: 'text' },
      { key: 'creditCode', kind: 'text' },
      { key: 'nature', kind: 'text' },
    ];
  if (table === 'buildings')
    return [
      { key: 'name', kind: 'text' },
      { key: 'institutionId', kind: 'choice', options: ids(registry.institutions) },
      { key: 'floorAreaM2', kind: 'number' },
    ];
  const parents = registry.meters.filter(
    (m) => m.buildingId === record.buildingId && m.energy === record.energy && m.id !== record.id && !m.virtual,
  );
  return [
    { key: 'name', kind: 'text' },
    { key: 'buildingId', kind: 'choice', options: ids(registry.buildings) },
    { key: 'reading', kind: 'choice', options: [none, ['auto', 'auto'], ['manual', 'manual']] },
    { key: 'gatewayId', kind: 'choice', options: [none, ...ids(registry.gateways)] },
    { key: 'parentId', kind: 'choice', options: [none, ...ids(parents)] },
    { key: 'energy', kind: 'choice', options: Object.keys(ENERGIES).map((e) => [e, e]) },
    { key: 'subItem', kind: 'text' },
    { key: 'unit', kind: 'text' },
    { key: 'multiplier', kind: 'number' },
    { key: 'registerModulus', kind: 'number' },
    { key: 'intervalS', kind: 'number' },
    { key: 'direction', kind: 'choice', options: [none, ['import', 'import'], ['export', 'export'], ['net', 'net']] },
    { key: 'maxPlausiblePerHour', kind: 'number' },
    { key: 'installedAt', kind: 'text' },
    { key: 'accountNo', kind: 'text' },
    { key: 'virtual.plus', kind: 'list' },
    { key: 'virtual.minus', kind: 'list' },
  ];
}

function fieldValue(record: Record<string, unknown>, key: string): string {
  const [head = '', sub] = key.split('.');
  const v = sub === undefined ? record[head] : (record[head] as Record<string, unknown> | undefined)?.[sub];
  if (v === undefined || v === null) return '';
  return Array.isArray(v) ? v.join(', ') : String(v);
}

function control(spec: Spec, value: string): HTMLInputElement | HTMLSelectElement {
  if (spec.kind === 'choice') {
    const options = spec.options ?? [];
    // A stored value the choices lack (e.g. a parent in another building) stays visible.
    const all = value === '' || options.some(([v]) => v === value) ? options : [...options, [value, value] as const];
    return select(spec.key, all, value);
  }
  return h('input', {
    type: spec.kind === 'number' ? 'number' : 'text',
    name: spec.key,
    value,
    step: spec.kind === 'number' ? 'any' : undefined,
  });
}

/** The record as the form says: empty optional fields left out, numbers as numbers, lists split. */
function recordOf(original: Record<string, unknown>, specList: readonly Spec[], form: HTMLFormElement) {
  const out: Record<string, unknown> = { ...original };
  for (const k of PLATFORM_FIELDS) delete out[k];
  delete out.virtual;
  const virtual: Record<string, string[]> = {};
  for (const spec of specList) {
    const el = form.elements.namedItem(spec.key) as HTMLInputElement | HTMLSelectElement | null;
    const raw = el?.value.trim() ?? '';
    if (spec.kind === 'list') {
      const items = raw.split(/[,，\s]+/).filter(Boolean);
      if (items.length > 0) virtual[spec.key.split('.')[1] ?? ''] = items;
      continue;
    }
    if (raw === '') delete out[spec.key];
    else out[spec.key] = spec.kind === 'number' ? Number(raw) : raw;
  }
  if (virtual.plus !== undefined || virtual.minus !== undefined) out.virtual = { minus: [], ...virtual };
  return out;
}

/** The editor card of one record; `onSaved` reloads the registry. */
export function editor(registry: Registry, table: Table, id: string, onSaved: () => Promise<void>): HTMLElement {
  const list = registry[table] as readonly { id: string }[];
  const found = list.find((x) => x.id === id);
  if (found === undefined) return card(t('edit'), h('p', { class: 'muted' }, id));
  const original = found as unknown as Record<string, unknown>;
  const specList = specs(registry, table, original);
  const general = h('div', { 'data-form-status': 'registry-edit' });
  const form = h(
    'form',
    { class: 'grid-form', 'data-form': 'registry-edit', 'data-record': `${table}:${id}` },
    apiField('id', h('input', { type: 'text', name: 'id', value: id, readonly: true })),
    ...specList.map((s) => apiField(s.key, control(s, fieldValue(original, s.key)))),
    general,
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('save'))),
  );
  onSubmit(form, general, async () => {
    await api(`/api/v1/registry`, { method: 'PUT', body: { [table]: [recordOf(original, specList, form)] } });
    await onSaved();
    return done(t('recordSaved', { id }), id);
  });
  return card(t(`edit_${table}`, { id }), h('p', { class: 'muted' }, t('registryEditNote')), form);
}
