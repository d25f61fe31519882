import { randomBytes } from 'node:crypto';
import { hashApiToken, newId } from '../security.js';
import type { AccountStore, SessionRecord, UserRecord } from '../storage/account-store.js';

/** How long a sign-in lasts (`SESSION_MAX_AGE_H`, `SESSION_IDLE_MIN`). */
export interface SessionSettings {
  /** From sign-in to the absolute expiry, in milliseconds. */
  readonly maxAgeMs: number;
  /** Longest pause between two requests before the session expires, in milliseconds. */
  readonly idleMs: number;
}

/** 12 h from sign-in at most (a working day), and 30 min idle (OWASP Session Management: 15–30 min). */
export const DEFAULT_SESSION_SETTINGS: SessionSettings = { maxAgeMs: 12 * 3_600_000, idleMs: 30 * 60_000 };

/** `lastSeenAtMs` is written at most once a minute per session: the idle expiry is that precise. */
const TOUCH_EVERY_MS = 60_000;

/** A session just started: the secret goes to the cookie, once; only its hash is stored. */
export interface StartedSession {
  readonly secret: string;
  readonly session: SessionRecord;
}

/** Starts a session of `user` expiring `settings.maxAgeMs` from now. */
export async function startSession(
  accounts: AccountStore,
  user: UserRecord,
  nowMs: number,
  settings: SessionSettings,
): Promise<StartedSession> {
  // 256 random bits: guessing one is hopeless, so a fast hash of it is enough (like API tokens).
  const secret = randomBytes(32).toString('base64url');
  const session: SessionRecord = {
    id: newId('ses'),
    userId: user.id,
    hash: hashApiToken(secret),
    createdAtMs: nowMs,
    lastSeenAtMs: nowMs,
    expiresAtMs: nowMs + settings.maxAgeMs,
  };
  await accounts.addSession(session);
  return { secret, session };
}

/** A session secret checked: its session and user, or why it is refused. */
export type SessionCheck =
  | { readonly ok: true; readonly user: UserRecord; readonly session: SessionRecord }
  | { readonly ok: false; readonly reason: 'unknown' | 'expired' | 'revoked' };

/**
 * Checks the secret of a session cookie now: refused when unknown, past its absolute or idle
 * expiry, revoked, or when its user is gone, disabled, or changed its password after it started
 * (which also revokes, so this holds even if the revocation was lost). An accepted session is
 * marked seen (at most once a minute).
 */
export async function checkSession(
  accounts: AccountStore,
  secret: string,
  nowMs: number,
  settings: SessionSettings,
): Promise<SessionCheck> {
  const session = await accounts.sessionByHash(hashApiToken(secret));
  if (session === undefined) return { ok: false, reason: 'unknown' };
  if (session.revokedAtMs !== undefined) return { ok: false, reason: 'revoked' };
  if (session.expiresAtMs <= nowMs || nowMs - session.lastSeenAtMs >= settings.idleMs)
    return { ok: false, reason: 'expired' };
  const user = await accounts.user(session.userId);
  if (user === undefined || user.disabledAtMs !== undefined || session.createdAtMs < user.passwordChangedAtMs)
    return { ok: false, reason: 'revoked' };
  if (nowMs - session.lastSeenAtMs >= TOUCH_EVERY_MS) await accounts.touchSession(session.id, nowMs);
  return { ok: true, user, session };
}
