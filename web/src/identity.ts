/**
 * Who is signed in: a user (session cookie; `GET /api/v1/sessions/current`) or an API token, and
 * what that lets the page offer. The API still decides: a control the page shows may answer 403,
 * which is then shown in place.
 */
import type { z } from 'zod';
import type { SessionViewSchema } from '../../api/schemas/accounts.js';
import type { UserView } from '../../core/domain/accounts.js';
import type { SignInMethods } from '../../core/domain/sso.js';
import { ApiError, api, reportUnauthorized, session } from './api.js';

/** A signed-in user, or a tab signed in with an API token (whose role the page learns by asking). */
export type Identity =
  | { readonly kind: 'user'; readonly user: UserView; readonly expiresAt: string }
  | { readonly kind: 'token'; readonly admin: boolean };

/** What `POST /api/v1/sessions` and `GET /api/v1/sessions/current` answer. */
type SessionView = z.output<typeof SessionViewSchema>;

let identity: Identity | undefined;

/** Forgets who was signed in (after sign-out or a 401). */
export function forgetIdentity(): void {
  identity = undefined;
}

/** The identity learnt by `whoAmI`, if any. */
export function currentIdentity(): Identity | undefined {
  return identity;
}

/**
 * Who is signed in, asked once per sign-in: the API token of the tab, else the session cookie.
 * Resolves null when nobody is (a first visit, or a cookie the API refuses: `reason` says why).
 */
export async function whoAmI(): Promise<{ identity: Identity } | { identity: null; reason: ApiError }> {
  if (identity !== undefined) return { identity };
  if (session.token() !== null) {
    // A token says nothing about itself: an admin token may list the jobs, no other may.
    const admin = await api('/api/v1/jobs').then(
      () => true,
      (error: unknown) => {
        if (error instanceof ApiError && error.forbidden) return false;
        throw error;
      },
    );
    identity = { kind: 'token', admin };
    return { identity };
  }
  try {
    const s = await api<SessionView>('/api/v1/sessions/current', { quiet401: true });
    identity = { kind: 'user', user: s.user, expiresAt: s.expiresAt };
    return { identity };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return { identity: null, reason: error };
    throw error;
  }
}

/** How one may sign in here (asked of the API before anyone has): single sign-on is optional. */
export function signInMethods(): Promise<SignInMethods> {
  return api<SignInMethods>('/api/v1/sessions/methods', { quiet401: true });
}

/**
 * Signs in through the OpenID Connect provider: the whole page goes to the API, which sends it on
 * to the provider; the provider sends it back to the API, which sets the session cookie and
 * comes back to the page (`/overview`, or `/signin?sso_error=CODE`).
 */
export function signInWithSso(): void {
  session.clear();
  location.assign('/api/v1/sessions/oidc/login');
}

/** Signs in with a username and password: the API sets the session cookie. */
export async function signInWithPassword(username: string, password: string): Promise<Identity> {
  session.clear();
  const s = await api<SessionView>('/api/v1/sessions', {
    method: 'POST',
    body: { username, password },
    quiet401: true,
  });
  identity = { kind: 'user', user: s.user, expiresAt: s.expiresAt };
  return identity;
}

/** Signs in with an API token: kept for this tab, checked by asking the API who it is. */
export async function signInWithToken(token: string): Promise<Identity> {
  identity = undefined;
  session.set(token);
  try {
    const who = await whoAmI();
    if (who.identity === null) throw who.reason;
    return who.identity;
  } catch (error) {
    session.clear();
    throw error;
  }
}

/** Signs out: the session is revoked on the API (its cookie removed), the token forgotten. */
export async function signOut(): Promise<void> {
  const was = identity;
  identity = undefined;
  if (session.token() !== null || was?.kind === 'token') {
    session.clear();
    return;
  }
  await api('/api/v1/sessions/current', { method: 'DELETE', quiet401: true }).catch(() => undefined);
}

/**
 * Changes the signed-in user's password; the API signs the user out everywhere else. A wrong
 * current password is a 401 too: it is the field's error, not the end of the session.
 */
export async function changePassword(currentPassword: string, password: string): Promise<void> {
  try {
    const s = await api<SessionView>('/api/v1/users/me/password', {
      method: 'PUT',
      body: { currentPassword, password },
      quiet401: true,
    });
    identity = { kind: 'user', user: s.user, expiresAt: s.expiresAt };
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) throw error;
    if (error.code !== 'JN_AUTH_INVALID' || !error.message.startsWith('sign-in:')) {
      reportUnauthorized(error);
      throw error;
    }
    throw new ApiError(401, error.code, error.message, [{ path: 'currentPassword', message: error.message }]);
  }
}

/** Whether the identity may read the whole city: an admin token, or a user without scopes. */
export function readsCity(who: Identity | undefined): boolean {
  return who === undefined || who.kind === 'token' || who.user.scopes.length === 0;
}

/**
 * The scope a page starts from when the address names none: the city, or for a user limited to
 * districts or institutions its first scope (the city would answer 403).
 */
export function homeScope(who: Identity | undefined): string {
  return readsCity(who) || who?.kind !== 'user' ? 'city' : (who.user.scopes[0] ?? 'city');
}

/**
 * How much of the administration the identity may see: `city` (an admin without scopes, or an
 * admin token), `district` (a district admin: the users of its districts), or `none`.
 */
export function adminLevel(who: Identity | undefined): 'city' | 'district' | 'none' {
  if (who === undefined) return 'none';
  if (who.kind === 'token') return who.admin ? 'city' : 'none';
  if (who.user.role !== 'admin') return 'none';
  return who.user.scopes.length === 0 ? 'city' : 'district';
}

/**
 * Whether the identity may change things (targets, manual readings, audit flags): admins and
 * officers. Unknown for a non-admin token: its controls are shown and the API answers.
 */
export function mayAct(who: Identity | undefined): boolean {
  if (who?.kind !== 'user') return true;
  return who.user.role === 'admin' || who.user.role === 'officer';
}
