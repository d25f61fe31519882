/** Reports: pick a month and a scope, download CSV/XLSX/PDF in Chinese or English; the archive list. */
import { ApiError, api, download, url } from '../api.js';
import { addDays, monthOf, today } from '../dates.js';
import { card, failure, field, h, section, select, table } from '../dom.js';
import { t } from '../i18n.js';
import { homeScope } from '../identity.js';
import { scopeName, when } from '../labels.js';
import type { PageContext } from '../router.js';
import type { ArchivedReport, Registry } from '../types.js';
import { scopePicker } from './pickers.js';

const FORMATS = ['csv', 'xlsx', 'pdf'] as const;

/** Runs a download and reports its outcome in `status` (a 404 means the reports route is not there). */
async function fetchFile(status: HTMLElement, path: string, fallbackName: string): Promise<void> {
  status.replaceChildren(h('p', { class: 'muted' }, t('loading')));
  try {
    const name = await download(path, fallbackName);
    status.replaceChildren(h('p', { class: 'notice ok', 'data-downloaded': name }, t('downloaded'), name));
  } catch (error) {
    const missing = error instanceof ApiError && error.status === 404 && error.code === 'JN_NOT_FOUND';
    status.replaceChildren(
      missing && error.message.startsWith('no route')
        ? h('p', { class: 'notice', 'data-reports-missing': '' }, t('reportsMissing'))
        : failure(error),
    );
  }
}

async function archive(registry: Registry, status: HTMLElement): Promise<Node> {
  const res = await api<{ reports: ArchivedReport[] }>('/api/v1/reports');
  if (res.reports.length === 0) return h('p', { class: 'muted', 'data-archive': 0 }, t('noArchive'));
  const rows = [...res.reports].sort((a, b) => b.period.localeCompare(a.period) || b.version - a.version);
  return h(
    'div',
    { 'data-archive': rows.length },
    table(
      [t('period'), t('scope'), t('version'), t('generatedAt'), t('download')],
      rows,
      (r) => [
        r.period,
        scopeName(r.scope, registry),
        `v${r.version}${r.latest ? ` (${t('latest')})` : ''}`,
        when(r.generatedAt),
        h(
          'span',
          { class: 'downloads' },
          ...Object.entries(r.downloads).map(([format, path]) =>
            h(
              'button',
              {
                type: 'button',
                class: 'link',
                'data-archive-download': format,
                onclick: () => void fetchFile(status, path, `${r.period}-v${r.version}.${format}`),
              },
              format.toUpperCase(),
            ),
          ),
        ),
      ],
      (r) => ({ 'data-report': `${r.period}|${r.scope}|v${r.version}` }),
    ),
  );
}

/** Renders `/reports?month&scope&lang`. */
export async function renderReports(root: HTMLElement, ctx: PageContext): Promise<void> {
  // Monthly reports are for finished months: last month by default.
  const lastMonth = monthOf(addDays(`${monthOf(today())}-01`, -1));
  const monthInput = h('input', { type: 'month', name: 'month', value: ctx.query.get('month') ?? lastMonth });
  const scopeSelect = scopePicker(
    'scope',
    ctx.registry,
    ctx.query.get('scope') ?? homeScope(ctx.identity),
    ctx.identity,
  );
  const langSelect = select(
    'lang',
    [
      ['zh', '中文'],
      ['en', 'English'],
    ],
    ctx.query.get('lang') ?? 'zh',
  );
  const status = h('div', { class: 'slot', 'data-download-status': '' });
  const buttons = FORMATS.map((format) =>
    h(
      'button',
      {
        type: 'button',
        class: 'primary',
        'data-format': format,
        onclick: () => {
          const q = { month: monthInput.value, scope: scopeSelect.value, lang: langSelect.value };
          history.replaceState(null, '', `/reports?${new URLSearchParams(q)}`);
          void fetchFile(status, url('/api/v1/reports/monthly', { ...q, format }), `report-${q.month}.${format}`);
        },
      },
      `${t('download')} ${format.toUpperCase()}`,
    ),
  );
  const archiveSlot = h('div', { class: 'slot' });
  const archiveStatus = h('div', {});
  root.replaceChildren(
    h('div', { class: 'page-head' }, h('h1', {}, t('navReports'))),
    card(
      t('reports'),
      h(
        'div',
        { class: 'controls' },
        field(t('month_'), monthInput),
        field(t('scope'), scopeSelect),
        field(t('language'), langSelect),
      ),
      h('div', { class: 'buttons' }, ...buttons),
      status,
    ),
    card(t('archive'), archiveStatus, archiveSlot),
  );
  await section(archiveSlot, async () => {
    try {
      return await archive(ctx.registry, archiveStatus);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return h('p', { class: 'notice' }, t('reportsMissing'));
      throw error;
    }
  });
}
