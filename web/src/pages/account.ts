/** The signed-in user's own page: who, role and scopes, when the session ends, a new password. */
import { card, h } from '../dom.js';
import { apiField, done, onSubmit } from '../forms.js';
import { t } from '../i18n.js';
import { changePassword } from '../identity.js';
import { when } from '../labels.js';
import type { PageContext } from '../router.js';
import { roleName, scopesText } from '../shell.js';

function passwordForm(): HTMLElement {
  const current = h('input', {
    type: 'password',
    name: 'currentPassword',
    autocomplete: 'current-password',
    required: true,
  });
  const next = h('input', {
    type: 'password',
    name: 'password',
    autocomplete: 'new-password',
    required: true,
    minlength: 12,
    maxlength: 256,
  });
  const again = h('input', { type: 'password', name: 'again', autocomplete: 'new-password', required: true });
  const general = h('div', { 'data-form-status': 'password' });
  const form = h(
    'form',
    { class: 'stack', 'data-form': 'password' },
    apiField(t('currentPassword'), current),
    apiField(t('newPassword'), next, t('passwordRule')),
    apiField(t('newPasswordAgain'), again),
    general,
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('changePassword'))),
  );
  again.addEventListener('input', () => again.setCustomValidity(''));
  onSubmit(form, general, async () => {
    if (again.value !== next.value) {
      again.setCustomValidity(t('passwordsDiffer'));
      again.reportValidity();
      return undefined;
    }
    await changePassword(current.value, next.value);
    for (const input of [current, next, again]) input.value = '';
    return done(t('passwordChanged'), 'password');
  });
  return form;
}

/** Renders `/account`. */
export async function renderAccount(root: HTMLElement, ctx: PageContext): Promise<void> {
  const who = ctx.identity;
  const head = h('div', { class: 'page-head' }, h('h1', {}, t('account')));
  if (who.kind === 'token') {
    root.replaceChildren(head, card(t('account'), h('p', { 'data-account': 'token' }, t('signedInWithToken'))));
    return;
  }
  const u = who.user;
  const facts: [string, string][] = [
    [t('username'), u.username],
    [t('displayName'), u.displayName],
    [t('role'), roleName(u.role, u.scopes)],
    [t('scopes'), scopesText(u.scopes, ctx.registry)],
    u.external ? [t('passwordChangedAt'), t('ssoUser')] : [t('passwordChangedAt'), when(u.passwordChangedAt)],
    [t('sessionExpires'), when(who.expiresAt)],
  ];
  root.replaceChildren(
    head,
    card(
      t('account'),
      h(
        'dl',
        { class: 'facts', 'data-account': u.username, 'data-role': u.role },
        ...facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
      ),
    ),
    // A single sign-on user has no password here: it changes it at the provider.
    ...(u.external
      ? []
      : [card(t('changePassword'), h('p', { class: 'muted' }, t('changePasswordNote')), passwordForm())]),
  );
}
