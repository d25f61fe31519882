import { hashApiToken, newApiToken, newId } from './security.js';
import type { Store, TokenRecord } from './storage/store.js';

/** Name of the token registered from `ADMIN_TOKEN`. */
export const ADMIN_TOKEN_NAME = 'admin (ADMIN_TOKEN)';

/**
 * Makes sure an admin can sign in: registers `ADMIN_TOKEN` when configured, or, on a store with no
 * token at all, generates one. Returns the generated token (to be printed once) or undefined.
 * A changed `ADMIN_TOKEN` revokes the one registered from its previous value (issue "No device can
 * stop ingest": rotating the variable must lock the old secret out); a value once revoked stays
 * revoked, so a rotation is always to a new value.
 */
export async function ensureAdminToken(
  store: Store,
  configured: string | undefined,
  nowMs: number,
): Promise<string | undefined> {
  if (configured !== undefined) {
    const hash = hashApiToken(configured);
    for (const old of await store.listTokens())
      if (old.name === ADMIN_TOKEN_NAME && old.hash !== hash && old.revokedAtMs === undefined)
        await store.revokeToken(old.id, nowMs);
    if ((await store.findTokenByHash(hash)) === undefined) {
      await store.saveToken({ id: newId('tok'), name: ADMIN_TOKEN_NAME, role: 'admin', hash, createdAtMs: nowMs });
    }
    return undefined;
  }
  if ((await store.countTokens()) > 0) return undefined;
  const token = newApiToken();
  await store.saveToken({
    id: newId('tok'),
    name: 'admin (generated at first start)',
    role: 'admin',
    hash: hashApiToken(token),
    createdAtMs: nowMs,
  });
  return token;
}

/** Whether a token may be used now: neither revoked nor expired. */
export function isTokenActive(token: TokenRecord, nowMs: number): boolean {
  return token.revokedAtMs === undefined && (token.expiresAtMs === undefined || token.expiresAtMs > nowMs);
}
