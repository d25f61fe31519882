/**
 * Registering a savings project and adding a non-routine adjustment in the page (issue 17, item 2;
 * issue 18, item 3): the API's own request (`POST /api/v1/savings-projects`, `…/{id}/adjustments`),
 * its refusals shown next to the field they name. Offered to those who may act; the API decides.
 */
import type {
  SavingsAdjustmentInput,
  SavingsProject,
  SavingsProjectInput,
  SavingsProjectPatch,
} from '../../../core/domain/savings-projects.js';
import { api } from '../api.js';
import { addDays, today } from '../dates.js';
import { h, select } from '../dom.js';
import { apiField, done, onSubmit } from '../forms.js';
import { t } from '../i18n.js';
import { energyName } from '../labels.js';
import type { PageContext } from '../router.js';

const ENERGIES = ['electricity', 'water', 'gas', 'heat'] as const;

const dateInput = (name: string, value = '') => h('input', { type: 'date', name, value });
const textInput = (name: string, extra: Record<string, string | number | boolean> = {}) =>
  h('input', { type: 'text', name, ...extra });

/** The scopes a project may cover: institutions and their buildings (meters are typed as `meter:ID`). */
function scopeOptions(ctx: PageContext): [string, string][] {
  const out: [string, string][] = [];
  for (const i of ctx.registry.institutions) {
    out.push([`institution:${i.id}`, `${t('institution')} · ${i.name}`]);
    for (const b of ctx.registry.buildings.filter((x) => x.institutionId === i.id))
      out.push([`building:${b.id}`, `\u00a0\u00a0${b.name}`]);
  }
  return out;
}

/** The form registering a project; on success the page goes to it. */
export function createProjectForm(ctx: PageContext): HTMLElement {
  const day = today();
  const stations = ctx.registry.weatherStations ?? [];
  const controls = {
    id: textInput('id', { required: true, maxlength: 100, pattern: '[A-Za-z0-9][A-Za-z0-9._-]*' }),
    name: textInput('name', { required: true, maxlength: 200 }),
    scope: select('scope', scopeOptions(ctx), ''),
    energy: select(
      'energy',
      ENERGIES.map((e): [string, string] => [e, energyName(e)]),
      'electricity',
    ),
    weatherStationId: select(
      'weatherStationId',
      [['', t('savingsStationFromScope')], ...stations.map((s): [string, string] => [s.id, s.name])],
      '',
    ),
    baselineFrom: dateInput('baselineFrom', `${Number(day.slice(0, 4)) - 2}-01-01`),
    baselineTo: dateInput('baselineTo', `${Number(day.slice(0, 4)) - 1}-01-01`),
    reportingFrom: dateInput('reportingFrom', `${Number(day.slice(0, 4)) - 1}-01-01`),
    reportingTo: dateInput('reportingTo'),
    model: select(
      'model',
      [
        ['daily', t('savingsModelDaily')],
        ['hourly', t('savingsModelHourly')],
      ],
      'daily',
    ),
  };
  const general = h('div', {});
  const form = h(
    'form',
    { class: 'controls wrap', 'data-form': 'savings-project' },
    apiField('ID', controls.id),
    apiField(t('savingsName'), controls.name),
    apiField(t('savingsScope'), controls.scope),
    apiField(t('energy'), controls.energy),
    apiField(t('savingsStation'), controls.weatherStationId, stations.length === 0 ? t('savingsNoStation') : undefined),
    apiField(`${t('savingsBaselinePeriod')} ${t('from')}`, controls.baselineFrom),
    apiField(`${t('savingsBaselinePeriod')} ${t('to')}`, controls.baselineTo, t('savingsToExclusive')),
    apiField(`${t('savingsReportingPeriod')} ${t('from')}`, controls.reportingFrom),
    apiField(`${t('savingsReportingPeriod')} ${t('to')}`, controls.reportingTo, t('savingsOpenEnd')),
    apiField(t('savingsModel'), controls.model),
    h('button', { type: 'submit', class: 'primary' }, t('savingsRegister')),
    general,
  );
  onSubmit(form, general, async () => {
    const body: SavingsProjectInput = {
      id: controls.id.value.trim(),
      name: controls.name.value.trim(),
      scope: controls.scope.value as SavingsProjectInput['scope'],
      energy: controls.energy.value as SavingsProjectInput['energy'],
      ...(controls.weatherStationId.value === '' ? {} : { weatherStationId: controls.weatherStationId.value }),
      baselineFrom: controls.baselineFrom.value,
      baselineTo: controls.baselineTo.value,
      reportingFrom: controls.reportingFrom.value,
      ...(controls.reportingTo.value === '' ? {} : { reportingTo: controls.reportingTo.value }),
      model: controls.model.value as SavingsProjectInput['model'],
    };
    await api('/api/v1/savings-projects', { method: 'POST', body });
    ctx.navigate(`/savings/${encodeURIComponent(body.id)}`);
    return done(t('saved'), 'savings-project');
  });
  return form;
}

/** The form adding a non-routine adjustment to project `id`; `refresh` draws the project again. */
export function adjustmentForm(id: string, unit: string, refresh: () => void): HTMLElement {
  const controls = {
    kind: select(
      'kind',
      [
        ['constant', `${t('savingsConstant')} (${unit}/d)`],
        ['percent', `${t('savingsPercent')} (%)`],
      ],
      'constant',
    ),
    value: h('input', { type: 'number', name: 'value', step: 'any', required: true }),
    from: dateInput('from', addDays(today(), -30)),
    to: dateInput('to'),
    reason: textInput('reason', { required: true, maxlength: 2000 }),
  };
  const general = h('div', {});
  const form = h(
    'form',
    { class: 'controls wrap', 'data-form': 'savings-adjustment' },
    apiField(t('savingsKind'), controls.kind),
    apiField(t('savingsValue'), controls.value),
    apiField(t('from'), controls.from),
    apiField(t('to'), controls.to, t('savingsOpenEnd')),
    apiField(t('savingsReason'), controls.reason),
    h('button', { type: 'submit', class: 'primary' }, t('savingsAdd')),
    general,
  );
  onSubmit(form, general, async () => {
    const body: SavingsAdjustmentInput = {
      kind: controls.kind.value as SavingsAdjustmentInput['kind'],
      value: Number(controls.value.value),
      from: controls.from.value,
      ...(controls.to.value === '' ? {} : { to: controls.to.value }),
      reason: controls.reason.value.trim(),
    };
    await api(`/api/v1/savings-projects/${encodeURIComponent(id)}/adjustments`, { method: 'POST', body });
    refresh();
    return done(t('saved'), 'savings-adjustment');
  });
  return form;
}

/** The form editing project `p` (`PATCH /api/v1/savings-projects/{id}`): name and reporting end; `refresh` draws it again. */
export function editProjectForm(p: SavingsProject, refresh: () => void): HTMLElement {
  const controls = {
    name: textInput('name', { required: true, maxlength: 200, value: p.name }),
    reportingTo: dateInput('reportingTo', p.reportingTo ?? ''),
  };
  const general = h('div', {});
  const form = h(
    'form',
    { class: 'controls wrap', 'data-form': 'savings-edit' },
    apiField(t('savingsName'), controls.name),
    apiField(`${t('savingsReportingPeriod')} ${t('to')}`, controls.reportingTo, t('savingsOpenEnd')),
    h('button', { type: 'submit', class: 'primary' }, t('savingsSave')),
    h('p', { class: 'muted' }, t('savingsEditNote')),
    general,
  );
  onSubmit(form, general, async () => {
    const body: SavingsProjectPatch = {
      name: controls.name.value.trim(),
      reportingTo: controls.reportingTo.value === '' ? null : controls.reportingTo.value,
    };
    await api(`/api/v1/savings-projects/${encodeURIComponent(p.id)}`, { method: 'PATCH', body });
    refresh();
    return done(t('saved'), 'savings-edit');
  });
  return form;
}
