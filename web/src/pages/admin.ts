/**
 * The administration (issue 17, items 2 and 4): users, API tokens, scheduled jobs, the registry and
 * notifications (channels, routes, delivery log). City
 * admins see every tab, a district admin the users of its districts; anyone else who comes here
 * gets the API's 403 in place, as on every page.
 */
import { h, section } from '../dom.js';
import { t } from '../i18n.js';
import { adminLevel } from '../identity.js';
import type { PageContext } from '../router.js';
import { renderJobs } from './admin-jobs.js';
import { renderNotifications } from './admin-notifications.js';
import { renderRegistryAdmin } from './admin-registry.js';
import { renderTokens } from './admin-tokens.js';
import { renderUsers } from './admin-users.js';

type Tab = 'users' | 'tokens' | 'jobs' | 'registry' | 'notifications';

const TABS: readonly { id: Tab; label: string; level: 'district' | 'city'; render: typeof renderUsers }[] = [
  { id: 'users', label: 'adminUsers', level: 'district', render: renderUsers },
  { id: 'tokens', label: 'adminTokens', level: 'city', render: renderTokens },
  { id: 'jobs', label: 'adminJobs', level: 'city', render: renderJobs },
  { id: 'registry', label: 'adminRegistry', level: 'city', render: renderRegistryAdmin },
  { id: 'notifications', label: 'tabNotifications', level: 'city', render: renderNotifications },
];

/** Renders `/admin/{users,tokens,jobs,registry,notifications}`. */
export async function renderAdmin(root: HTMLElement, ctx: PageContext): Promise<void> {
  const tab = TABS.find((x) => x.id === (ctx.params[0] ?? 'users'));
  if (tab === undefined) {
    ctx.navigate('/admin/users', true);
    return;
  }
  const level = adminLevel(ctx.identity);
  const visible = TABS.filter((x) => level === 'city' || (level === 'district' && x.level === 'district'));
  const tabs = h(
    'nav',
    { class: 'tabs', 'aria-label': t('navAdmin') },
    ...visible.map((x) =>
      h(
        'a',
        {
          href: `/admin/${x.id}`,
          class: `tab${x.id === tab.id ? ' active' : ''}`,
          'data-tab': x.id,
          'aria-current': x.id === tab.id ? 'page' : undefined,
        },
        t(x.label),
      ),
    ),
  );
  const body = h('div', { class: 'slot', 'data-admin': tab.id });
  root.replaceChildren(h('div', { class: 'page-head' }, h('h1', {}, t('navAdmin'))), tabs, body);
  // Each tab loads what it needs; a 403 (not an admin) is shown in its place.
  await section(body, async () => {
    const holder = h('div', {});
    await tab.render(holder, ctx);
    return holder;
  });
}
