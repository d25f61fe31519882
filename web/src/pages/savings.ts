/**
 * Savings projects (issue 18, item 3; README "Savings projects"): the list, and one project with
 * its model fit, reporting-period savings and their 90 % uncertainty, a chart of the adjusted
 * baseline against the actual use by month, the adjustments and the XLSX/PDF exports. Types come
 * from the API's zod schemas (core/domain/savings-projects.ts).
 */
import type { SavingsAnswer, SavingsProject } from '../../../core/domain/savings-projects.js';
import { api, download } from '../api.js';
import { chart } from '../charts.js';
import { card, h, section, table } from '../dom.js';
import { lang, t } from '../i18n.js';
import { mayAct } from '../identity.js';
import { energyName, num, scopeName, showUnit } from '../labels.js';
import type { PageContext } from '../router.js';
import { kpi } from './parts.js';
import { adjustmentForm, createProjectForm, editProjectForm } from './savings-forms.js';

const fig = (v: number | null, digits = 1) => (v === null ? '—' : num(v, digits));
// A share rounding to zero prints as 0, not -0 (an in-sample NMBE is zero but for rounding).
const percent = (v: number | null) => (v === null ? '—' : `${num(Math.abs(v) < 5e-4 ? 0 : 100 * v, 1)} %`);

/** `/savings`: the projects the sign-in may read. */
export async function renderSavingsList(root: HTMLElement, ctx: PageContext): Promise<void> {
  const slot = h('div');
  root.replaceChildren(card(t('savingsProjects'), slot));
  if (mayAct(ctx.identity)) root.append(card(t('savingsNew'), createProjectForm(ctx)));
  await section(slot, async () => {
    const { projects } = await api<{ projects: SavingsProject[] }>('/api/v1/savings-projects');
    if (projects.length === 0) return h('p', { class: 'muted', 'data-savings-empty': '' }, t('savingsNone'));
    return table(
      [
        'ID',
        t('savingsName'),
        t('savingsScope'),
        t('savingsModel'),
        t('savingsBaselinePeriod'),
        t('savingsReportingPeriod'),
      ],
      projects,
      (p) => [
        h('a', { href: `/savings/${encodeURIComponent(p.id)}` }, p.id),
        p.name,
        scopeName(p.scope, ctx.registry),
        `${energyName(p.energy)} · ${p.model}`,
        `${p.baselineFrom} – ${p.baselineTo}`,
        `${p.reportingFrom} – ${p.reportingTo ?? '…'}`,
      ],
      (p) => ({ 'data-project': p.id }),
    );
  });
}

/** The figures of the reporting period and the fit, as tiles. */
function tiles(a: SavingsAnswer): HTMLElement {
  const r = a.reporting;
  return h(
    'div',
    { class: 'kpis' },
    kpi('baseline', t('savingsBaseline'), r.baseline ?? Number.NaN, a.unit),
    kpi('actual', t('savingsActual'), r.actual ?? Number.NaN, a.unit),
    kpi(
      'savings',
      t('savingsSaved'),
      r.savings ?? Number.NaN,
      a.unit,
      r.savingsPct === null ? undefined : `${num(r.savingsPct, 1)} %`,
    ),
    kpi('kgce', t('savingsConverted'), r.savingsConverted.kgce ?? Number.NaN, 'kgce'),
  );
}

function fitLine(a: SavingsAnswer): HTMLElement {
  const f = a.model.fit;
  const s = a.reporting.steps;
  return h(
    'div',
    {},
    h(
      'p',
      { 'data-fit': f.meetsAshrae14 ? 'meets' : 'fails' },
      `${t('savingsFit')}: ${a.model.type} (${a.model.form}) · R² ${fig(f.r2, 3)} · CV(RMSE) ${percent(f.cvrmse)} · NMBE ${percent(f.nmbe)} · n ${f.n} · `,
      h('strong', {}, f.meetsAshrae14 ? t('savingsMeets') : t('savingsFails')),
    ),
    h('p', {}, `${t('savingsFsu')}: ${percent(a.reporting.fsu90)}`),
    h(
      'p',
      { class: 'muted' },
      t('savingsExcluded', {
        t: String(s.missingTemperature),
        c: String(s.incompleteConsumption),
        u: String(s.unpredictable),
      }),
    ),
  );
}

/** `/savings/:id`: one project computed now. */
export async function renderSavingsProject(root: HTMLElement, ctx: PageContext): Promise<void> {
  const id = ctx.params[0] ?? '';
  const slot = h('div');
  root.replaceChildren(card(`${t('savingsProjects')} · ${id}`, slot));
  await section(slot, async () => {
    const a = await api<SavingsAnswer>(`/api/v1/savings-projects/${encodeURIComponent(id)}`);
    const exportLink = (format: 'xlsx' | 'pdf') =>
      h(
        'button',
        {
          type: 'button',
          class: 'link',
          'data-export': format,
          onclick: () =>
            void download(
              `/api/v1/savings-projects/${encodeURIComponent(id)}/export?format=${format}&lang=${lang()}`,
              `${id}.${format}`,
            ),
        },
        `${t('savingsExport')} ${format.toUpperCase()}`,
      );
    const adjustments =
      a.adjustments.length === 0
        ? h('p', { class: 'muted' }, t('savingsNoAdjustments'))
        : table(
            ['#', t('savingsReason'), t('savingsApplied')],
            a.adjustments,
            (x) => [
              x.n,
              `${x.reason} (${x.kind === 'percent' ? `${x.value} %` : `${x.value} ${showUnit(a.unit)}/d`}, ${x.from} – ${x.to ?? '…'})`,
              num(x.appliedAmount, 1),
            ],
            (x) => ({ 'data-adjustment': x.n }),
          );
    return [
      h(
        'p',
        { 'data-savings-project': a.project.id },
        `${a.project.name} · ${scopeName(a.project.scope, ctx.registry)} · ${energyName(a.project.energy)} · ${a.reporting.from} – ${a.reporting.to}`,
      ),
      tiles(a),
      fitLine(a),
      h('h3', {}, t('savingsByMonth')),
      chart('savings', {
        categories: a.months.map((m) => m.month),
        unit: showUnit(a.unit),
        series: [
          {
            key: 'baseline',
            name: t('savingsBaseline'),
            type: 'line',
            data: a.months.map((m) => m.baseline ?? Number.NaN),
          },
          { key: 'actual', name: t('savingsActual'), type: 'bar', data: a.months.map((m) => m.actual ?? Number.NaN) },
        ],
      }),
      h('h3', {}, t('savingsAdjustments')),
      adjustments,
      h(
        'div',
        {},
        mayAct(ctx.identity)
          ? h(
              'details',
              {},
              h('summary', {}, t('savingsAddAdjustment')),
              adjustmentForm(id, showUnit(a.unit), ctx.refresh),
            )
          : null,
        mayAct(ctx.identity)
          ? h('details', {}, h('summary', {}, t('savingsEdit')), editProjectForm(a.project, ctx.refresh))
          : null,
      ),
      h('p', {}, exportLink('xlsx'), ' ', exportLink('pdf')),
    ];
  });
}
