/**
 * API tokens for machines (README, "Issuing and revoking tokens"): list (never the token), issue
 * (the token is shown once: only its SHA-256 is kept), revoke.
 */
import { api } from '../api.js';
import { badge, card, failure, h, table } from '../dom.js';
import { apiField, done, onSubmit, secretOnce } from '../forms.js';
import { t } from '../i18n.js';
import { when } from '../labels.js';
import type { PageContext } from '../router.js';
import { roleName, scopesText } from '../shell.js';
import type { TokenView } from '../types-admin.js';
import { chosen, confirmButton, roleSelect, scopesSelect } from './pickers.js';

const TOKENS = '/api/v1/tokens';

function issueForm(ctx: PageContext, shown: HTMLElement, reload: () => Promise<void>): HTMLElement {
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: 200 });
  const role = roleSelect('viewer');
  const scopes = scopesSelect(ctx.registry, []);
  const expiresAt = h('input', { type: 'date', name: 'expiresAt' });
  const general = h('div', { 'data-form-status': 'token-issue' });
  const form = h(
    'form',
    { class: 'grid-form', 'data-form': 'token-issue' },
    apiField(t('tokenName'), name),
    apiField(t('role'), role),
    apiField(t('scopes'), scopes, t('tokenScopesHint')),
    apiField(t('expiresAt'), expiresAt, t('expiresAtHint')),
    general,
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('issueToken'))),
  );
  onSubmit(form, general, async () => {
    const issued = await api<TokenView & { token: string }>(TOKENS, {
      method: 'POST',
      body: {
        name: name.value.trim(),
        role: role.value,
        scopes: chosen(scopes),
        ...(expiresAt.value === '' ? {} : { expiresAt: expiresAt.value }),
      },
    });
    form.reset();
    shown.replaceChildren(secretOnce(t('tokenIssued', { name: issued.name, id: issued.id }), issued.token, issued.id));
    await reload();
    return undefined;
  });
  return form;
}

function state(tok: TokenView): HTMLElement {
  if (tok.revokedAt !== null) return badge('revoked', `${t('revoked')} ${when(tok.revokedAt)}`);
  if (tok.expiresAt !== null && Date.parse(tok.expiresAt) <= Date.now()) return badge('expired', t('expired'));
  return badge('active', t('active'));
}

/** Renders the tokens tab. */
export async function renderTokens(root: HTMLElement, ctx: PageContext): Promise<void> {
  const listSlot = h('div', { class: 'slot' });
  const status = h('div', { 'data-tokens-status': '' });
  const shown = h('div', { 'data-token-shown': '' });
  const revoke = (tok: TokenView) => {
    api<TokenView>(`${TOKENS}/${encodeURIComponent(tok.id)}`, { method: 'DELETE' })
      .then(async () => {
        await reload();
        status.replaceChildren(done(t('tokenRevoked', { name: tok.name, id: tok.id }), tok.id));
      })
      .catch((error: unknown) => status.replaceChildren(failure(error)));
  };
  async function reload(): Promise<void> {
    const res = await api<{ tokens: TokenView[] }>(TOKENS);
    const tokens = [...res.tokens].sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
    listSlot.replaceChildren(
      tokens.length === 0
        ? h('p', { class: 'muted', 'data-tokens': 0 }, t('noTokens'))
        : h(
            'div',
            { 'data-tokens': tokens.length },
            table(
              ['id', t('tokenName'), t('role'), t('scopes'), t('createdAt'), t('expiresAt'), t('status'), ''],
              tokens,
              (tok) => [
                h('code', {}, tok.id),
                tok.name,
                roleName(tok.role),
                tok.scopes.length === 0 ? '—' : scopesText(tok.scopes, ctx.registry),
                when(tok.createdAt),
                when(tok.expiresAt),
                state(tok),
                tok.revokedAt === null ? confirmButton(t('revoke'), 'revoke', () => revoke(tok)) : null,
              ],
              (tok) => ({ 'data-token': tok.id, 'data-revoked': String(tok.revokedAt !== null) }),
            ),
          ),
    );
  }
  await reload();
  root.replaceChildren(
    card(t('issueToken'), shown, issueForm(ctx, shown, reload)),
    card(t('adminTokens'), status, listSlot),
  );
}
