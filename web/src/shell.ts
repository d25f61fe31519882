/**
 * The shell's header: the sections, the officer's work pages, the administration for admins, who
 * is signed in (with role and scopes), the language switch and sign-out.
 */
import { h } from './dom.js';
import { t } from './i18n.js';
import { adminLevel, type Identity } from './identity.js';
import { scopeName } from './labels.js';
import { accessOf, SECTIONS, type Section } from './state.js';
import type { Registry } from './types.js';

/** An entry of the navigation: a probed section, a work page, or the administration. */
export type Nav = Section | 'targets' | 'meters' | 'savings' | 'audit' | 'admin';

const NAV_LABEL: Record<Nav, string> = {
  overview: 'navOverview',
  anomalies: 'navAnomalies',
  quality: 'navQuality',
  reports: 'navReports',
  targets: 'navTargets',
  meters: 'navMeters',
  savings: 'navSavings',
  audit: 'navAudit',
  admin: 'navAdmin',
};

/** The work pages: every signed-in user sees them, each part answers for itself (403 in place). */
const WORK: readonly Nav[] = ['targets', 'meters', 'savings', 'audit'];

/** A role's name; a district admin is named as such. */
export function roleName(role: string, scopes: readonly string[] = []): string {
  if (role === 'admin' && scopes.length > 0) return t('role_district_admin');
  return t(`role_${role}`);
}

/** Scopes named from the registry (`city` when there are none). */
export function scopesText(scopes: readonly string[], registry: Registry): string {
  return scopes.length === 0 ? t('city') : scopes.map((s) => scopeName(s, registry)).join('、');
}

/** Who is signed in, in a few words: name, role and scopes, or "API token". */
export function whoText(who: Identity, registry: Registry): string {
  if (who.kind === 'token') return `${t('token')}${who.admin ? ` · ${t('role_admin')}` : ''}`;
  const u = who.user;
  return `${u.displayName} (${u.username}) · ${roleName(u.role, u.scopes)} · ${scopesText(u.scopes, registry)}`;
}

/** The header. */
export function header(opts: {
  active: Nav | undefined;
  identity: Identity;
  registry: Registry;
  onLang: () => void;
  onSignOut: () => void;
}): HTMLElement {
  const link = (s: Nav, denied = false) =>
    h(
      'a',
      {
        href: `/${s}`,
        class: `nav-link${s === opts.active ? ' active' : ''}${denied ? ' denied' : ''}`,
        'data-nav': s,
        title: denied ? t('noAccess') : undefined,
      },
      t(NAV_LABEL[s]),
      denied ? ` (${t('noAccess')})` : '',
    );
  const nav = [
    ...SECTIONS.map((s) => link(s, accessOf(s) === 'no')),
    ...WORK.map((s) => link(s)),
    adminLevel(opts.identity) === 'none' ? null : link('admin'),
  ];
  return h(
    'header',
    { class: 'top' },
    h('a', { href: '/overview', class: 'brand' }, t('appName')),
    h('nav', { 'aria-label': t('navigation') }, ...nav),
    h(
      'div',
      { class: 'tools' },
      h(
        'a',
        {
          href: '/account',
          class: 'who',
          'data-who': opts.identity.kind === 'user' ? opts.identity.user.username : 'token',
          'data-role': opts.identity.kind === 'user' ? opts.identity.user.role : '',
        },
        whoText(opts.identity, opts.registry),
      ),
      h('button', { type: 'button', class: 'link', 'data-action': 'lang', onclick: opts.onLang }, t('langSwitch')),
      h('button', { type: 'button', class: 'link', 'data-action': 'signout', onclick: opts.onSignOut }, t('signOut')),
    ),
  );
}

/** The line under the header: which sections the sign-in can read. */
export function accessLine(): HTMLElement {
  const readable = SECTIONS.filter((s) => accessOf(s) === 'yes').map((s) => t(NAV_LABEL[s]));
  return h('p', { class: 'access muted', 'data-access': readable.length }, t('canRead'), readable.join(' · '));
}
