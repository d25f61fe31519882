/**
 * A meter's raw readings of a day with their invalid flags, and the correction of a reading: marked
 * invalid with a reason (POST /api/v1/meters/{id}/corrections); the raw value stays, excluded from
 * consumption.
 */
import { api, url } from '../api.js';
import { addDays } from '../dates.js';
import { badge, failure, h, table } from '../dom.js';
import { t } from '../i18n.js';
import { num, when } from '../labels.js';
import type { Reading } from '../types.js';

function correctionForm(meterId: string, reading: Reading, done: (message: string) => void): HTMLElement {
  const reason = h('input', {
    type: 'text',
    name: 'reason',
    required: true,
    minlength: 3,
    maxlength: 500,
    placeholder: t('reasonPlaceholder'),
  });
  const error = h('span', {});
  const form = h(
    'form',
    { class: 'inline-form', 'data-correction': reading.ts },
    reason,
    h('button', { type: 'submit', class: 'primary' }, t('save')),
    error,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    api(`/api/v1/meters/${encodeURIComponent(meterId)}/corrections`, {
      method: 'POST',
      body: { ts: reading.ts, reason: reason.value },
    })
      .then(() => done(`${t('markedInvalid')}${when(reading.ts)} (${reason.value})`))
      .catch((e: unknown) => error.replaceChildren(failure(e)));
  });
  return form;
}

/** Fills `slot` with the readings of `meterId` on `date` (YYYY-MM-DD), with a "mark invalid" action per reading. */
export async function showReadings(slot: HTMLElement, meterId: string, date: string, notice = ''): Promise<void> {
  slot.replaceChildren(h('p', { class: 'muted' }, t('loading')));
  try {
    const res = await api<{ meter: string; unit: string; readings: Reading[] }>(
      url(`/api/v1/meters/${encodeURIComponent(meterId)}/readings`, { from: date, to: addDays(date, 1) }),
    );
    const reload = (message: string) => void showReadings(slot, meterId, date, message);
    slot.replaceChildren(
      notice === '' ? '' : h('p', { class: 'notice ok', 'data-notice': '' }, notice),
      table(
        [t('ts'), `${t('reading')} (${res.unit})`, t('gateway'), t('receivedAt'), t('status'), ''],
        res.readings,
        (r) => {
          const action = h('div', {});
          if (r.invalid === undefined) {
            action.append(
              h(
                'button',
                {
                  type: 'button',
                  'data-action': 'invalidate',
                  onclick: () => action.replaceChildren(correctionForm(meterId, r, reload)),
                },
                t('markInvalid'),
              ),
            );
          }
          return [
            when(r.ts),
            num(r.value, 3),
            r.gatewayId,
            when(r.receivedAt),
            r.invalid === undefined
              ? ''
              : h(
                  'span',
                  {},
                  badge('invalid', t('invalid')),
                  ` ${r.invalid.reason} · ${r.invalid.by} · ${when(r.invalid.at)}`,
                ),
            action,
          ];
        },
        (r) => ({
          'data-reading': r.ts,
          'data-invalid': r.invalid !== undefined,
          class: r.invalid ? 'row-invalid' : '',
        }),
      ),
    );
  } catch (error) {
    slot.replaceChildren(failure(error));
  }
}
