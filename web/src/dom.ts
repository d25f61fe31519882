/** A few DOM helpers: the page is plain TypeScript, no framework. */
import { ApiError } from './api.js';
import { t } from './i18n.js';

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | EventListener>;

/** Creates an element: `on*` attributes become listeners, `false`/undefined attributes are left out. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.slice(2).toLowerCase(), value);
    else if (name === 'value' && 'value' in el) (el as HTMLInputElement).value = String(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** A titled card. */
export function card(title: string, ...body: (Child | Child[])[]): HTMLElement {
  return h('section', { class: 'card' }, h('h2', {}, title), ...body);
}

/** A table from header labels and rows of cells; `rowAttrs` adds attributes per row (classes, data-*). */
export function table<T>(
  headers: readonly string[],
  rows: readonly T[],
  cells: (row: T) => Child[],
  rowAttrs: (row: T) => Attrs = () => ({}),
): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, ...headers.map((x) => h('th', {}, x)))),
      h('tbody', {}, ...rows.map((row) => h('tr', rowAttrs(row), ...cells(row).map((c) => h('td', {}, c))))),
    ),
  );
}

/** A `<select>` from value/label pairs. */
export function select(
  name: string,
  options: readonly (readonly [value: string, label: string])[],
  value: string,
  onChange?: (value: string) => void,
): HTMLSelectElement {
  const el = h(
    'select',
    { name, 'aria-label': name },
    ...options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)),
  );
  if (onChange !== undefined) el.addEventListener('change', () => onChange(el.value));
  return el;
}

/** A labelled form field. */
export function field(label: string, control: HTMLElement): HTMLElement {
  return h('label', { class: 'field' }, h('span', {}, label), control);
}

/** A status badge (`on_track`, `over`, `open`, …). */
export function badge(status: string, text = t(status)): HTMLElement {
  return h('span', { class: `badge badge-${status}` }, text);
}

/** What to show when loading a part failed: 403 says so plainly, other errors with their message. */
export function failure(error: unknown): HTMLElement {
  if (error instanceof ApiError && error.forbidden)
    return h('p', { class: 'notice', 'data-forbidden': '' }, t('forbidden'));
  const message = error instanceof Error ? error.message : String(error);
  return h('p', { class: 'notice error' }, t('error'), message);
}

/**
 * Fills `slot` with what `load` builds, a loading line meanwhile and `failure()` if it throws: one
 * part of a page failing (e.g. a 403) leaves the others standing.
 */
export async function section(slot: HTMLElement, load: () => Promise<Node | Node[]>): Promise<void> {
  slot.replaceChildren(h('p', { class: 'muted' }, t('loading')));
  try {
    const out = await load();
    slot.replaceChildren(...(Array.isArray(out) ? out : [out]));
  } catch (error) {
    slot.replaceChildren(failure(error));
  }
}
