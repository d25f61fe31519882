import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashApiToken } from '../../core/security.js';
import { EmbeddedStore } from '../../core/storage/duckdb/embedded-store.js';
import { ensureAdminToken, isTokenActive } from '../../core/tokens.js';

const A = 'first-admin-token-aaaaaaaa';
const B = 'second-admin-token-bbbbbbbb';

describe('ensureAdminToken', () => {
  let store: EmbeddedStore;
  beforeEach(async () => {
    store = await EmbeddedStore.open({ dataDir: ':memory:', timeZone: 'Asia/Shanghai' });
  });
  afterEach(async () => {
    await store?.close();
  });

  it('revokes the token of the previous ADMIN_TOKEN when a different one is configured, and only that one', async () => {
    await store.saveToken({ id: 'tok-other', name: 'officer', role: 'officer', hash: 'h', createdAtMs: 1 });
    expect(await ensureAdminToken(store, A, 1000)).toBeUndefined();
    // A restart with the same value changes nothing.
    await ensureAdminToken(store, A, 1500);
    expect(await store.listTokens()).toHaveLength(2);
    await ensureAdminToken(store, B, 2000);
    const a = await store.findTokenByHash(hashApiToken(A));
    const b = await store.findTokenByHash(hashApiToken(B));
    expect(a?.revokedAtMs).toBe(2000);
    expect(a !== undefined && isTokenActive(a, 3000)).toBe(false);
    expect(b).toMatchObject({ role: 'admin', name: 'admin (ADMIN_TOKEN)' });
    expect(b !== undefined && isTokenActive(b, 3000)).toBe(true);
    expect((await store.findTokenByHash('h'))?.revokedAtMs).toBeUndefined();
    // Starting with B again keeps A's revocation time.
    await ensureAdminToken(store, B, 4000);
    expect((await store.findTokenByHash(hashApiToken(A)))?.revokedAtMs).toBe(2000);
  });

  it('generates a token only on a store without any', async () => {
    const generated = await ensureAdminToken(store, undefined, 1000);
    expect(generated).toMatch(/^jn_/);
    expect(await ensureAdminToken(store, undefined, 2000)).toBeUndefined();
    expect(await store.countTokens()).toBe(1);
  });
});
