/**
 * Users (README, "Users and sign-in"): list, create, change display name, role, scopes or
 * password, disable, sign out everywhere, delete. A district admin manages the users of its
 * districts (the API lists only those, and answers 403 outside them).
 */
import { api } from '../api.js';
import { badge, card, failure, h, table } from '../dom.js';
import { apiField, done, onSubmit } from '../forms.js';
import { t } from '../i18n.js';
import { when } from '../labels.js';
import type { PageContext } from '../router.js';
import { roleName, scopesText } from '../shell.js';
import type { UserView } from '../types-admin.js';
import { chosen, confirmButton, roleSelect, scopesSelect } from './pickers.js';

const USERS = '/api/v1/users';

function userPath(id: string, rest = ''): string {
  return `${USERS}/${encodeURIComponent(id)}${rest}`;
}

function createForm(ctx: PageContext, reload: () => Promise<void>): HTMLElement {
  const username = h('input', { type: 'text', name: 'username', required: true, autocomplete: 'off', maxlength: 64 });
  const displayName = h('input', { type: 'text', name: 'displayName', required: true, maxlength: 200 });
  const password = h('input', { type: 'password', name: 'password', required: true, autocomplete: 'new-password' });
  const role = roleSelect('officer');
  const scopes = scopesSelect(ctx.registry, []);
  const general = h('div', { 'data-form-status': 'user-create' });
  const form = h(
    'form',
    { class: 'grid-form', 'data-form': 'user-create' },
    apiField(t('username'), username),
    apiField(t('displayName'), displayName),
    apiField(t('password'), password, t('passwordRule')),
    apiField(t('role'), role),
    apiField(t('scopes'), scopes, t('scopesHint')),
    general,
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('createUser'))),
  );
  onSubmit(form, general, async () => {
    const user = await api<UserView>(USERS, {
      method: 'POST',
      body: {
        username: username.value.trim(),
        displayName: displayName.value.trim(),
        password: password.value,
        role: role.value,
        scopes: chosen(scopes),
      },
    });
    form.reset();
    await reload();
    return done(t('userCreated', { name: user.username }), user.id);
  });
  return form;
}

/** The edit form of one user: only what changed is sent (`PATCH`). */
function editForm(ctx: PageContext, user: UserView, reload: () => Promise<void>): HTMLElement {
  const displayName = h('input', { type: 'text', name: 'displayName', required: true, value: user.displayName });
  const role = roleSelect(user.role);
  const scopes = scopesSelect(ctx.registry, user.scopes);
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'new-password' });
  const disabled = h('input', { type: 'checkbox', name: 'disabled', checked: user.disabledAt !== null });
  const general = h('div', { 'data-form-status': 'user-edit' });
  const form = h(
    'form',
    { class: 'grid-form', 'data-form': 'user-edit', 'data-user': user.username },
    h('h3', {}, t('editUser', { name: user.username })),
    apiField(t('displayName'), displayName),
    apiField(t('role'), role),
    apiField(t('scopes'), scopes, t('scopesHint')),
    user.external ? null : apiField(t('resetPassword'), password, t('resetPasswordHint')),
    apiField(t('disabled'), disabled, t('disabledHint')),
    general,
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('save'))),
  );
  onSubmit(form, general, async () => {
    const patch: Record<string, unknown> = {};
    if (displayName.value.trim() !== user.displayName) patch.displayName = displayName.value.trim();
    if (role.value !== user.role) patch.role = role.value;
    const next = chosen(scopes);
    if (next.join(',') !== user.scopes.join(',')) patch.scopes = next;
    if (password.value !== '') patch.password = password.value;
    if (disabled.checked !== (user.disabledAt !== null)) patch.disabled = disabled.checked;
    const saved = await api<UserView>(userPath(user.id), { method: 'PATCH', body: patch });
    await reload();
    return done(t('userSaved', { name: saved.username }), saved.id);
  });
  return form;
}

function list(
  ctx: PageContext,
  users: readonly UserView[],
  edit: (u: UserView) => void,
  act: (run: () => Promise<string>) => void,
): HTMLElement {
  if (users.length === 0) return h('p', { class: 'muted' }, t('noUsers'));
  return table(
    [t('username'), t('displayName'), t('role'), t('scopes'), t('status'), t('passwordChangedAt'), ''],
    users,
    (u) => [
      h('strong', {}, u.username),
      u.displayName,
      roleName(u.role, u.scopes),
      scopesText(u.scopes, ctx.registry),
      u.disabledAt === null
        ? badge('active', t('active'))
        : badge('disabled', `${t('disabled')} ${when(u.disabledAt)}`),
      u.external ? t('ssoUser') : when(u.passwordChangedAt),
      h(
        'span',
        { class: 'row-actions' },
        h('button', { type: 'button', 'data-action': 'edit', onclick: () => edit(u) }, t('edit')),
        confirmButton(t('signOutEverywhere'), 'signout-everywhere', () =>
          act(async () => {
            const r = await api<{ revoked: number }>(userPath(u.id, '/sessions'), { method: 'DELETE' });
            return t('sessionsRevoked', { name: u.username, count: String(r.revoked) });
          }),
        ),
        confirmButton(t('delete'), 'delete', () =>
          act(async () => {
            await api(userPath(u.id), { method: 'DELETE' });
            return t('userDeleted', { name: u.username });
          }),
        ),
      ),
    ],
    (u) => ({ 'data-user': u.username, 'data-user-id': u.id, 'data-disabled': String(u.disabledAt !== null) }),
  );
}

/** Renders the users tab. */
export async function renderUsers(root: HTMLElement, ctx: PageContext): Promise<void> {
  const listSlot = h('div', { class: 'slot' });
  const status = h('div', { 'data-users-status': '' });
  const editSlot = h('div', {});
  const edit = (u: UserView) => {
    editSlot.replaceChildren(card(t('editUser', { name: u.username }), editForm(ctx, u, reload)));
    editSlot.querySelector<HTMLInputElement>('input[name=displayName]')?.focus();
  };
  const act = (run: () => Promise<string>) => {
    run()
      .then(async (message) => {
        await reload();
        status.replaceChildren(done(message));
      })
      .catch((error: unknown) => status.replaceChildren(failure(error)));
  };
  async function reload(): Promise<void> {
    const res = await api<{ users: UserView[] }>(USERS);
    const users = [...res.users].sort((a, b) => a.username.localeCompare(b.username));
    listSlot.replaceChildren(h('div', { 'data-users': users.length }, list(ctx, users, edit, act)));
  }
  // A 403 (not an admin) throws here: the administration shows it in place.
  await reload();
  root.replaceChildren(
    card(t('adminUsers'), status, listSlot),
    editSlot,
    card(t('createUser'), createForm(ctx, reload)),
  );
}
