import { randomBytes } from 'node:crypto';
import { hashPassword, newId } from '../security.js';
import type { AccountStore } from '../storage/account-store.js';

/** Username of the first admin. */
export const FIRST_ADMIN_USERNAME = 'admin';

/**
 * Makes sure someone can sign in to the page (issue 17, item 1): on a store without any user,
 * creates the city admin `admin` with `configured` (`ADMIN_PASSWORD`) or a generated password,
 * and returns the generated one (to be shown once) or undefined. Once a user exists this does
 * nothing: a password is changed through the API, so `ADMIN_PASSWORD` never overrides it. Two
 * processes starting at once on one database create one admin (the username is unique).
 */
export async function ensureFirstAdmin(
  accounts: AccountStore,
  configured: string | undefined,
  nowMs: number,
): Promise<string | undefined> {
  if ((await accounts.countUsers()) > 0) return undefined;
  const password = configured ?? randomBytes(18).toString('base64url');
  const added = await accounts.addUser({
    id: newId('usr'),
    username: FIRST_ADMIN_USERNAME,
    displayName: 'Administrator',
    role: 'admin',
    scopes: [],
    passwordHash: await hashPassword(password),
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
    passwordChangedAtMs: nowMs,
  });
  return added && configured === undefined ? password : undefined;
}
