import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../core/errors.js';
import { hashApiToken } from '../core/security.js';
import type { TokenRecord } from '../core/storage/store.js';
import { authenticate } from './session-auth.js';

/**
 * Who a request acts as, whatever signed it in: an API token, or a user's session (issue 17, item
 * 1: a user's role and scopes as a token's, so every route's checks hold unchanged for both).
 */
export type Principal = Pick<TokenRecord, 'id' | 'name' | 'role' | 'scopes'>;

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's principal: its token, or its signed-in user (`account`) as one. */
    token?: Principal;
  }
  interface FastifyInstance {
    /** Forgets cached token look-ups (after a revocation): of token `tokenId`, or all. */
    forgetTokens(tokenId?: string): void;
    /**
     * The request's bearer token if it is known and active, else why not; looked up once per
     * request (the rate limit keys on it before `authPlugin` requires it).
     */
    bearerToken(request: FastifyRequest): Promise<TokenRecord | AppError>;
  }
}

/** Why a known token is refused now, if it is: revoked, or expired. */
function tokenRefusal(token: TokenRecord, nowMs: number): AppError | undefined {
  if (token.revokedAtMs !== undefined) return new AppError('JN_AUTH_REVOKED', 401, 'authorization: token revoked');
  if (token.expiresAtMs !== undefined && token.expiresAtMs <= nowMs)
    return new AppError('JN_AUTH_EXPIRED', 401, 'authorization: token expired');
  return undefined;
}

/**
 * Reads bearer tokens, for the whole app: tokens are looked up by hash (known ones cached), and
 * refused once expired or revoked. Register it at the root, before the rate limit. A token changed
 * by another process of a cluster (a revocation) is dropped from the cache when the store reports
 * it (issue "Production parity", item 2).
 */
export const tokenPlugin = fp(async (app: FastifyInstance) => {
  const cache = new Map<string, TokenRecord>();
  /** Bumped by every forget: a look-up that started before one must not cache what it found. */
  let generation = 0;
  const forget = (tokenId?: string) => {
    generation++;
    if (tokenId === undefined) cache.clear();
    else for (const [hash, token] of cache) if (token.id === tokenId) cache.delete(hash);
  };
  const unsubscribe = app.deps.store.onChange?.((change) => {
    if (change.what === 'tokens') forget(change.tokenId);
    else if (change.what === 'all') forget();
  });
  app.addHook('onClose', async () => unsubscribe?.());
  const resolved = new WeakMap<FastifyRequest, Promise<TokenRecord | AppError>>();
  const resolve = async (request: FastifyRequest): Promise<TokenRecord | AppError> => {
    const header = request.headers.authorization;
    if (header === undefined) return new AppError('JN_AUTH_MISSING', 401, 'authorization: Bearer token required');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match === null) return new AppError('JN_AUTH_INVALID', 401, 'authorization: expected "Bearer <token>"');
    const hash = hashApiToken(match[1] as string);
    const seen = generation;
    const token = cache.get(hash) ?? (await app.deps.store.findTokenByHash(hash));
    if (token === undefined) return new AppError('JN_AUTH_INVALID', 401, 'authorization: unknown token');
    const refused = tokenRefusal(token, (app.deps.now ?? Date.now)());
    if (refused !== undefined) return refused;
    if (seen === generation) cache.set(hash, token);
    return token;
  };
  app.decorateRequest('token', undefined);
  app.decorate('forgetTokens', forget);
  app.decorate('bearerToken', (request: FastifyRequest) => {
    let outcome = resolved.get(request);
    if (outcome === undefined) {
      outcome = resolve(request);
      resolved.set(request, outcome);
    }
    return outcome;
  });
});

/**
 * Requires, on every route it wraps, `Authorization: Bearer <token>` of a known, active token or,
 * without that header, the session cookie of a signed-in user (with the CSRF header on changes:
 * session-auth.ts).
 */
export const authPlugin = fp(async (app: FastifyInstance) => {
  app.addHook('onRequest', authenticate);
});
