/**
 * The shell: header with navigation and the language switch, a router over the History API (the
 * server falls back to index.html for any page path), and the sign-in guard.
 */
import { handleUnauthorized, session } from './api.js';
import { disposeCharts } from './charts.js';
import { failure, h } from './dom.js';
import { lang, setLang, t } from './i18n.js';
import { renderAnomalies } from './pages/anomalies.js';
import { renderInstitution } from './pages/institution.js';
import { renderOverview } from './pages/overview.js';
import { renderQuality } from './pages/quality.js';
import { renderReports } from './pages/reports.js';
import { renderSignIn } from './pages/signin.js';
import type { PageContext } from './router.js';
import { accessOf, ensureAccess, loadRegistry, resetState, SECTIONS, type Section } from './state.js';

type Page = (root: HTMLElement, ctx: PageContext) => Promise<void>;

const ROUTES: readonly { pattern: RegExp; section?: Section; page: Page }[] = [
  { pattern: /^\/overview$/, section: 'overview', page: renderOverview },
  { pattern: /^\/institutions\/([^/]+)$/, section: 'overview', page: renderInstitution },
  { pattern: /^\/anomalies$/, section: 'anomalies', page: renderAnomalies },
  { pattern: /^\/quality$/, section: 'quality', page: renderQuality },
  { pattern: /^\/reports$/, section: 'reports', page: renderReports },
];

const NAV_LABEL: Record<Section, string> = {
  overview: 'navOverview',
  anomalies: 'navAnomalies',
  quality: 'navQuality',
  reports: 'navReports',
};

const app = document.getElementById('app') as HTMLElement;
let signInMessage: string | undefined;

/** Goes to a page of the app (pushes history unless `replace`). */
export function navigate(path: string, replace = false): void {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  void render();
}

function header(active: Section | undefined): HTMLElement {
  const links = SECTIONS.map((s) => {
    const denied = accessOf(s) === 'no';
    return h(
      'a',
      {
        href: `/${s}`,
        class: `nav-link${s === active ? ' active' : ''}${denied ? ' denied' : ''}`,
        'data-nav': s,
        title: denied ? t('noAccess') : undefined,
      },
      t(NAV_LABEL[s]),
      denied ? ` (${t('noAccess')})` : '',
    );
  });
  return h(
    'header',
    { class: 'top' },
    h('a', { href: '/overview', class: 'brand' }, t('appName')),
    h('nav', {}, ...links),
    h(
      'div',
      { class: 'tools' },
      h('button', { type: 'button', class: 'link', 'data-action': 'lang', onclick: switchLang }, t('langSwitch')),
      h('button', { type: 'button', class: 'link', 'data-action': 'signout', onclick: signOut }, t('signOut')),
    ),
  );
}

function switchLang(): void {
  setLang(lang() === 'zh' ? 'en' : 'zh');
  void render();
}

function signOut(): void {
  session.clear();
  resetState();
  navigate('/signin');
}

function accessLine(): HTMLElement {
  const readable = SECTIONS.filter((s) => accessOf(s) === 'yes').map((s) => t(NAV_LABEL[s]));
  return h('p', { class: 'access muted', 'data-access': readable.length }, t('canRead'), readable.join(' · '));
}

let renderSeq = 0;

async function render(): Promise<void> {
  const seq = ++renderSeq;
  disposeCharts();
  document.title = t('appName');
  const path = location.pathname;
  if (session.token() === null || path === '/signin') {
    if (path !== '/signin') history.replaceState(null, '', '/signin');
    const message = signInMessage;
    signInMessage = undefined;
    app.replaceChildren(renderSignIn({ message, onSignedIn: () => navigate('/overview', true), onLang: switchLang }));
    return;
  }
  const route = ROUTES.find((r) => r.pattern.test(path));
  if (route === undefined) {
    navigate('/overview', true);
    return;
  }
  const main = h('main', { 'data-page': route.section ?? '' }, h('p', { class: 'muted' }, t('loading')));
  app.replaceChildren(main);
  try {
    const [registry] = await Promise.all([loadRegistry(), ensureAccess()]);
    if (seq !== renderSeq) return;
    app.replaceChildren(header(route.section), accessLine(), main);
    const params = route.pattern.exec(path)?.slice(1).map(decodeURIComponent) ?? [];
    await route.page(main, { params, query: new URLSearchParams(location.search), registry, navigate });
    if (seq === renderSeq) main.dataset.ready = 'true';
  } catch (error) {
    if (seq === renderSeq && session.token() !== null) main.replaceChildren(failure(error));
  }
}

handleUnauthorized((message) => {
  resetState();
  // On the sign-in page the form shows the error itself.
  if (location.pathname === '/signin') return;
  signInMessage = message;
  navigate('/signin', true);
});

// Links inside the app move through history instead of reloading the page.
document.addEventListener('click', (event) => {
  const a = (event.target as Element | null)?.closest('a');
  if (a === null || a === undefined || a.target !== '' || a.hasAttribute('download')) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
  const href = a.getAttribute('href');
  if (href === null || !href.startsWith('/') || href.startsWith('/api/')) return;
  event.preventDefault();
  navigate(href);
});
window.addEventListener('popstate', () => void render());
setLang(lang());
void render();
