/**
 * The notification delivery log (issue 17, item 4): every attempt to send a message to a channel,
 * newest first, filtered by dates, channel and status (`GET /api/v1/notification-deliveries`).
 */
import type { z } from 'zod';
import type { DeliveryViewSchema } from '../../../api/schemas/notifications.js';
import { api, url } from '../api.js';
import { addDays, today } from '../dates.js';
import { badge, field, h, section, select, table } from '../dom.js';
import { t } from '../i18n.js';
import { when } from '../labels.js';

/** A delivery as the API answers it: `at` instead of `atMs`. */
type DeliveryView = z.output<typeof DeliveryViewSchema>;

interface Filters {
  readonly from: string;
  readonly to: string;
  readonly channelId: string;
  readonly status: string;
}

/** What the channel answered: the HTTP status, a robot's errcode, or the SMTP reply. */
function answerOf(d: DeliveryView): string {
  const parts = [
    d.httpStatus === undefined ? '' : `HTTP ${d.httpStatus}`,
    d.errcode === undefined ? '' : `errcode ${d.errcode}`,
    d.smtpResponse ?? '',
  ].filter((s) => s !== '');
  return parts.length === 0 ? '—' : parts.join(' · ');
}

async function log(f: Filters): Promise<Node> {
  const res = await api<{ deliveries: DeliveryView[] }>(
    url('/api/v1/notification-deliveries', {
      from: f.from,
      to: f.to,
      channelId: f.channelId || undefined,
      status: f.status || undefined,
    }),
  );
  if (res.deliveries.length === 0) return h('p', { class: 'muted', 'data-deliveries': 0 }, t('noDeliveries'));
  return h(
    'div',
    { 'data-deliveries': res.deliveries.length },
    table(
      [
        t('deliveredAt'),
        t('channelId'),
        t('channelKind'),
        t('attempts'),
        t('deliveryStatus'),
        t('deliveryAnswer'),
        t('deliveryError'),
        t('navAnomalies'),
      ],
      res.deliveries,
      (d) => [
        when(d.at),
        d.channelId,
        d.kind,
        String(d.attempt),
        badge(d.status === 'delivered' ? 'ok' : d.status, d.status),
        answerOf(d),
        d.error ?? '',
        String(d.anomalyIds.length),
      ],
      (d) => ({ 'data-delivery': d.id, 'data-status': d.status, 'data-channel': d.channelId }),
    ),
  );
}

/** The delivery log with its filters (the last 7 days by default). */
export async function renderDeliveries(root: HTMLElement, channelIds: readonly string[]): Promise<void> {
  const day = today();
  const from = h('input', { type: 'date', name: 'from', value: addDays(day, -6) });
  const to = h('input', { type: 'date', name: 'to', value: day });
  const channel = select(
    'channelId',
    [['', t('anyChannel')], ...channelIds.map((id): [string, string] => [id, id])],
    '',
  );
  const status = select(
    'status',
    [['', t('anyStatus')], ...(['delivered', 'retrying', 'failed'] as const).map((s): [string, string] => [s, s])],
    '',
  );
  const list = h('div', { class: 'slot' });
  const load = () =>
    section(list, () =>
      // The last day is shown inclusive; the API's `to` is exclusive.
      log({ from: from.value, to: addDays(to.value, 1), channelId: channel.value, status: status.value }),
    );
  const form = h(
    'form',
    { class: 'controls', 'data-filters': 'deliveries' },
    field(t('from'), from),
    field(t('to'), to),
    field(t('channelId'), channel),
    field(t('deliveryStatus'), status),
    h('button', { type: 'submit', class: 'primary' }, t('filter')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void load();
  });
  root.replaceChildren(form, list);
  await load();
}
