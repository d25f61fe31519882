/** Data quality: meters below the completeness threshold, dead letters, and corrections of readings. */
import { api, url } from '../api.js';
import { addDays, monthOf, today } from '../dates.js';
import { card, field, h, section, table } from '../dom.js';
import { t } from '../i18n.js';
import { homeScope } from '../identity.js';
import { energyName, num, pct, when } from '../labels.js';
import type { PageContext } from '../router.js';
import type { DeadLetter, Quality, Registry } from '../types.js';
import { scopePicker } from './pickers.js';
import { showReadings } from './readings.js';

async function below(month: string, scope: string, registry: Registry, pick: (meterId: string) => void): Promise<Node> {
  const q = await api<Quality>(url('/api/v1/quality', { month, scope }));
  const names = new Map(registry.institutions.map((i) => [i.id, i.name]));
  const low = q.meters.filter((m) => q.below.includes(m.meterId)).sort((a, b) => a.completeness - b.completeness);
  const title = h('h3', {}, t('qualityBelow', { threshold: pct(q.threshold) }));
  if (low.length === 0) return h('div', {}, title, h('p', { class: 'muted', 'data-below': 0 }, t('allGood')));
  return h(
    'div',
    { 'data-below': low.length },
    title,
    table(
      [t('meter'), t('institution'), t('energy'), t('completeness'), t('receivedExpected'), t('hours'), ''],
      low,
      (m) => [
        m.meterId,
        names.get(m.institutionId) ?? m.institutionId,
        energyName(m.energy),
        pct(m.completeness),
        `${m.received} / ${num(m.expected, 0)}`,
        `${m.hours.good}/${m.hours.estimated}/${m.hours.suspect}/${m.hours.missing}`,
        h('button', { type: 'button', class: 'link', onclick: () => pick(m.meterId) }, t('readings')),
      ],
      (m) => ({ 'data-meter': m.meterId, 'data-completeness': m.completeness }),
    ),
  );
}

async function deadLetters(): Promise<Node> {
  const day = today();
  const res = await api<{ deadLetters: DeadLetter[] }>(
    url('/api/v1/dead-letters', { from: addDays(day, -6), to: addDays(day, 1), limit: 200 }),
  );
  if (res.deadLetters.length === 0) return h('p', { class: 'muted', 'data-dead-letters': 0 }, t('noDeadLetters'));
  return h(
    'div',
    { 'data-dead-letters': res.deadLetters.length },
    table([t('receivedAt'), t('gateway'), t('meter'), t('reason'), 'raw'], res.deadLetters, (d) => [
      when(d.receivedAt),
      d.gatewayId ?? '—',
      d.meterId ?? '—',
      d.reason,
      h('code', { title: d.raw }, d.raw.length > 80 ? `${d.raw.slice(0, 80)}…` : d.raw),
    ]),
  );
}

/** Renders `/quality?month&scope&meter&date`. */
export async function renderQuality(root: HTMLElement, ctx: PageContext): Promise<void> {
  const day = today();
  const month = ctx.query.get('month') ?? monthOf(day);
  const scope = ctx.query.get('scope') ?? homeScope(ctx.identity);
  const meterIds = ctx.registry.meters.map((m) => m.id);
  const meterInput = h('input', {
    type: 'text',
    name: 'meter',
    list: 'meter-ids',
    value: ctx.query.get('meter') ?? meterIds[0] ?? '',
  });
  const dateInput = h('input', { type: 'date', name: 'date', value: ctx.query.get('date') ?? addDays(day, -1) });
  const readingsSlot = h('div', { class: 'slot' });
  const showMeter = () => {
    const q = new URLSearchParams({ month, scope, meter: meterInput.value, date: dateInput.value });
    history.replaceState(null, '', `/quality?${q}`);
    void showReadings(readingsSlot, meterInput.value.trim(), dateInput.value);
  };
  const readingsForm = h(
    'form',
    { class: 'controls', 'data-readings-form': '' },
    field(t('meter'), meterInput),
    h('datalist', { id: 'meter-ids' }, ...meterIds.map((id) => h('option', { value: id }))),
    field(t('date'), dateInput),
    h('button', { type: 'submit', class: 'primary' }, t('show')),
  );
  readingsForm.addEventListener('submit', (event) => {
    event.preventDefault();
    showMeter();
  });
  const monthInput = h('input', { type: 'month', name: 'month', value: month });
  const scopeSelect = scopePicker('scope', ctx.registry, scope, ctx.identity);
  const apply = () =>
    ctx.navigate(`/quality?${new URLSearchParams({ month: monthInput.value, scope: scopeSelect.value })}`, true);
  monthInput.addEventListener('change', apply);
  scopeSelect.addEventListener('change', apply);
  const belowSlot = h('div', { class: 'slot' });
  const deadSlot = h('div', { class: 'slot' });
  root.replaceChildren(
    h('div', { class: 'page-head' }, h('h1', {}, t('navQuality'))),
    card(
      t('completeness'),
      h('div', { class: 'controls' }, field(t('month_'), monthInput), field(t('scope'), scopeSelect)),
      belowSlot,
    ),
    card(t('readings'), readingsForm, readingsSlot),
    card(t('deadLetters'), deadSlot),
  );
  const pick = (meterId: string) => {
    meterInput.value = meterId;
    showMeter();
    readingsSlot.scrollIntoView({ behavior: 'smooth', block: 'start' });
  };
  await Promise.all([
    section(belowSlot, () => below(month, scope, ctx.registry, pick)),
    section(deadSlot, deadLetters),
    ctx.query.get('meter') === null ? undefined : showReadings(readingsSlot, meterInput.value, dateInput.value),
  ]);
}
