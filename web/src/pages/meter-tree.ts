/**
 * The meter tree of a building (README, "The meter model"): per energy, the main meters with their
 * sub-meters nested below (`parentId`), and the virtual meters with their formula. Each meter,
 * the building and its institution open the editor.
 */
import { badge, card, field, h, select } from '../dom.js';
import { t } from '../i18n.js';
import { energyName, subItemName } from '../labels.js';
import type { Meter, Registry } from '../types.js';

type Editable = 'meters' | 'buildings' | 'institutions';

/** What the tree asks of the registry tab. */
export interface TreeActions {
  onBuilding(id: string): void;
  onEdit(table: Editable, id: string): void;
}

function kindOf(m: Meter): HTMLElement {
  if (m.virtual !== undefined) return badge('virtual', t('meterVirtual'));
  if (m.reading === 'manual') return badge('manual', t('meterManual'));
  return badge('gateway', `${t('gateway')} ${m.gatewayId ?? '—'}`);
}

function line(m: Meter, actions: TreeActions): HTMLElement {
  const facts = [
    m.subItem === undefined ? null : subItemName(m.subItem),
    m.unit,
    m.multiplier === 1 ? null : `× ${m.multiplier}`,
    m.virtual === undefined
      ? null
      : `= ${m.virtual.plus.join(' + ')}${m.virtual.minus.length === 0 ? '' : ` − ${m.virtual.minus.join(' − ')}`}`,
  ].filter((x) => x !== null);
  return h(
    'div',
    { class: 'tree-line' },
    h('strong', {}, m.id),
    m.name === undefined ? null : h('span', {}, m.name),
    kindOf(m),
    h('span', { class: 'muted' }, facts.join(' · ')),
    h(
      'button',
      { type: 'button', class: 'link', 'data-action': 'edit-meter', onclick: () => actions.onEdit('meters', m.id) },
      t('edit'),
    ),
  );
}

function branch(m: Meter, children: Map<string, Meter[]>, actions: TreeActions, depth: number): HTMLElement {
  const below = children.get(m.id) ?? [];
  return h(
    'li',
    { 'data-meter': m.id, 'data-parent': m.parentId ?? '', 'data-depth': depth },
    line(m, actions),
    below.length === 0 ? null : h('ul', {}, ...below.map((c) => branch(c, children, actions, depth + 1))),
  );
}

/** The tree card of a building. */
export function meterTree(registry: Registry, buildingId: string, actions: TreeActions): HTMLElement {
  const building = registry.buildings.find((b) => b.id === buildingId);
  const picker = select(
    'building',
    registry.buildings.map((b): [string, string] => [b.id, `${b.name} (${b.id})`]),
    buildingId,
    (id) => actions.onBuilding(id),
  );
  if (building === undefined)
    return card(t('meterTree'), field(t('building'), picker), h('p', { class: 'muted' }, t('noBuildings')));
  const meters = registry.meters.filter((m) => m.buildingId === building.id);
  const ids = new Set(meters.map((m) => m.id));
  const children = new Map<string, Meter[]>();
  for (const m of meters)
    if (m.parentId !== undefined && ids.has(m.parentId))
      children.set(m.parentId, [...(children.get(m.parentId) ?? []), m]);
  const energies = [...new Set(meters.map((m) => m.energy))];
  const institution = registry.institutions.find((i) => i.id === building.institutionId);
  return card(
    t('meterTree'),
    h(
      'div',
      { class: 'controls' },
      field(t('building'), picker),
      h(
        'button',
        { type: 'button', 'data-action': 'edit-building', onclick: () => actions.onEdit('buildings', building.id) },
        t('editBuilding'),
      ),
      institution === undefined
        ? null
        : h(
            'button',
            {
              type: 'button',
              'data-action': 'edit-institution',
              onclick: () => actions.onEdit('institutions', institution.id),
            },
            t('editInstitution', { name: institution.name }),
          ),
    ),
    meters.length === 0 ? h('p', { class: 'muted' }, t('noMeters')) : null,
    ...energies.map((energy) => {
      const own = meters.filter((m) => m.energy === energy);
      // A root is a meter without a parent in this building (a parent elsewhere would be a registry error).
      const roots = own.filter((m) => m.virtual === undefined && (m.parentId === undefined || !ids.has(m.parentId)));
      const virtual = own.filter((m) => m.virtual !== undefined);
      return h(
        'section',
        { class: 'tree', 'data-tree': energy },
        h('h3', {}, energyName(energy)),
        h('ul', {}, ...roots.map((m) => branch(m, children, actions, 0))),
        virtual.length === 0
          ? null
          : h(
              'div',
              {},
              h('h4', {}, t('virtualMeters')),
              h('ul', { class: 'virtual' }, ...virtual.map((m) => h('li', { 'data-meter': m.id }, line(m, actions)))),
            ),
      );
    }),
  );
}
