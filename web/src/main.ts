/**
 * The shell: a router over the History API (the server falls back to index.html for any page
 * path), the sign-in guard (who is signed in is asked once: `identity.ts`), and the header.
 */
import { type ApiError, handleUnauthorized } from './api.js';
import { disposeCharts } from './charts.js';
import { failure, h } from './dom.js';
import { lang, setLang, t } from './i18n.js';
import { forgetIdentity, signOut, whoAmI } from './identity.js';
import { renderAccount } from './pages/account.js';
import { renderAdmin } from './pages/admin.js';
import { renderAnomalies } from './pages/anomalies.js';
import { renderAudit } from './pages/audit.js';
import { renderInstitution } from './pages/institution.js';
import { renderMeters } from './pages/meters.js';
import { renderOverview } from './pages/overview.js';
import { renderQuality } from './pages/quality.js';
import { renderReports } from './pages/reports.js';
import { renderSavingsList, renderSavingsProject } from './pages/savings.js';
import { renderSignIn } from './pages/signin.js';
import { renderTargets } from './pages/targets.js';
import type { PageContext } from './router.js';
import { accessLine, header, type Nav } from './shell.js';
import { ensureAccess, loadRegistry, resetState } from './state.js';

type Page = (root: HTMLElement, ctx: PageContext) => Promise<void>;

const ROUTES: readonly { pattern: RegExp; nav?: Nav; page: Page }[] = [
  { pattern: /^\/overview$/, nav: 'overview', page: renderOverview },
  { pattern: /^\/institutions\/([^/]+)$/, nav: 'overview', page: renderInstitution },
  { pattern: /^\/anomalies$/, nav: 'anomalies', page: renderAnomalies },
  { pattern: /^\/quality$/, nav: 'quality', page: renderQuality },
  { pattern: /^\/reports$/, nav: 'reports', page: renderReports },
  { pattern: /^\/targets$/, nav: 'targets', page: renderTargets },
  { pattern: /^\/meters$/, nav: 'meters', page: renderMeters },
  { pattern: /^\/savings$/, nav: 'savings', page: renderSavingsList },
  { pattern: /^\/savings\/([^/]+)$/, nav: 'savings', page: renderSavingsProject },
  { pattern: /^\/audit$/, nav: 'audit', page: renderAudit },
  { pattern: /^\/admin(?:\/([a-z]+))?$/, nav: 'admin', page: renderAdmin },
  { pattern: /^\/account$/, page: renderAccount },
];

const app = document.getElementById('app') as HTMLElement;
let signInMessage: string | undefined;

/** Goes to a page of the app (pushes history unless `replace`). */
export function navigate(path: string, replace = false): void {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  void render();
}

function switchLang(): void {
  setLang(lang() === 'zh' ? 'en' : 'zh');
  void render();
}

function leave(): void {
  void signOut().finally(() => {
    resetState();
    navigate('/signin');
  });
}

function showSignIn(message: string | undefined): void {
  if (location.pathname !== '/signin') history.replaceState(null, '', '/signin');
  app.replaceChildren(renderSignIn({ message, onSignedIn: () => navigate('/overview', true), onLang: switchLang }));
}

let renderSeq = 0;

async function render(): Promise<void> {
  const seq = ++renderSeq;
  disposeCharts();
  document.title = t('appName');
  const path = location.pathname;
  if (path === '/signin') {
    const message = signInMessage;
    signInMessage = undefined;
    showSignIn(message);
    return;
  }
  const main = h('main', { 'data-page': '' }, h('p', { class: 'muted' }, t('loading')));
  app.replaceChildren(main);
  try {
    const who = await whoAmI();
    if (seq !== renderSeq) return;
    if (who.identity === null) {
      // A first visit has no cookie: nothing to explain. An expired or revoked one says why.
      showSignIn(who.reason.code === 'JN_AUTH_MISSING' ? undefined : who.reason.message);
      return;
    }
    const route = ROUTES.find((r) => r.pattern.test(path));
    if (route === undefined) {
      navigate('/overview', true);
      return;
    }
    main.dataset.page = route.nav ?? path.slice(1);
    const [registry] = await Promise.all([loadRegistry(), ensureAccess()]);
    if (seq !== renderSeq) return;
    const identity = who.identity;
    app.replaceChildren(
      header({ active: route.nav, identity, registry, onLang: switchLang, onSignOut: leave }),
      accessLine(),
      main,
    );
    const params = route.pattern
      .exec(path)
      ?.slice(1)
      .map((p) => (p === undefined ? undefined : decodeURIComponent(p)));
    await route.page(main, {
      params: params ?? [],
      query: new URLSearchParams(location.search),
      registry,
      identity,
      navigate,
      refresh: () => void render(),
    });
    if (seq === renderSeq) main.dataset.ready = 'true';
  } catch (error) {
    if (seq === renderSeq) main.replaceChildren(failure(error));
  }
}

handleUnauthorized((error: ApiError) => {
  resetState();
  forgetIdentity();
  // On the sign-in page the form shows the error itself.
  if (location.pathname === '/signin') return;
  signInMessage = error.message;
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
