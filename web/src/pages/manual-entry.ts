/**
 * Entry of a manual meter's readings (README, "Manual meters and fuels"): register readings
 * `{"readings":[{"ts","value"}]}` or deliveries `{"amounts":[{"from","to","amount"}]}`, all or
 * nothing. The API names each bad item's field (`readings[3].value`): the rows' inputs carry those
 * names, so the message appears next to the cell.
 */
import type { z } from 'zod';
import type { ManualEntryAnswerSchema } from '../../../api/schemas/meters.js';
import { api } from '../api.js';
import { nowLocal, zonedIso } from '../dates.js';
import { h, select } from '../dom.js';
import { apiField, done, onSubmit } from '../forms.js';
import { t } from '../i18n.js';
import type { Meter } from '../types.js';

type Kind = 'readings' | 'amounts';

const COLUMNS: Record<Kind, readonly { key: string; type: 'datetime-local' | 'number' }[]> = {
  readings: [
    { key: 'ts', type: 'datetime-local' },
    { key: 'value', type: 'number' },
  ],
  amounts: [
    { key: 'from', type: 'datetime-local' },
    { key: 'to', type: 'datetime-local' },
    { key: 'amount', type: 'number' },
  ],
};

/** What `POST /api/v1/meters/{id}/manual-readings` answers. */
type Entered = z.output<typeof ManualEntryAnswerSchema>;

function row(kind: Kind, i: number): HTMLElement {
  return h(
    'div',
    { class: 'controls entry-row', 'data-entry-row': i },
    ...COLUMNS[kind].map((c) =>
      apiField(
        `${t(`entry_${c.key}`)} ${i + 1}`,
        h('input', {
          type: c.type,
          name: `${kind}.${i}.${c.key}`,
          required: true,
          step: c.type === 'number' ? 'any' : undefined,
          value: c.type === 'datetime-local' && c.key !== 'from' ? `${nowLocal().slice(0, 14)}00` : undefined,
        }),
      ),
    ),
  );
}

/** The entry form of a manual meter. */
export function manualEntry(meter: Meter): HTMLElement {
  let kind: Kind = 'readings';
  let count = 1;
  const rows = h('div', {});
  const kindSelect = select(
    'kind',
    [
      ['readings', t('entryReadings')],
      ['amounts', t('entryAmounts')],
    ],
    kind,
    (next) => {
      kind = next as Kind;
      count = 1;
      rows.replaceChildren(row(kind, 0));
    },
  );
  rows.replaceChildren(row(kind, 0));
  const add = h(
    'button',
    {
      type: 'button',
      'data-action': 'add-row',
      onclick: () => {
        rows.append(row(kind, count));
        count += 1;
        rows.querySelector<HTMLInputElement>(`[data-entry-row="${count - 1}"] input`)?.focus();
      },
    },
    t('addRow'),
  );
  const general = h('div', { 'data-form-status': 'manual' });
  const form = h(
    'form',
    { class: 'stack', 'data-form': 'manual' },
    h('p', { class: 'muted' }, t('manualNote', { unit: meter.unit })),
    apiField(t('entryKind'), kindSelect),
    rows,
    general,
    h('div', { class: 'buttons' }, add, h('button', { type: 'submit', class: 'primary' }, t('enter'))),
  );
  onSubmit(form, general, async () => {
    const items = [...rows.querySelectorAll('[data-entry-row]')].map((r) => {
      const item: Record<string, unknown> = {};
      for (const c of COLUMNS[kind]) {
        const input = r.querySelector<HTMLInputElement>(`input[name$=".${c.key}"]`);
        const v = input?.value ?? '';
        item[c.key] = c.type === 'number' ? Number(v) : zonedIso(v);
      }
      return item;
    });
    const res = await api<Entered>(`/api/v1/meters/${encodeURIComponent(meter.id)}/manual-readings`, {
      method: 'POST',
      body: { [kind]: items },
    });
    return done(
      t('entered', { stored: String(res.stored), duplicates: String(res.duplicates), unit: res.unit }),
      String(res.stored),
    );
  });
  return form;
}
