/**
 * The statistics forms of a year (README, "Statistics forms (统计报表)") as XLSX or PDF, and the
 * sign-off of an institution's year: refused with 409 `JN_AUDIT_OPEN_FLAGS` while a flag is open,
 * the open flags then listed from the answer's `details` (`flags.<id>`).
 */
import { ApiError, api, download, url } from '../api.js';
import { card, failure, h, section, select, table } from '../dom.js';
import { apiField, done, onSubmit } from '../forms.js';
import { t } from '../i18n.js';
import { scopeName, when } from '../labels.js';
import { institutionsIn } from '../queries.js';
import type { Registry } from '../types.js';
import type { SignoffView } from '../types-admin.js';

function openFlags(error: unknown): HTMLElement {
  if (!(error instanceof ApiError && error.code === 'JN_AUDIT_OPEN_FLAGS')) return failure(error);
  return h(
    'div',
    { class: 'notice error', role: 'alert', 'data-open-flags': error.details.length },
    h('p', {}, t('signoffRefused', { count: String(error.details.length) })),
    h(
      'ul',
      {},
      ...error.details.map((d) =>
        h(
          'li',
          { 'data-open-flag': d.path.replace(/^flags\./, '') },
          h('code', {}, d.path.replace(/^flags\./, '')),
          ` ${d.message}`,
        ),
      ),
    ),
  );
}

function signoffTable(rows: readonly SignoffView[], registry: Registry): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'muted', 'data-signoffs': 0 }, t('noSignoffs'));
  return h(
    'div',
    { 'data-signoffs': rows.length },
    table(
      [t('institution'), t('signedOffBy'), t('signedOffAt'), t('flagsAtSignoff'), t('openFlagsNow')],
      rows,
      (s) => [scopeName(s.scope, registry), s.by, when(s.at), s.flags, s.openFlags ?? 0],
      (s) => ({ 'data-signoff': s.institutionId }),
    ),
  );
}

function institutionsOf(scope: string, registry: Registry): Registry['institutions'] {
  const [kind, id] = scope.split(':');
  if (kind === 'institution') return registry.institutions.filter((i) => i.id === id);
  return institutionsIn(scope, registry);
}

/** The statistics and sign-off card of a year and scope; `onChange` reloads the flags. */
export function statistics(
  registry: Registry,
  year: string,
  scope: string,
  act: boolean,
  onChange: () => void,
): HTMLElement {
  const status = h('div', { 'data-download-status': '' });
  const get = (format: 'xlsx' | 'pdf') => () => {
    status.replaceChildren(h('p', { class: 'muted' }, t('working')));
    download(url('/api/v1/statistics/annual', { year, scope, format }), `jieneng-statistics-${year}.${format}`).then(
      (name) => status.replaceChildren(done(`${t('downloaded')}${name}`, name)),
      (error: unknown) => status.replaceChildren(failure(error)),
    );
  };
  const listSlot = h('div', { class: 'slot' });
  const loadSignoffs = () =>
    section(listSlot, async () => {
      const res = await api<{ signoffs: SignoffView[] }>(url(`/api/v1/statistics/annual/${year}/signoffs`, { scope }));
      return signoffTable(res.signoffs, registry);
    });
  void loadSignoffs();
  const institutions = institutionsOf(scope, registry);
  const institution = select(
    'scope',
    institutions.map((i): [string, string] => [`institution:${i.id}`, `${i.name} (${i.id})`]),
    institutions[0] === undefined ? '' : `institution:${institutions[0].id}`,
  );
  const general = h('div', { 'data-form-status': 'signoff' });
  const form = h(
    'form',
    { class: 'controls', 'data-form': 'signoff' },
    apiField(t('institution'), institution),
    h('button', { type: 'submit', class: 'primary' }, t('signOff')),
  );
  onSubmit(form, general, async () => {
    try {
      const s = await api<SignoffView>(url(`/api/v1/statistics/annual/${year}/signoff`, { scope: institution.value }), {
        method: 'POST',
      });
      void loadSignoffs();
      return done(t('signedOff', { name: scopeName(s.scope, registry), year: String(s.year) }), s.institutionId);
    } catch (error) {
      // The open flags are the answer's point: listed, and the flags reloaded to resolve them.
      if (error instanceof ApiError && error.code === 'JN_AUDIT_OPEN_FLAGS') {
        onChange();
        return openFlags(error);
      }
      throw error;
    }
  });
  return card(
    t('statistics', { year }),
    h('p', { class: 'muted' }, t('statisticsNote')),
    h(
      'div',
      { class: 'buttons' },
      h('button', { type: 'button', 'data-format': 'xlsx', onclick: get('xlsx') }, `${t('download')} XLSX`),
      h('button', { type: 'button', 'data-format': 'pdf', onclick: get('pdf') }, `${t('download')} PDF`),
    ),
    status,
    h('h3', {}, t('signoffs')),
    listSlot,
    act && institutions.length > 0
      ? h('div', {}, h('h3', {}, t('signOff')), h('p', { class: 'muted' }, t('signoffNote')), form, general)
      : null,
  );
}
