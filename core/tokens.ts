import { hashApiToken, newApiToken, newId } from './security.js';
import type { Store, TokenRecord } from './storage/store.js';

/**
 * Makes sure an admin can sign in: registers `ADMIN_TOKEN` when configured, or, on a store with no
 * token at all, generates one. Returns the generated token (to be printed once) or undefined.
 */
export async function ensureAdminToken(
  store: Store,
  configured: string | undefined,
  nowMs: number,
): Promise<string | undefined> {
  if (configured !== undefined) {
    const hash = hashApiToken(configured);
    if ((await store.findTokenByHash(hash)) === undefined) {
      await store.saveToken({ id: newId('tok'), name: 'admin (ADMIN_TOKEN)', role: 'admin', hash, createdAtMs: nowMs });
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
