import type { FastifyReply, FastifyRequest } from 'fastify';
import { startSession } from '../core/accounts/sessions.js';
import type { UserView } from '../core/domain/accounts.js';
import type { UserRecord } from '../core/storage/store.js';
import { sessionCookie } from './cookies.js';
import { presentUser } from './routes/users.js';

const DAY_MS = 86_400_000;

/** A session just started, as `POST /api/v1/sessions` answers it. */
export interface StartedSessionView {
  readonly user: UserView;
  readonly expiresAt: string;
}

/**
 * Starts a session for a user who just proved who it is (a password, or the OpenID Connect
 * provider), sets its cookie on the reply, and returns the user and the session's expiry.
 */
export async function startCookieSession(
  request: FastifyRequest,
  reply: FastifyReply,
  user: UserRecord,
): Promise<StartedSessionView> {
  const { store, now } = request.server.deps;
  const settings = request.server.signInSettings;
  const nowMs = (now ?? Date.now)();
  // Sessions over for a day are of no use, even to the audit log (which keeps its own entries).
  await store.accounts.pruneSessions(nowMs - DAY_MS);
  const { secret, session } = await startSession(store.accounts, user, nowMs, settings);
  reply.header('set-cookie', sessionCookie(request, secret, settings.maxAgeMs / 1000));
  return { user: presentUser(user), expiresAt: new Date(session.expiresAtMs).toISOString() };
}

/**
 * Records a sign-in, a failed one, a sign-out or a password change in the audit log (`sign-in:USERNAME`
 * or `user:ID`), naming the user or, for an unknown one, the username tried (when it is a valid one).
 */
export async function auditSignIn(
  request: FastifyRequest,
  who: { id: string; name: string },
  entity: string,
  after: unknown,
) {
  const { store, now } = request.server.deps;
  await store.addAudit({
    atMs: (now ?? Date.now)(),
    tokenId: who.id,
    tokenName: who.name,
    route: `${request.method} ${request.routeOptions.url ?? request.url}`,
    entity,
    before: null,
    after,
  });
}
