/**
 * Sign-in with a username and password (README, "Users and sign-in": the API sets an HttpOnly
 * session cookie), and, folded away, with an API token for machines and old setups (kept in this
 * tab's sessionStorage only).
 */
import { ApiError } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { signInMethods, signInWithPassword, signInWithSso, signInWithToken } from '../identity.js';
import { resetState } from '../state.js';

/** What the sign-in page needs from the shell. */
export interface SignInOptions {
  /** Why the user is back here (a 401 on the way), shown above the form. */
  readonly message: string | undefined;
  readonly onSignedIn: () => void;
  readonly onLang: () => void;
}

function reason(error: unknown): string {
  if (!(error instanceof ApiError)) return String(error);
  if (error.code === 'JN_AUTH_INVALID' && error.message.startsWith('sign-in:')) return t('wrongPassword');
  if (error.code === 'JN_RATE_LIMITED') return `${t('tooManySignIns')} (${error.message})`;
  return `${error.message} (${error.status})`;
}

/** Runs a sign-in from a form: the button disabled meanwhile, the API's reason shown on failure. */
function wire(form: HTMLFormElement, status: HTMLElement, signIn: () => Promise<unknown>, onSignedIn: () => void) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type=submit]') as HTMLButtonElement;
    button.disabled = true;
    resetState();
    signIn()
      .then(() => onSignedIn())
      .catch((error: unknown) => {
        resetState();
        status.className = 'notice error';
        status.textContent = `${t('signInFailed')}${reason(error)}`;
        button.disabled = false;
      });
  });
}

/**
 * The single sign-on button, shown once the API says it is configured (issue 17, item 1), and
 * why the last single sign-on was refused (`?sso_error=CODE`, set by the API's callback).
 */
function ssoPart(status: HTMLElement): HTMLElement {
  const part = h(
    'div',
    { class: 'signin-form hidden', 'data-sso': '' },
    h('button', { type: 'button', class: 'primary', 'data-action': 'sso', onclick: signInWithSso }, t('ssoSignIn')),
    h('p', { class: 'muted' }, t('ssoOr')),
  );
  const refused = new URLSearchParams(location.search).get('sso_error');
  if (refused !== null) {
    status.className = 'notice error';
    status.dataset.ssoError = refused;
    status.textContent = `${t('ssoFailed')}${t(`sso_${refused}`)}`;
  }
  signInMethods()
    .then((methods) => part.classList.toggle('hidden', !methods.sso))
    .catch(() => undefined);
  return part;
}

/** The sign-in page. */
export function renderSignIn(opts: SignInOptions): HTMLElement {
  const username = h('input', {
    type: 'text',
    name: 'username',
    id: 'signin-username',
    autocomplete: 'username',
    required: true,
    autocapitalize: 'none',
    spellcheck: 'false',
  });
  const password = h('input', {
    type: 'password',
    name: 'password',
    id: 'signin-password',
    autocomplete: 'current-password',
    required: true,
  });
  const status = h(
    'p',
    { class: opts.message === undefined ? 'hidden' : 'notice error', role: 'alert', 'data-signin-message': '' },
    opts.message === undefined ? '' : `${t('sessionEnded')}${opts.message}`,
  );
  const form = h(
    'form',
    { class: 'signin-form', 'data-signin': 'password' },
    h('label', { class: 'field', for: 'signin-username' }, h('span', {}, t('username')), username),
    h('label', { class: 'field', for: 'signin-password' }, h('span', {}, t('password')), password),
    h('button', { type: 'submit', class: 'primary' }, t('signIn')),
    h('p', { class: 'muted' }, t('firstAdminHint')),
  );
  wire(
    form,
    status,
    () => signInWithPassword(username.value.trim(), password.value),
    () => {
      password.value = '';
      opts.onSignedIn();
    },
  );

  const token = h('input', {
    type: 'password',
    name: 'token',
    id: 'signin-token',
    autocomplete: 'off',
    required: true,
    placeholder: 'jn_…',
  });
  const tokenForm = h(
    'form',
    { class: 'signin-form', 'data-signin': 'token' },
    h('label', { class: 'field', for: 'signin-token' }, h('span', {}, t('token')), token),
    h('button', { type: 'submit' }, t('signInToken')),
    h('p', { class: 'muted' }, t('signInHint')),
  );
  wire(tokenForm, status, () => signInWithToken(token.value.trim()), opts.onSignedIn);

  return h(
    'div',
    { class: 'signin-page' },
    h(
      'div',
      { class: 'signin card' },
      h('h1', {}, t('appName')),
      h('h2', {}, t('signInTitle')),
      status,
      ssoPart(status),
      form,
      h('details', { 'data-token-signin': '' }, h('summary', {}, t('useToken')), tokenForm),
      h('button', { type: 'button', class: 'link', 'data-action': 'lang', onclick: opts.onLang }, t('langSwitch')),
    ),
  );
}
