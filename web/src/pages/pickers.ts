/** Controls several administration forms share: scopes, roles, a two-step confirmation. */
import { h, select } from '../dom.js';
import { t } from '../i18n.js';
import { type Identity, readsCity } from '../identity.js';
import type { Registry } from '../types.js';

/** The roles of users and tokens (README, "Roles and scopes"). */
export const ROLES = ['admin', 'auditor', 'officer', 'viewer'] as const;

/** A role picker. */
export function roleSelect(value: string): HTMLSelectElement {
  return select(
    'role',
    ROLES.map((r): [string, string] => [r, t(`role_${r}`)]),
    value,
  );
}

/** Districts then institutions of the registry, as `district:ID` / `institution:ID` options. */
export function scopeChoices(registry: Registry): [string, string][] {
  return [
    ...registry.districts.map((d): [string, string] => [`district:${d.id}`, `${t('district')} · ${d.name}`]),
    ...registry.institutions.map((i): [string, string] => [`institution:${i.id}`, `${t('institution')} · ${i.name}`]),
  ];
}

/**
 * A single scope picker: the city (unless `who` is limited to districts or institutions), the
 * districts and institutions of the registry the reader sees.
 */
export function scopePicker(name: string, registry: Registry, value: string, who?: Identity): HTMLSelectElement {
  const city: [string, string][] = readsCity(who) ? [['city', t('city')]] : [];
  return select(name, [...city, ...scopeChoices(registry)], value);
}

/**
 * A multiple choice of scopes (keyboard: arrows, shift/ctrl + space or click), named `scopes` as
 * the API's field; no choice is the whole city.
 */
export function scopesSelect(registry: Registry, selected: readonly string[]): HTMLSelectElement {
  const chosen = new Set(selected);
  const el = h(
    'select',
    { name: 'scopes', multiple: true, size: 6 },
    ...scopeChoices(registry).map(([v, label]) => h('option', { value: v, selected: chosen.has(v) }, label)),
  );
  // A scope the registry no longer has stays chosen, shown by its id.
  for (const s of selected)
    if (!scopeChoices(registry).some(([v]) => v === s)) el.append(h('option', { value: s, selected: true }, s));
  return el;
}

/** The values chosen in a multiple select. */
export function chosen(el: HTMLSelectElement): string[] {
  return [...el.selectedOptions].map((o) => o.value);
}

/**
 * A button that asks once more before it acts (no browser dialog: it stays in the page and works
 * from the keyboard): the first press shows "confirm" and "cancel".
 */
export function confirmButton(label: string, action: string, run: () => void): HTMLElement {
  const slot = h('span', { class: 'confirm' });
  const ask = (): void => {
    const yes = h(
      'button',
      { type: 'button', class: 'danger', 'data-confirm': action, onclick: () => run() },
      `${t('confirm')}: ${label}`,
    );
    const no = h('button', { type: 'button', class: 'link', onclick: () => reset() }, t('cancel'));
    slot.replaceChildren(yes, no);
    yes.focus();
  };
  const reset = (): void => {
    const first = h('button', { type: 'button', 'data-action': action, onclick: ask }, label);
    slot.replaceChildren(first);
  };
  reset();
  return slot;
}
