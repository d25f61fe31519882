import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { checkSession, DEFAULT_SESSION_SETTINGS, type SessionSettings } from '../core/accounts/sessions.js';
import { grantOfUser } from '../core/domain/accounts.js';
import { AppError } from '../core/errors.js';
import { LoginGuard } from '../core/login-guard.js';
import type { SessionRecord, UserRecord } from '../core/storage/store.js';
import type { Principal } from './auth.js';
import { sessionCookie, sessionSecretOf } from './cookies.js';

/** How users sign in (config: `SESSION_MAX_AGE_H`, `SESSION_IDLE_MIN`, `LOGIN_MAX_FAILED_PER_MIN`). */
export interface SignInSettings extends SessionSettings {
  /** Failed sign-ins a minute per address and per username before their back-off starts. */
  readonly maxFailedLoginsPerMin: number;
}

/** The defaults when the caller gives none. */
export const DEFAULT_SIGN_IN_SETTINGS: SignInSettings = { ...DEFAULT_SESSION_SETTINGS, maxFailedLoginsPerMin: 5 };

/** A request signed in by its session cookie: the user, the session, and what it may do as a token would. */
export interface SignedIn {
  readonly user: UserRecord;
  readonly session: SessionRecord;
  readonly principal: Principal;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user, when the request is authenticated by the session cookie (not with a bearer token). */
    account?: SignedIn;
  }
  interface FastifyInstance {
    /** The user and session of the request's session cookie, or why not; looked up once per request. */
    signedIn(request: FastifyRequest): Promise<SignedIn | AppError>;
    /** Who the request is: its bearer token when it sends one, else its session's user, else why not. */
    principal(request: FastifyRequest): Promise<Principal | AppError>;
    /** Failed sign-ins per address and username, shared by every route that checks a password. */
    readonly loginGuard: LoginGuard;
    readonly signInSettings: SignInSettings;
  }
}

/** The header the page sends with every request that changes something (OWASP CSRF cheat sheet: custom request headers). */
export const CSRF_HEADER = 'X-Requested-With';
/** Its value. */
export const CSRF_VALUE = 'jieneng';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The `host[:port]` of an `Origin` header, lower case; undefined for `null` or garbage. */
function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * 403 (`JN_AUTH_CSRF`) unless a request that may change something carries `X-Requested-With:
 * jieneng` (a cross-site form cannot send a custom header, and a cross-site script cannot without
 * a CORS preflight this API never grants with credentials) and, when the browser sends `Origin`,
 * comes from this host. The scheme is not compared: behind a TLS proxy the API may see plain HTTP.
 */
export function requireCsrf(request: FastifyRequest): void {
  if (SAFE_METHODS.has(request.method)) return;
  if (request.headers[CSRF_HEADER.toLowerCase()] !== CSRF_VALUE)
    throw new AppError('JN_AUTH_CSRF', 403, `csrf: a change signed in by cookie needs ${CSRF_HEADER}: ${CSRF_VALUE}`);
  const origin = request.headers.origin;
  if (origin !== undefined && originHost(origin) !== request.host.toLowerCase())
    throw new AppError('JN_AUTH_CSRF', 403, `csrf: Origin ${origin} is not this site`);
}

/** Whether the request authenticates by its session cookie: it has one and no `Authorization` header. */
function viaCookie(request: FastifyRequest): boolean {
  return request.headers.authorization === undefined && sessionSecretOf(request) !== undefined;
}

const REFUSALS = {
  unknown: () => new AppError('JN_AUTH_INVALID', 401, 'session: unknown, sign in again'),
  expired: () => new AppError('JN_AUTH_EXPIRED', 401, 'session: expired, sign in again'),
  revoked: () => new AppError('JN_AUTH_REVOKED', 401, 'session: signed out, sign in again'),
} as const;

/**
 * Reads session cookies, for the whole app (register it at the root after `tokenPlugin`, before
 * the rate limit). Sessions are not cached: each request looks its session up, so a sign-out, a
 * password change or a disabled user holds at once, on every process of a cluster.
 */
export const sessionPlugin = fp(async (app: FastifyInstance) => {
  const settings = app.deps.signIn ?? DEFAULT_SIGN_IN_SETTINGS;
  const resolved = new WeakMap<FastifyRequest, Promise<SignedIn | AppError>>();
  const resolve = async (request: FastifyRequest): Promise<SignedIn | AppError> => {
    const secret = sessionSecretOf(request);
    if (secret === undefined) return new AppError('JN_AUTH_MISSING', 401, 'session: no session cookie');
    const check = await checkSession(app.deps.store.accounts, secret, (app.deps.now ?? Date.now)(), settings);
    if (!check.ok) return REFUSALS[check.reason]();
    const { user, session } = check;
    return { user, session, principal: { id: user.id, name: user.username, ...grantOfUser(user) } };
  };
  app.decorate('signInSettings', settings);
  app.decorate('loginGuard', new LoginGuard(settings.maxFailedLoginsPerMin));
  app.decorateRequest('account', undefined);
  app.decorate('signedIn', (request: FastifyRequest) => {
    let outcome = resolved.get(request);
    if (outcome === undefined) {
      outcome = resolve(request);
      resolved.set(request, outcome);
    }
    return outcome;
  });
  app.decorate('principal', async (request: FastifyRequest): Promise<Principal | AppError> => {
    if (!viaCookie(request)) return app.bearerToken(request);
    const signedIn = await app.signedIn(request);
    return signedIn instanceof AppError ? signedIn : signedIn.principal;
  });
});

/**
 * Authenticates a request by its bearer token or, without an `Authorization` header, by its
 * session cookie (then changes need `requireCsrf`); a refused session cookie is removed.
 */
export async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const app = request.server;
  if (viaCookie(request)) {
    requireCsrf(request);
    const signedIn = await app.signedIn(request);
    if (signedIn instanceof AppError) {
      reply.header('set-cookie', sessionCookie(request, '', 0));
      throw signedIn;
    }
    request.account = signedIn;
    request.token = signedIn.principal;
    return;
  }
  const token = await app.bearerToken(request);
  if (token instanceof AppError) throw token;
  request.token = token;
}
