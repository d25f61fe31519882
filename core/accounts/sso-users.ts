import type { UserGrant } from '../domain/accounts.js';
import { externalCredential, type SsoProfile } from '../domain/sso.js';
import { newId } from '../security.js';
import type { AccountStore, UserRecord } from '../storage/account-store.js';

/** A person the provider vouched for, as a local user: created or brought up to date, or why not. */
export type SsoUserOutcome =
  | { readonly ok: true; readonly user: UserRecord; readonly before: UserRecord | undefined }
  /**
   * `conflict`: the username belongs to a local user with a password, or to another subject;
   * `disabled`: the user was disabled here, and stays so whatever the provider says.
   */
  | { readonly ok: false; readonly reason: 'conflict' | 'disabled'; readonly user: UserRecord };

function sameScopes(a: readonly string[], b: readonly string[]): boolean {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((s, i) => s === y[i]);
}

/**
 * Creates the local user of a person signed in through the provider (just in time), or updates
 * its display name, role and scopes to what its groups grant now. The user is external: where a
 * password hash would be it keeps `externalCredential`, so it cannot sign in with a password. A
 * user of the same username that is not this subject of this issuer is never taken over.
 */
export async function provisionSsoUser(
  accounts: AccountStore,
  issuer: string,
  profile: SsoProfile,
  grant: UserGrant,
  nowMs: number,
): Promise<SsoUserOutcome> {
  const credential = externalCredential(issuer, profile.subject);
  let before = await accounts.userByUsername(profile.username);
  if (before === undefined) {
    const user: UserRecord = {
      id: newId('usr'),
      username: profile.username,
      displayName: profile.displayName,
      role: grant.role,
      scopes: [...grant.scopes],
      passwordHash: credential,
      createdAtMs: nowMs,
      updatedAtMs: nowMs,
      passwordChangedAtMs: nowMs,
    };
    if (await accounts.addUser(user)) return { ok: true, user, before: undefined };
    // Created meanwhile by a sign-in on another process: go on with it.
    before = await accounts.userByUsername(profile.username);
    if (before === undefined) throw new Error(`sso: user "${profile.username}" neither added nor found`);
  }
  if (before.passwordHash !== credential) return { ok: false, reason: 'conflict', user: before };
  if (before.disabledAtMs !== undefined) return { ok: false, reason: 'disabled', user: before };
  const unchanged =
    before.displayName === profile.displayName && before.role === grant.role && sameScopes(before.scopes, grant.scopes);
  if (unchanged) return { ok: true, user: before, before };
  const user: UserRecord = {
    ...before,
    displayName: profile.displayName,
    role: grant.role,
    scopes: [...grant.scopes],
    updatedAtMs: nowMs,
  };
  if (!(await accounts.updateUser(user))) throw new Error(`sso: user "${profile.username}" removed meanwhile`);
  return { ok: true, user, before };
}

/**
 * The local user of a subject the provider no longer grants anything (no mapped group), when it
 * has one: its sessions are revoked at once rather than at their expiry. Returns the user, if any.
 */
export async function revokeSsoUser(
  accounts: AccountStore,
  issuer: string,
  profile: SsoProfile,
  nowMs: number,
): Promise<UserRecord | undefined> {
  const user = await accounts.userByUsername(profile.username);
  if (user === undefined || user.passwordHash !== externalCredential(issuer, profile.subject)) return undefined;
  await accounts.revokeSessionsOf(user.id, nowMs);
  return user;
}
