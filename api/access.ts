import type { FastifyRequest } from 'fastify';
import { type Access, type Action, accessOf, allows, canRead } from '../core/domain/access.js';
import type { Registry } from '../core/domain/registry.js';
import type { Scope } from '../core/domain/scope.js';
import { AppError } from '../core/errors.js';
import type { Principal } from './auth.js';

// One Access per token and registry version: the registry is replaced whole on every change.
const cache = new WeakMap<Registry, Map<string, Access>>();

function tokenOf(request: FastifyRequest): Principal {
  if (request.token === undefined) throw new AppError('JN_AUTH_MISSING', 401, 'authorization: Bearer token required');
  return request.token;
}

/** What the request's token may read, in the current registry. */
export function accessFor(request: FastifyRequest): Access {
  const token = tokenOf(request);
  const registry = request.server.deps.registry.get();
  let byToken = cache.get(registry);
  if (byToken === undefined) {
    byToken = new Map();
    cache.set(registry, byToken);
  }
  // A user's role and scopes can change under the same id (PATCH /api/v1/users/{id}): they are in the key.
  const key = `${token.id}\u0000${token.role}\u0000${(token.scopes ?? []).join(',')}`;
  let access = byToken.get(key);
  if (access === undefined) {
    access = accessOf(token, registry);
    byToken.set(key, access);
  }
  return access;
}

function forbidden(message: string, field?: string): AppError {
  // Naming the field lets a form show the refusal next to it (`details[].path`, as a 400 does).
  const details = field === undefined ? undefined : { details: [{ path: field, message }] };
  return new AppError('JN_FORBIDDEN', 403, message, details);
}

/** 403 unless the token's role may take the action. */
export function requireAction(request: FastifyRequest, action: Action): void {
  const { role } = tokenOf(request);
  if (!allows(role, action)) throw forbidden(`forbidden: a ${role} token may not do this`);
}

/** 403 unless the token may read the whole scope. */
export function requireScope(request: FastifyRequest, scope: Scope | string, field = 'scope'): void {
  if (!canRead(accessFor(request), scope))
    throw forbidden(
      `${field}: ${typeof scope === 'string' ? scope : 'this scope'} is outside the token's scopes`,
      field,
    );
}

/** A preHandler for admin-only routes. */
export async function adminOnly(request: FastifyRequest): Promise<void> {
  requireAction(request, 'admin');
}
