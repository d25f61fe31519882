/**
 * A meter's life (README, "Meter lifecycle events", "The meter model", "Manual meters and fuels"):
 * its events (replacement, multiplier change, decommission, move, parent change), a form to record
 * one (admins), and, for a manual meter, the entry of its readings or deliveries (officers in scope).
 */
import { api } from '../api.js';
import { nowLocal, zonedIso } from '../dates.js';
import { badge, card, field, h, section, table } from '../dom.js';
import { apiField, done, onSubmit } from '../forms.js';
import { t } from '../i18n.js';
import { adminLevel, mayAct } from '../identity.js';
import { energyName, when } from '../labels.js';
import type { PageContext } from '../router.js';
import type { Meter, Registry } from '../types.js';
import type { MeterEventView } from '../types-admin.js';
import { manualEntry } from './manual-entry.js';

const EVENT_TYPES = ['replace', 'multiplier', 'decommission', 'move', 'parent'] as const;
type EventType = (typeof EVENT_TYPES)[number];

/** Which inputs each event type has besides its instant. */
const EVENT_FIELDS: Record<EventType, readonly string[]> = {
  replace: ['oldFinal', 'newInitial'],
  multiplier: ['multiplier'],
  decommission: [],
  move: ['buildingId'],
  parent: ['parentId'],
};

function meterPicker(registry: Registry, value: string, onChange: (id: string) => void): HTMLSelectElement {
  const el = h(
    'select',
    { name: 'meter' },
    h('option', { value: '' }, '—'),
    ...registry.buildings.map((b) =>
      h(
        'optgroup',
        { label: `${b.name} (${b.id})` },
        ...registry.meters
          .filter((m) => m.buildingId === b.id)
          .map((m) =>
            h(
              'option',
              { value: m.id, selected: m.id === value },
              `${m.id}${m.name === undefined ? '' : ` · ${m.name}`} · ${energyName(m.energy)}`,
            ),
          ),
      ),
    ),
  );
  el.addEventListener('change', () => onChange(el.value));
  return el;
}

function eventDetail(e: MeterEventView): string {
  switch (e.type) {
    case 'replace':
      return `${t('oldFinal')} ${e.oldFinal} → ${t('newInitial')} ${e.newInitial}`;
    case 'multiplier':
      return `× ${e.multiplier}`;
    case 'move':
      return `→ ${e.buildingId}`;
    case 'parent':
      return `→ ${e.parentId ?? t('mainMeter')}`;
    default:
      return '';
  }
}

function eventsTable(events: readonly MeterEventView[]): HTMLElement {
  if (events.length === 0) return h('p', { class: 'muted', 'data-events': 0 }, t('noEvents'));
  const sorted = [...events].sort((a, b) => a.ts.localeCompare(b.ts));
  return h(
    'div',
    { 'data-events': events.length },
    table(
      [t('ts'), t('type'), t('eventDetail'), t('recordedBy')],
      sorted,
      (e) => [when(e.ts), t(`event_${e.type}`), eventDetail(e), `${e.createdBy} · ${when(e.createdAt)}`],
      (e) => ({ 'data-event': e.type, 'data-event-id': e.id }),
    ),
  );
}

function eventForm(registry: Registry, meter: Meter, reload: () => void): HTMLElement {
  const type = h('select', { name: 'type' }, ...EVENT_TYPES.map((x) => h('option', { value: x }, t(`event_${x}`))));
  const ts = h('input', { type: 'datetime-local', name: 'ts', required: true, value: nowLocal() });
  const num = (name: string) => h('input', { type: 'number', name, step: 'any', min: 0 });
  const building = h(
    'select',
    { name: 'buildingId' },
    ...registry.buildings
      .filter((b) => b.id !== meter.buildingId)
      .map((b) => h('option', { value: b.id }, `${b.name} (${b.id})`)),
  );
  const parents = registry.meters.filter(
    (m) =>
      m.buildingId === meter.buildingId && m.energy === meter.energy && m.id !== meter.id && m.virtual === undefined,
  );
  const parent = h(
    'select',
    { name: 'parentId' },
    h('option', { value: '' }, t('mainMeter')),
    ...parents.map((m) => h('option', { value: m.id }, m.id)),
  );
  const inputs: Record<string, HTMLInputElement | HTMLSelectElement> = {
    oldFinal: num('oldFinal'),
    newInitial: num('newInitial'),
    multiplier: num('multiplier'),
    buildingId: building,
    parentId: parent,
  };
  const labels: Record<string, string> = {
    oldFinal: t('oldFinal'),
    newInitial: t('newInitial'),
    multiplier: t('multiplier'),
    buildingId: t('building'),
    parentId: t('parentMeter'),
  };
  const wrappers = Object.fromEntries(Object.entries(inputs).map(([k, el]) => [k, apiField(labels[k] ?? k, el)]));
  const show = () => {
    const wanted = new Set(EVENT_FIELDS[type.value as EventType]);
    for (const [k, w] of Object.entries(wrappers)) {
      w.hidden = !wanted.has(k);
      (inputs[k] as HTMLInputElement).disabled = !wanted.has(k);
      (inputs[k] as HTMLInputElement).required = wanted.has(k) && k !== 'parentId';
    }
  };
  type.addEventListener('change', show);
  show();
  const general = h('div', { 'data-form-status': 'meter-event' });
  const form = h(
    'form',
    { class: 'controls', 'data-form': 'meter-event' },
    apiField(t('type'), type),
    apiField(t('ts'), ts, t('tsHint')),
    ...Object.values(wrappers),
    h('button', { type: 'submit', class: 'primary' }, t('recordEvent')),
  );
  onSubmit(form, general, async () => {
    const body: Record<string, unknown> = { type: type.value, ts: zonedIso(ts.value) };
    for (const k of EVENT_FIELDS[type.value as EventType]) {
      const v = (inputs[k] as HTMLInputElement).value;
      body[k] = k === 'parentId' ? v || null : k === 'buildingId' ? v : Number(v);
    }
    await api(`/api/v1/meters/${encodeURIComponent(meter.id)}/events`, { method: 'POST', body });
    reload();
    return done(t('eventRecorded'), type.value);
  });
  return h('div', {}, form, general);
}

function info(registry: Registry, m: Meter): HTMLElement {
  const building = registry.buildings.find((b) => b.id === m.buildingId);
  const kind = m.virtual !== undefined ? 'meterVirtual' : m.reading === 'manual' ? 'meterManual' : 'meterGateway';
  const rows: [string, string][] = [
    [t('building'), building === undefined ? m.buildingId : `${building.name} (${building.id})`],
    [t('energy'), `${energyName(m.energy)} · ${m.unit}`],
    [t('parentMeter'), m.parentId ?? t('mainMeter')],
    [t('multiplier'), String(m.multiplier)],
  ];
  return h(
    'div',
    { 'data-meter-info': m.id },
    badge(kind, t(kind)),
    h('dl', { class: 'facts' }, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
  );
}

/** Renders `/meters?meter=ID`. */
export async function renderMeters(root: HTMLElement, ctx: PageContext): Promise<void> {
  const id = ctx.query.get('meter') ?? '';
  const picker = meterPicker(ctx.registry, id, (next) =>
    ctx.navigate(`/meters?meter=${encodeURIComponent(next)}`, true),
  );
  const head = [
    h('div', { class: 'page-head' }, h('h1', {}, t('navMeters'))),
    card(t('meter'), field(t('meter'), picker)),
  ];
  const meter = ctx.registry.meters.find((m) => m.id === id);
  if (meter === undefined) {
    root.replaceChildren(...head, h('p', { class: 'muted' }, t('pickMeter')));
    return;
  }
  const eventsSlot = h('div', { class: 'slot' });
  const load = () =>
    section(eventsSlot, async () => {
      const res = await api<{ events: MeterEventView[] }>(`/api/v1/meters/${encodeURIComponent(meter.id)}/events`);
      return eventsTable(res.events);
    });
  const manual = meter.reading === 'manual' && meter.virtual === undefined;
  root.replaceChildren(
    ...head,
    card(`${meter.id}${meter.name === undefined ? '' : ` · ${meter.name}`}`, info(ctx.registry, meter)),
    card(
      t('meterEvents'),
      eventsSlot,
      // Recording an event is an admin's (README, "Roles and scopes"); the API refuses anyone else.
      adminLevel(ctx.identity) === 'city'
        ? h(
            'div',
            {},
            h('h3', {}, t('recordEvent')),
            eventForm(ctx.registry, meter, () => void load()),
          )
        : null,
    ),
    ...(manual && mayAct(ctx.identity) ? [card(t('manualEntry'), manualEntry(meter))] : []),
  );
  await load();
}
