import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { normalizeUsername, PasswordChangeSchema, SignInSchema, UsernameSchema } from '../../core/domain/accounts.js';
import { AppError } from '../../core/errors.js';
import { addressKey } from '../../core/login-guard.js';
import { hashPassword, verifyPassword } from '../../core/security.js';
import type { UserRecord } from '../../core/storage/store.js';
import { sessionCookie } from '../cookies.js';
import { SessionViewSchema } from '../schemas/accounts.js';
import { ERRORS, NoContent } from '../schemas/common.js';
import { requireCsrf } from '../session-auth.js';
import { auditSignIn, startCookieSession } from '../session-start.js';
import { presentUser } from './users.js';

/** A hash no password matches, checked for unknown users so that they take as long as known ones. */
let decoy: Promise<string> | undefined;

/**
 * Checks a user's password, slowed and limited per address and username (core/login-guard.ts);
 * throws 429 while the address is in back-off (without looking the user up), 401 on a wrong
 * password or an unknown or disabled user (audited, without the password).
 */
async function checkPassword(
  request: FastifyRequest,
  reply: FastifyReply,
  username: string,
  password: string,
  load: () => Promise<UserRecord | undefined>,
): Promise<UserRecord> {
  const guard = request.server.loginGuard;
  const address = addressKey(request.ip);
  const refusedMs = guard.refuseFrom(address);
  if (refusedMs > 0) {
    request.log.debug({ address }, 'sign-in refused: address in back-off');
    reply.header('retry-after', String(Math.ceil(refusedMs / 1000)));
    throw new AppError(
      'JN_RATE_LIMITED',
      429,
      `sign-in: too many failures from this address, retry in ${Math.ceil(refusedMs / 1000)} s`,
      { retryable: true },
    );
  }
  const waitMs = guard.delayMs(username);
  if (waitMs > 0) await sleep(waitMs);
  decoy ??= hashPassword('decoy password, never a user’s');
  const user = await load();
  const usable = user !== undefined && user.disabledAtMs === undefined;
  const ok = await verifyPassword(password, usable ? user.passwordHash : await decoy);
  if (usable && ok) return user;
  const backoffMs = guard.failed(address, username);
  const valid = UsernameSchema.safeParse(username);
  const tried = valid.success ? valid.data : '(invalid username)';
  await auditSignIn(request, { id: user?.id ?? 'anonymous', name: tried }, `sign-in:${tried}`, {
    outcome: 'failed',
    username: tried,
    address,
  });
  request.log.warn({ username: tried, address, backoffMs }, 'sign-in failed');
  throw new AppError('JN_AUTH_INVALID', 401, 'sign-in: wrong username or password');
}

/**
 * `POST /api/v1/sessions` (issue 17, item 1): signs a user in with `{"username","password"}`,
 * sets the session cookie and answers the user. Registered outside the API's authentication; like
 * every cookie request that changes something it needs `X-Requested-With: jieneng` (a forged
 * sign-in would otherwise sign a victim in as the attacker).
 */
export async function signInRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.post(
    '/sessions',
    {
      schema: {
        summary: 'Sign in: sets the session cookie (HttpOnly, SameSite=Strict) and answers the user',
        description: 'Needs the header X-Requested-With: jieneng. 401 on a wrong password, 429 after repeated ones.',
        body: SignInSchema,
        response: { 200: SessionViewSchema, ...ERRORS },
        security: [],
      },
    },
    async (request, reply) => {
      requireCsrf(request);
      const username = normalizeUsername(request.body.username);
      const load = () => app.deps.store.accounts.userByUsername(username);
      const user = await checkPassword(request, reply, username, request.body.password, load);
      const answer = await startCookieSession(request, reply, user);
      await auditSignIn(request, { id: user.id, name: user.username }, `sign-in:${user.username}`, {
        outcome: 'signed_in',
        address: addressKey(request.ip),
      });
      request.log.info({ userId: user.id }, 'signed in');
      return answer;
    },
  );
}

/** The request's signed-in user, or 404 for a request signed in with an API token. */
function accountOf(request: FastifyRequest) {
  if (request.account === undefined)
    throw new AppError('JN_NOT_FOUND', 404, 'session: this request is signed in with an API token, not a session');
  return request.account;
}

/**
 * The signed-in user's own session (issue 17, item 1): `GET /api/v1/sessions/current` (who am I),
 * `DELETE /api/v1/sessions/current` (sign out: revoked, cookie removed), and
 * `PUT /api/v1/users/me/password` (a new password: every session of the user is revoked and this
 * one replaced by a new one).
 */
export async function sessionRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { store, now } = app.deps;
  const nowMs = () => (now ?? Date.now)();

  app.get(
    '/sessions/current',
    {
      schema: {
        summary: 'The signed-in user and when the session expires',
        response: { 200: SessionViewSchema, ...ERRORS },
      },
    },
    async (request) => {
      const { user, session } = accountOf(request);
      return { user: presentUser(user), expiresAt: new Date(session.expiresAtMs).toISOString() };
    },
  );

  app.delete(
    '/sessions/current',
    {
      schema: {
        summary: 'Sign out: the session is revoked and its cookie removed',
        response: { 204: NoContent, ...ERRORS },
      },
    },
    async (request, reply) => {
      const { user, session } = accountOf(request);
      await store.accounts.revokeSession(session.id, nowMs());
      await auditSignIn(request, { id: user.id, name: user.username }, `sign-in:${user.username}`, {
        outcome: 'signed_out',
      });
      return reply
        .header('set-cookie', sessionCookie(request, '', 0))
        .status(204)
        .send(null);
    },
  );

  app.put(
    '/users/me/password',
    {
      schema: {
        summary: 'Change the signed-in user’s password (signs it out everywhere else)',
        body: PasswordChangeSchema,
        response: { 200: SessionViewSchema, ...ERRORS },
      },
    },
    async (request, reply) => {
      const { user } = accountOf(request);
      const load = () => store.accounts.user(user.id);
      const checked = await checkPassword(request, reply, user.username, request.body.currentPassword, load);
      const atMs = nowMs();
      const changed = {
        ...checked,
        passwordHash: await hashPassword(request.body.password),
        passwordChangedAtMs: atMs,
        updatedAtMs: atMs,
      };
      if (!(await store.accounts.updateUser(changed))) throw new AppError('JN_NOT_FOUND', 404, 'user: removed');
      await store.accounts.revokeSessionsOf(user.id, atMs);
      const answer = await startCookieSession(request, reply, changed);
      await auditSignIn(request, { id: user.id, name: user.username }, `user:${user.id}`, {
        outcome: 'password_changed',
      });
      return answer;
    },
  );
}
