/**
 * Forms that talk to the API: each field has a slot for what the API says is wrong with it (a 400
 * names the field in `details[].path`, e.g. `scopes.0` or `readings[3].value`), shown next to it
 * and announced to screen readers; what names no field of the form is shown above the buttons.
 */
import { ApiError } from './api.js';
import { failure, h } from './dom.js';
import { t } from './i18n.js';

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

let ids = 0;

/**
 * A labelled control with its error slot; `name` is the API's field (`username`, `from`). The
 * control gets the name, so a test or a script finds it as `[name=…]`.
 */
export function apiField(label: string, control: Control, hint?: string): HTMLElement {
  const id = `f${++ids}`;
  const errorId = `${id}-error`;
  control.id = id;
  control.setAttribute('aria-describedby', errorId);
  return h(
    'div',
    { class: 'field', 'data-field': control.name },
    h('label', { for: id }, label),
    control,
    hint === undefined ? null : h('small', { class: 'muted' }, hint),
    h('small', { class: 'field-error', id: errorId, role: 'alert', 'data-error-for': control.name }),
  );
}

/**
 * The names a detail's path may match, most precise first: `meters[0].virtual.plus` → …, `virtual.plus`,
 * `plus`, then the path's own beginnings (`meters.0.virtual`, `meters.0`).
 */
function candidates(path: string): string[] {
  const bare = path.replace(/^(body|querystring|params)\.?/, '');
  const parts = bare.split(/[.[\]]+/).filter(Boolean);
  const named = parts.filter((p) => !/^\d+$/.test(p));
  const suffixes = named.map((_, i) => named.slice(i).join('.'));
  // A field named by its place in a list (`channels.2.to`) for an item of it (`channels.2.to.0`).
  const prefixes = parts.slice(2).map((_, i) => parts.slice(0, parts.length - 1 - i).join('.'));
  return [...new Set([bare, parts.join('.'), ...suffixes, ...prefixes, parts[0] ?? ''])].filter(Boolean);
}

/** Clears what the last answer said about the form's fields. */
export function clearErrors(form: HTMLElement, general: HTMLElement): void {
  for (const slot of form.querySelectorAll<HTMLElement>('[data-error-for]')) slot.textContent = '';
  for (const c of form.querySelectorAll('[aria-invalid]')) c.removeAttribute('aria-invalid');
  general.replaceChildren();
}

/**
 * Shows an error of the API: each detail next to the field it names (the first control of that
 * name is focused), the rest, or the whole message when no field is named, in `general`.
 */
export function showErrors(form: HTMLElement, general: HTMLElement, error: unknown): void {
  clearErrors(form, general);
  const rest: string[] = [];
  let first: Control | undefined;
  const details = error instanceof ApiError ? error.details : [];
  for (const d of details) {
    const name = candidates(d.path).find((c) => form.querySelector(`[data-error-for="${CSS.escape(c)}"]`) !== null);
    if (name === undefined) {
      rest.push(`${d.path}: ${d.message}`);
      continue;
    }
    const slot = form.querySelector<HTMLElement>(`[data-error-for="${CSS.escape(name)}"]`) as HTMLElement;
    slot.textContent = slot.textContent === '' ? d.message : `${slot.textContent}; ${d.message}`;
    const control = form.querySelector<Control>(`[name="${CSS.escape(name)}"]`);
    control?.setAttribute('aria-invalid', 'true');
    first ??= control ?? undefined;
  }
  first?.focus();
  if (details.length === 0 || rest.length > 0) {
    const shown = failure(error);
    if (rest.length > 0 && details.length > 0 && error instanceof ApiError)
      shown.textContent = `${t('error')}${rest.join('; ')}`;
    general.replaceChildren(shown);
  }
}

/**
 * Wires a form's submit: runs `action` with the submit button disabled, clears the old errors
 * first and shows the API's errors after a refusal. `action` resolves with what to show in
 * `general` (a notice of success), or nothing.
 */
export function onSubmit(form: HTMLFormElement, general: HTMLElement, action: () => Promise<Node | undefined>): void {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const buttons = [...form.querySelectorAll<HTMLButtonElement>('button[type=submit]')];
    for (const b of buttons) b.disabled = true;
    clearErrors(form, general);
    general.replaceChildren(h('p', { class: 'muted' }, t('working')));
    action()
      .then((shown) => general.replaceChildren(...(shown instanceof Node ? [shown] : [])))
      .catch((error: unknown) => showErrors(form, general, error))
      .finally(() => {
        for (const b of buttons) b.disabled = false;
      });
  });
}

/** A success notice (`data-done` for scripts and tests). */
export function done(text: string, id = ''): HTMLElement {
  return h('p', { class: 'notice ok', role: 'status', 'data-done': id }, text);
}

/** A secret shown once (a new token, a gateway secret), selectable, with a copy button. */
export function secretOnce(label: string, secret: string, id: string): HTMLElement {
  const value = h('input', { type: 'text', readonly: true, value: secret, 'data-secret': id, class: 'secret' });
  const copy = h(
    'button',
    { type: 'button', class: 'link', onclick: () => void navigator.clipboard?.writeText(secret) },
    t('copy'),
  );
  value.addEventListener('focus', () => value.select());
  return h(
    'div',
    { class: 'notice ok secret-once', role: 'status' },
    h('p', {}, label),
    h('div', { class: 'row' }, value, copy),
    h('p', { class: 'muted' }, t('shownOnce')),
  );
}
