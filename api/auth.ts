import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../core/errors.js';
import { hashApiToken } from '../core/security.js';
import type { TokenRecord } from '../core/storage/store.js';

declare module 'fastify' {
  interface FastifyRequest {
    token?: TokenRecord;
  }
  interface FastifyInstance {
    /** Forgets cached token look-ups (after a revocation). */
    forgetTokens(): void;
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
 * Requires `Authorization: Bearer <token>` on every route it wraps; tokens are looked up by hash,
 * and refused once expired or revoked.
 */
export const authPlugin = fp(async (app: FastifyInstance) => {
  const cache = new Map<string, TokenRecord>();
  app.decorateRequest('token', undefined);
  app.decorate('forgetTokens', () => cache.clear());
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (header === undefined) throw new AppError('JN_AUTH_MISSING', 401, 'authorization: Bearer token required');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match === null) throw new AppError('JN_AUTH_INVALID', 401, 'authorization: expected "Bearer <token>"');
    const hash = hashApiToken(match[1] as string);
    const token = cache.get(hash) ?? (await app.deps.store.findTokenByHash(hash));
    if (token === undefined) throw new AppError('JN_AUTH_INVALID', 401, 'authorization: unknown token');
    const refused = tokenRefusal(token, (app.deps.now ?? Date.now)());
    if (refused !== undefined) throw refused;
    cache.set(hash, token);
    request.token = token;
  });
});
