/**
 * The Notifications tab (issue 17, item 4; README "Notifications"): the channels (WeCom and
 * DingTalk robots, e-mail, webhooks) and the routes that send them new anomalies by district, type
 * and severity, edited together and saved with one `PUT /api/v1/notification-routes`; then the
 * delivery log. Robot URLs and secrets are credentials: the API shows only the URL's origin and
 * whether a secret is set, and a channel sent back without them keeps its stored ones, so leaving
 * those fields empty keeps them.
 */
import type { ChannelView, NotificationRoutesView, Route } from '../../../core/domain/notifications.js';
import { api } from '../api.js';
import { card, h, select } from '../dom.js';
import { apiField, done, onSubmit } from '../forms.js';
import { t } from '../i18n.js';
import type { PageContext } from '../router.js';
import { renderDeliveries } from './admin-deliveries.js';

const ROUTES = '/api/v1/notification-routes';
const KINDS = ['wecom', 'dingtalk', 'email', 'webhook'] as const;
const SIGNED = new Set(['dingtalk', 'webhook']);

/** The inputs of one channel being edited, and what GET showed of it. */
interface ChannelDraft {
  readonly id: HTMLInputElement;
  readonly kind: HTMLSelectElement;
  readonly url: HTMLInputElement;
  readonly secret: HTMLInputElement;
  readonly dropSecret: HTMLInputElement;
  readonly to: HTMLInputElement;
  readonly shown: ChannelView | undefined;
}

/** The inputs of one route being edited. */
interface RouteDraft {
  readonly channelId: HTMLInputElement;
  readonly districtIds: HTMLInputElement;
  readonly types: HTMLInputElement;
  readonly minSeverity: HTMLSelectElement;
}

const text = (value = '') => h('input', { type: 'text', value });
const list = (input: HTMLInputElement) =>
  input.value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

function channelDraft(c?: ChannelView): ChannelDraft {
  return {
    id: text(c?.id),
    kind: select(
      'kind',
      KINDS.map((k) => [k, k]),
      c?.kind ?? 'wecom',
    ),
    url: h('input', { type: 'url', value: '', placeholder: c?.urlOrigin === undefined ? '' : `${c.urlOrigin}/…` }),
    // Never filled in: the API does not give secrets back.
    secret: h('input', { type: 'password', value: '', autocomplete: 'new-password' }),
    dropSecret: h('input', { type: 'checkbox' }),
    to: text((c?.to ?? []).join(', ')),
    shown: c,
  };
}

function routeDraft(r?: Route): RouteDraft {
  return {
    channelId: text(r?.channelId),
    districtIds: text((r?.districtIds ?? []).join(', ')),
    types: text((r?.types ?? []).join(', ')),
    minSeverity: select(
      'minSeverity',
      [['', t('all')], ...(['low', 'medium', 'high'] as const).map((s): [string, string] => [s, t(s)])],
      r?.minSeverity ?? '',
    ),
  };
}

/** A channel as the PUT takes it: a URL or secret left empty is left out (kept), "remove" sends null. */
function channelBody(d: ChannelDraft): Record<string, unknown> {
  const kind = d.kind.value;
  if (kind === 'email') return { id: d.id.value.trim(), kind, to: list(d.to) };
  const body: Record<string, unknown> = { id: d.id.value.trim(), kind };
  if (d.url.value.trim() !== '') body.url = d.url.value.trim();
  if (SIGNED.has(kind)) {
    if (d.dropSecret.checked) body.secret = null;
    else if (d.secret.value !== '') body.secret = d.secret.value;
  }
  return body;
}

function routeBody(d: RouteDraft): Route {
  const districtIds = list(d.districtIds);
  const types = list(d.types);
  const minSeverity = d.minSeverity.value as Route['minSeverity'] | '';
  return {
    channelId: d.channelId.value.trim(),
    ...(districtIds.length === 0 ? {} : { districtIds }),
    ...(types.length === 0 ? {} : { types }),
    ...(minSeverity === '' || minSeverity === undefined ? {} : { minSeverity }),
  };
}

/** Names a draft's controls after its place (`channels.2.url`), so the API's 400 lands next to them. */
function named<T extends HTMLInputElement | HTMLSelectElement>(control: T, name: string): T {
  control.name = name;
  return control;
}

function channelRow(d: ChannelDraft, i: number, remove: () => void): HTMLElement {
  const p = `channels.${i}`;
  const kind = d.kind.value;
  const secretHint = d.shown?.hasSecret ? `${t('hasSecret')} · ${t('keepSecret')}` : undefined;
  const urlHint = d.shown?.urlOrigin === undefined ? undefined : `${d.shown.urlOrigin} · ${t('keepSecret')}`;
  return h(
    'fieldset',
    { class: 'grid-form row-form', 'data-channel': d.id.value, 'data-row': i },
    apiField(t('channelId'), named(d.id, `${p}.id`)),
    apiField(t('channelKind'), named(d.kind, `${p}.kind`)),
    kind === 'email'
      ? apiField(t('channelTo'), named(d.to, `${p}.to`))
      : apiField(t('channelUrl'), named(d.url, `${p}.url`), urlHint),
    SIGNED.has(kind) ? apiField(t('channelSecret'), named(d.secret, `${p}.secret`), secretHint) : null,
    SIGNED.has(kind) && d.shown?.hasSecret
      ? h('label', { class: 'check' }, named(d.dropSecret, `${p}.dropSecret`), ` ${t('remove')} ${t('channelSecret')}`)
      : null,
    h(
      'div',
      { class: 'buttons' },
      h('button', { type: 'button', 'data-action': 'remove-channel', onclick: remove }, t('remove')),
    ),
  );
}

function routeRow(d: RouteDraft, i: number, remove: () => void): HTMLElement {
  const p = `routes.${i}`;
  return h(
    'fieldset',
    { class: 'grid-form row-form', 'data-route': i },
    apiField(t('channelId'), named(d.channelId, `${p}.channelId`)),
    apiField(t('routeDistricts'), named(d.districtIds, `${p}.districtIds`)),
    apiField(t('routeTypes'), named(d.types, `${p}.types`)),
    apiField(t('minSeverity'), named(d.minSeverity, `${p}.minSeverity`)),
    h(
      'div',
      { class: 'buttons' },
      h('button', { type: 'button', 'data-action': 'remove-route', onclick: remove }, t('remove')),
    ),
  );
}

/** The channels and routes editor, filled from GET, saved whole with PUT. */
function editor(view: NotificationRoutesView, saved: (next: NotificationRoutesView) => void): HTMLElement {
  const channels = view.channels.map((c) => channelDraft(c));
  const routes = view.routes.map((r) => routeDraft(r));
  const channelList = h('div', { 'data-channels': '' });
  const routeList = h('div', { 'data-routes': '' });
  const draw = (): void => {
    channelList.replaceChildren(
      ...channels.map((d, i) =>
        channelRow(d, i, () => {
          channels.splice(i, 1);
          draw();
        }),
      ),
    );
    routeList.replaceChildren(
      ...routes.map((d, i) =>
        routeRow(d, i, () => {
          routes.splice(i, 1);
          draw();
        }),
      ),
    );
  };
  const addChannel = (): void => {
    const d = channelDraft();
    d.kind.addEventListener('change', draw);
    channels.push(d);
    draw();
  };
  for (const d of channels) d.kind.addEventListener('change', draw);
  const general = h('div', { 'data-form-status': 'notifications' });
  const form = h(
    'form',
    { 'data-form': 'notifications' },
    h('h3', {}, t('channels')),
    channelList,
    h('button', { type: 'button', 'data-action': 'add-channel', onclick: addChannel }, t('addChannel')),
    h('h3', {}, t('routes')),
    routeList,
    h(
      'button',
      {
        type: 'button',
        'data-action': 'add-route',
        onclick: () => {
          routes.push(routeDraft());
          draw();
        },
      },
      t('addRoute'),
    ),
    general,
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('saveNotifications'))),
  );
  onSubmit(form, general, async () => {
    const next = await api<NotificationRoutesView>(ROUTES, {
      method: 'PUT',
      body: { channels: channels.map(channelBody), routes: routes.map(routeBody) },
    });
    saved(next);
    return done(t('notificationsSaved'), 'notifications');
  });
  draw();
  return form;
}

/** Renders the Notifications tab (admins). */
export async function renderNotifications(root: HTMLElement, _ctx: PageContext): Promise<void> {
  const view = await api<NotificationRoutesView>(ROUTES);
  const editorSlot = h('div', {});
  const logSlot = h('div', { class: 'slot' });
  const show = (v: NotificationRoutesView, notice?: Node): void => {
    const form = editor(v, (next) => show(next, done(t('notificationsSaved'), 'notifications')));
    editorSlot.replaceChildren(...(notice === undefined ? [] : [notice]), form);
  };
  show(view);
  root.replaceChildren(card(`${t('channels')} · ${t('routes')}`, editorSlot), card(t('deliveries'), logSlot));
  await renderDeliveries(
    logSlot,
    view.channels.map((c) => c.id),
  );
}
