/**
 * Scheduled jobs (README, "Targets, budgets and anomalies" and "Data audit"): schedule,
 * description, last run with its duration and result or error, and "run now": the detection jobs
 * over a past range of local dates (`to` exclusive), the data audit for a year.
 */
import { api } from '../api.js';
import { badge, card, h } from '../dom.js';
import { apiField, done, onSubmit } from '../forms.js';
import { t } from '../i18n.js';
import { jobDescription } from '../job-names.js';
import { num, when } from '../labels.js';
import type { PageContext } from '../router.js';
import type { JobRun, JobView } from '../types-admin.js';

/** Jobs that examine a past range on demand (ingest/jobs/catalog.ts). */
const RANGE_JOBS = new Set(['detect-hourly', 'detect-daily', 'detect-targets']);

function seconds(run: { startedAt: string; finishedAt?: string }): string {
  if (run.finishedAt === undefined) return '—';
  return `${num((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000, 1)} s`;
}

function detail(value: unknown): HTMLElement | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return h('pre', { class: 'job-detail' }, value);
  return h(
    'details',
    {},
    h('summary', {}, t('result')),
    h('pre', { class: 'job-detail' }, JSON.stringify(value, null, 2)),
  );
}

function lastRun(run: JobRun | null): HTMLElement {
  if (run === null) return h('p', { class: 'muted', 'data-last-run': '' }, t('neverRun'));
  return h(
    'div',
    { 'data-last-run': run.startedAt, 'data-outcome': run.outcome },
    h(
      'p',
      {},
      `${t('lastRun')}: ${when(run.startedAt)} · ${t('duration')} ${seconds(run)} · `,
      badge(run.outcome === 'ok' ? 'ok' : run.outcome === 'failed' ? 'failed' : 'running', t(`outcome_${run.outcome}`)),
    ),
    run.outcome === 'failed' ? h('p', { class: 'notice error' }, String(run.detail ?? '')) : detail(run.detail),
  );
}

function clusterRun(job: JobView): HTMLElement | null {
  const c = job.clusterLastRun;
  if (c === undefined || c === null) return null;
  return h(
    'p',
    { class: 'muted' },
    `${t('clusterLastRun')}: ${when(c.startedAt)} · ${c.outcome} · ${c.process} · ${c.trigger}`,
  );
}

function runForm(job: JobView, onRun: (state: JobView) => void): HTMLElement {
  const fields: HTMLElement[] = [];
  let body: () => unknown = () => undefined;
  if (RANGE_JOBS.has(job.name)) {
    const from = h('input', { type: 'date', name: 'from' });
    const to = h('input', { type: 'date', name: 'to' });
    fields.push(apiField(t('from'), from), apiField(t('toExclusive'), to));
    body = () => (from.value === '' && to.value === '' ? undefined : { from: from.value, to: to.value });
  } else if (job.name === 'data-audit') {
    const year = h('input', { type: 'number', name: 'year', min: 2000, max: 2100, step: 1 });
    fields.push(apiField(t('year'), year, t('auditYearHint')));
    body = () => (year.value === '' ? undefined : { year: Number(year.value) });
  }
  const general = h('div', { 'data-form-status': `job-${job.name}` });
  const form = h(
    'form',
    { class: 'controls', 'data-form': `job-${job.name}` },
    ...fields,
    h('button', { type: 'submit', class: 'primary', 'data-action': 'run' }, t('runNow')),
  );
  onSubmit(form, general, async () => {
    const input = body();
    const state = await api<JobView>(`/api/v1/jobs/${encodeURIComponent(job.name)}/run`, {
      method: 'POST',
      ...(input === undefined ? {} : { body: input }),
    });
    onRun(state);
    return done(t('jobRan', { name: job.name, outcome: t(`outcome_${state.lastRun?.outcome ?? 'ok'}`) }), job.name);
  });
  return h(
    'div',
    {},
    fields.length > 0 ? h('p', { class: 'muted' }, t(RANGE_JOBS.has(job.name) ? 'rangeHint' : 'auditRunHint')) : null,
    form,
    general,
  );
}

function jobBlock(job: JobView): HTMLElement {
  const runSlot = h('div', {}, lastRun(job.lastRun), clusterRun(job));
  const running = h('span', {}, job.running ? badge('running', t('outcome_running')) : null);
  return h(
    'section',
    { class: 'job', 'data-job': job.name },
    h('h3', {}, h('code', {}, job.name), ' ', running),
    h('p', {}, `${t('schedule')}: `, h('code', { 'data-schedule': '' }, job.schedule)),
    h('p', { class: 'muted', 'data-description': '' }, jobDescription(job.name, job.description)),
    runSlot,
    runForm(job, (state) => {
      runSlot.replaceChildren(lastRun(state.lastRun), clusterRun(state) ?? '');
      running.replaceChildren(state.running ? badge('running', t('outcome_running')) : '');
    }),
  );
}

/** Renders the jobs tab. */
export async function renderJobs(root: HTMLElement, _ctx: PageContext): Promise<void> {
  const res = await api<{ jobs: JobView[] }>('/api/v1/jobs');
  root.replaceChildren(
    card(
      t('adminJobs'),
      h('p', { class: 'muted' }, t('jobsNote')),
      h('div', { 'data-jobs': res.jobs.length }, ...res.jobs.map(jobBlock)),
    ),
  );
}
