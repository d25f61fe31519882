/**
 * The registry (README, "Registry as a spreadsheet", "The meter model", "Gateway secrets"): the
 * workbook template and export, an import checked first (dry run: every problem with its sheet,
 * row and column) and then applied, the meter tree of a building with its editing, and gateway
 * secret rotation (the new secret shown once).
 */
import { ApiError, api, download } from '../api.js';
import { card, failure, h, select, table } from '../dom.js';
import { apiField, done, onSubmit, secretOnce } from '../forms.js';
import { t } from '../i18n.js';
import type { PageContext } from '../router.js';
import { invalidateRegistry, loadRegistry } from '../state.js';
import type { Registry } from '../types.js';
import type { ImportAnswer } from '../types-admin.js';
import { meterTree } from './meter-tree.js';
import { editor } from './registry-edit.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function counts(answer: ImportAnswer): HTMLElement {
  const sheets = Object.keys(answer.registry) as (keyof ImportAnswer['registry'])[];
  return h(
    'div',
    { class: 'notice ok', role: 'status', 'data-import': answer.dryRun ? 'dry-run' : 'applied' },
    h('p', {}, t(answer.dryRun ? 'importChecked' : 'importApplied')),
    table(
      [t('sheet'), t('rowsRead'), t('registryAfter')],
      sheets,
      (s) => [s, answer.rows[s] ?? 0, answer.registry[s]],
      (s) => ({ 'data-sheet': s }),
    ),
  );
}

/** The problems of a refused import, one row per cell (sheet, row, column, message). */
export function problems(error: unknown): HTMLElement {
  if (!(error instanceof ApiError) || error.details.length === 0) return failure(error);
  return h(
    'div',
    { class: 'notice error', role: 'alert', 'data-problems': error.details.length, 'data-code': error.code },
    h('p', {}, t('importRefused', { count: String(error.details.length) })),
    table(
      [t('sheet'), t('row'), t('column'), t('problem')],
      error.details,
      (d) => [d.sheet ?? '—', d.row ?? '—', d.column ?? d.path, d.message],
      (d) => ({ 'data-problem': d.path, 'data-row': d.row ?? '', 'data-column': d.column ?? '' }),
    ),
  );
}

function spreadsheet(onApplied: () => Promise<void>): HTMLElement {
  const status = h('div', { 'data-sheet-status': '' });
  const get = (path: string, name: string) => () =>
    void download(path, name).then(
      (file) => status.replaceChildren(done(`${t('downloaded')}${file}`, file)),
      (error: unknown) => status.replaceChildren(failure(error)),
    );
  const file = h('input', { type: 'file', name: 'workbook', accept: `.xlsx,${XLSX}`, required: true });
  const result = h('div', { 'data-import-result': '' });
  const send = async (dryRun: boolean) => {
    const chosen = file.files?.[0];
    if (chosen === undefined) {
      file.reportValidity();
      return;
    }
    result.replaceChildren(h('p', { class: 'muted' }, t('working')));
    try {
      const answer = await api<ImportAnswer>(`/api/v1/registry/import?dryRun=${dryRun}`, {
        method: 'POST',
        raw: new Blob([chosen], { type: XLSX }),
      });
      result.replaceChildren(counts(answer));
      if (!dryRun) await onApplied();
    } catch (error) {
      result.replaceChildren(problems(error));
    }
  };
  const form = h(
    'form',
    { class: 'controls', 'data-form': 'registry-import' },
    h('label', { class: 'field' }, h('span', {}, t('workbook')), file),
    h('button', { type: 'submit', class: 'primary', 'data-action': 'dry-run' }, t('checkImport')),
    h('button', { type: 'button', 'data-action': 'import', onclick: () => void send(false) }, t('applyImport')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void send(true);
  });
  return card(
    t('registrySheet'),
    h(
      'div',
      { class: 'buttons' },
      h(
        'button',
        {
          type: 'button',
          'data-download': 'template',
          onclick: get('/api/v1/registry/template.xlsx', 'jieneng-registry-template.xlsx'),
        },
        t('downloadTemplate'),
      ),
      h(
        'button',
        {
          type: 'button',
          'data-download': 'export',
          onclick: get('/api/v1/registry/export.xlsx', 'jieneng-registry.xlsx'),
        },
        t('downloadExport'),
      ),
    ),
    status,
    h('p', { class: 'muted' }, t('importNote')),
    form,
    result,
  );
}

function gateways(registry: Registry): HTMLElement {
  const gateway = select(
    'id',
    registry.gateways.map((g): [string, string] => [g.id, g.name === undefined ? g.id : `${g.id} · ${g.name}`]),
    registry.gateways[0]?.id ?? '',
  );
  const secret = h('input', { type: 'password', name: 'secret', autocomplete: 'new-password', minlength: 8 });
  const general = h('div', { 'data-form-status': 'gateway-secret' });
  const form = h(
    'form',
    { class: 'controls', 'data-form': 'gateway-secret' },
    apiField(t('gateway'), gateway),
    apiField(t('ownSecret'), secret, t('ownSecretHint')),
    h('button', { type: 'submit', class: 'primary' }, t('rotateSecret')),
  );
  onSubmit(form, general, async () => {
    const own = secret.value;
    const res = await api<{ gatewayId: string; secret?: string; disconnected: number }>(
      `/api/v1/gateways/${encodeURIComponent(gateway.value)}/secret`,
      // Always a JSON body: the route refuses a POST without one (`body: expected object, received null`).
      { method: 'POST', body: own === '' ? {} : { secret: own } },
    );
    secret.value = '';
    const note = t('secretRotated', { id: res.gatewayId, count: String(res.disconnected) });
    return res.secret === undefined ? done(note, res.gatewayId) : secretOnce(note, res.secret, res.gatewayId);
  });
  return card(t('gatewaySecrets'), h('p', { class: 'muted' }, t('gatewaySecretNote')), form, general);
}

/** Renders the registry tab. */
export async function renderRegistryAdmin(root: HTMLElement, ctx: PageContext): Promise<void> {
  // Anyone reads the registry, only a city admin imports, edits or rotates: an admin-only route
  // answers first, so anyone else gets the 403 in place rather than forms that would all refuse.
  await api('/api/v1/jobs');
  let registry = ctx.registry;
  const treeSlot = h('div', {});
  const editSlot = h('div', {});
  const building = () => new URLSearchParams(location.search).get('building') ?? registry.buildings[0]?.id ?? '';
  const edit = (table: 'meters' | 'buildings' | 'institutions', id: string) => {
    editSlot.replaceChildren(editor(registry, table, id, changed));
    editSlot.querySelector<HTMLElement>('input:not([readonly]), select')?.focus();
  };
  const drawTree = () =>
    treeSlot.replaceChildren(
      meterTree(registry, building(), {
        onBuilding: (id) => {
          history.replaceState(null, '', `/admin/registry?building=${encodeURIComponent(id)}`);
          drawTree();
        },
        onEdit: edit,
      }),
    );
  async function changed(): Promise<void> {
    invalidateRegistry();
    registry = await loadRegistry();
    drawTree();
  }
  drawTree();
  root.replaceChildren(spreadsheet(changed), treeSlot, editSlot, gateways(registry));
}
