/** Sign-in with an API token (kept in sessionStorage; README: every /api/v1 call needs a Bearer token). */
import { ApiError, session } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { ensureAccess, loadRegistry, resetState } from '../state.js';

/** What the sign-in page needs from the shell. */
export interface SignInOptions {
  /** Why the officer is back here (a 401 on the way), shown above the form. */
  readonly message: string | undefined;
  readonly onSignedIn: () => void;
  readonly onLang: () => void;
}

/** The sign-in form: checks the token against the API before keeping it. */
export function renderSignIn(opts: SignInOptions): HTMLElement {
  const input = h('input', {
    type: 'password',
    name: 'token',
    autocomplete: 'current-password',
    required: true,
    placeholder: 'jn_…',
  });
  const status = h(
    'p',
    { class: opts.message === undefined ? 'hidden' : 'notice error', role: 'alert', 'data-signin-message': '' },
    opts.message === undefined ? '' : `${t('sessionEnded')}${opts.message}`,
  );
  const button = h('button', { type: 'submit', class: 'primary' }, t('signIn'));
  const form = h(
    'form',
    { class: 'signin card' },
    h('h1', {}, t('appName')),
    h('h2', {}, t('signInTitle')),
    status,
    h('label', { class: 'field' }, h('span', {}, t('token')), input),
    button,
    h('p', { class: 'muted' }, t('signInHint')),
    h('button', { type: 'button', class: 'link', 'data-action': 'lang', onclick: opts.onLang }, t('langSwitch')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    button.disabled = true;
    resetState();
    session.set(input.value.trim());
    loadRegistry()
      .then(() => ensureAccess())
      .then(() => opts.onSignedIn())
      .catch((error: unknown) => {
        session.clear();
        resetState();
        status.className = 'notice error';
        status.textContent = `${t('signInFailed')}${error instanceof ApiError ? `${error.message} (${error.status})` : String(error)}`;
        button.disabled = false;
      });
  });
  return h('div', { class: 'signin-page' }, form);
}
