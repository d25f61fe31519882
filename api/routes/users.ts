import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  administeredDistricts,
  scopesWithin,
  UserInputSchema,
  UserPatchSchema,
  type UserView,
  UserViewSchema,
  userGrantProblem,
} from '../../core/domain/accounts.js';
import { isExternalUser } from '../../core/domain/sso.js';
import { AppError, badRequest } from '../../core/errors.js';
import { hashPassword, newId } from '../../core/security.js';
import type { UserRecord } from '../../core/storage/store.js';
import { audit } from '../audit.js';
import { isKnownScope } from '../params.js';
import { ERRORS, NoContent } from '../schemas/common.js';

const Params = z.object({ id: z.string().max(100) });
const iso = (ms: number) => new Date(ms).toISOString();

/** A user as the API shows it: never its password hash. */
export function presentUser(u: UserRecord): UserView {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    scopes: [...u.scopes],
    createdAt: iso(u.createdAtMs),
    updatedAt: iso(u.updatedAtMs),
    passwordChangedAt: iso(u.passwordChangedAtMs),
    disabledAt: u.disabledAtMs === undefined ? null : iso(u.disabledAtMs),
    external: isExternalUser(u),
  };
}

/**
 * The districts whose users the request may manage: `all` for a city admin (an admin token, or a
 * signed-in admin without scopes), a district admin's districts; 403 for everyone else. A district
 * admin's principal is an officer's (core/domain/accounts.ts), so its user record decides here.
 */
function managedDistricts(request: FastifyRequest): 'all' | ReadonlySet<string> {
  const grant = request.account?.user ?? request.token;
  const districts = grant === undefined ? new Set<string>() : administeredDistricts(grant);
  if (districts !== 'all' && districts.size === 0)
    throw new AppError('JN_FORBIDDEN', 403, 'forbidden: users are managed by admins (district admins: their district)');
  return districts;
}

/** 403 unless a user with these scopes is inside the districts the request manages. */
function requireWithin(request: FastifyRequest, scopes: readonly string[], field: string): void {
  const districts = managedDistricts(request);
  if (!scopesWithin(scopes, districts, request.server.deps.registry.get()))
    throw new AppError('JN_FORBIDDEN', 403, `${field}: outside the districts this admin manages`);
}

/** 400 naming the first scope that is not in the registry. */
function requireKnownScopes(request: FastifyRequest, scopes: readonly string[]): void {
  const registry = request.server.deps.registry.get();
  scopes.forEach((text, i) => {
    if (!isKnownScope(text, registry))
      throw new AppError('JN_SCOPE_UNKNOWN', 400, `scopes.${i}: unknown scope "${text}"`, {
        details: [{ path: `scopes.${i}`, message: `unknown scope "${text}"` }],
      });
  });
}

/**
 * `POST/GET /api/v1/users`, `GET/PATCH/DELETE /api/v1/users/{id}` and `DELETE
 * /api/v1/users/{id}/sessions` (issue 17, item 1): city admins manage every user, a district admin
 * the users scoped inside its districts (403 outside, and those it cannot see are not listed). A
 * new password, disabling and removal sign the user out everywhere. Every change is audited,
 * never with a password or its hash.
 */
export async function userRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { store, now } = app.deps;
  const nowMs = () => (now ?? Date.now)();
  /** The user of `id` if the request may manage it: 404 when there is none, 403 outside its districts. */
  const managed = async (request: FastifyRequest, id: string) => {
    const user = await store.accounts.user(id);
    if (user === undefined) throw new AppError('JN_NOT_FOUND', 404, `user "${id}" not found`);
    requireWithin(request, user.scopes, 'id');
    return user;
  };
  app.addHook('preHandler', async (request) => {
    managedDistricts(request);
  });

  app.post(
    '/users',
    {
      schema: {
        summary: 'Create a user (admin; a district admin inside its districts)',
        body: UserInputSchema,
        response: { 201: UserViewSchema, ...ERRORS },
      },
    },
    async (request, reply) => {
      const input = request.body;
      requireKnownScopes(request, input.scopes);
      requireWithin(request, input.scopes, 'scopes');
      const atMs = nowMs();
      const user: UserRecord = {
        id: newId('usr'),
        username: input.username,
        displayName: input.displayName,
        role: input.role,
        scopes: input.scopes,
        passwordHash: await hashPassword(input.password),
        createdAtMs: atMs,
        updatedAtMs: atMs,
        passwordChangedAtMs: atMs,
      };
      if (!(await store.accounts.addUser(user)))
        throw new AppError('JN_USERNAME_TAKEN', 409, `username: "${input.username}" is taken`, {
          details: [{ path: 'username', message: 'taken' }],
        });
      await audit(request, `user:${user.id}`, null, presentUser(user));
      request.log.info({ userId: user.id, role: user.role }, 'user created');
      return reply.status(201).send(presentUser(user));
    },
  );

  app.get(
    '/users',
    {
      schema: {
        summary: 'Users the caller manages (never their passwords)',
        response: { 200: z.object({ users: z.array(UserViewSchema) }), ...ERRORS },
      },
    },
    async (request) => {
      const districts = managedDistricts(request);
      const registry = app.deps.registry.get();
      const users = (await store.accounts.users()).filter((u) => scopesWithin(u.scopes, districts, registry));
      return { users: users.map(presentUser) };
    },
  );

  app.get(
    '/users/:id',
    { schema: { summary: 'One user', params: Params, response: { 200: UserViewSchema, ...ERRORS } } },
    async (request) => presentUser(await managed(request, request.params.id)),
  );

  app.patch(
    '/users/:id',
    {
      schema: {
        summary: 'Change a user: display name, password, role, scopes, disabled',
        description: 'A new password or disabled: true revokes every session of the user.',
        params: Params,
        body: UserPatchSchema,
        response: { 200: UserViewSchema, ...ERRORS },
      },
    },
    async (request) => {
      const before = await managed(request, request.params.id);
      const patch = request.body;
      const role = patch.role ?? before.role;
      const scopes = patch.scopes ?? before.scopes;
      const problem = userGrantProblem(role, scopes);
      if (problem !== undefined) throw badRequest(patch.scopes === undefined ? 'role' : 'scopes', problem);
      // A single sign-on user proves who it is at the provider: a password here would be a second way in.
      if (patch.password !== undefined && isExternalUser(before))
        throw badRequest('password', 'a single sign-on user has no password here');
      if (patch.scopes !== undefined) requireKnownScopes(request, scopes);
      requireWithin(request, scopes, 'scopes');
      const atMs = nowMs();
      const { disabledAtMs: _was, ...rest } = before;
      const disabledAtMs =
        patch.disabled === undefined ? before.disabledAtMs : patch.disabled ? (before.disabledAtMs ?? atMs) : undefined;
      const after: UserRecord = {
        ...rest,
        displayName: patch.displayName ?? before.displayName,
        role,
        scopes,
        updatedAtMs: atMs,
        ...(patch.password === undefined
          ? {}
          : { passwordHash: await hashPassword(patch.password), passwordChangedAtMs: atMs }),
        ...(disabledAtMs === undefined ? {} : { disabledAtMs }),
      };
      if (!(await store.accounts.updateUser(after))) throw new AppError('JN_NOT_FOUND', 404, 'user: removed');
      const signedOut =
        patch.password !== undefined || patch.disabled === true
          ? await store.accounts.revokeSessionsOf(after.id, atMs)
          : 0;
      await audit(request, `user:${after.id}`, presentUser(before), presentUser(after));
      request.log.info({ userId: after.id, signedOut }, 'user changed');
      return presentUser(after);
    },
  );

  app.delete(
    '/users/:id',
    {
      schema: {
        summary: 'Remove a user and its sessions',
        params: Params,
        response: { 204: NoContent, ...ERRORS },
      },
    },
    async (request, reply) => {
      const before = await managed(request, request.params.id);
      if (!(await store.accounts.deleteUser(before.id))) throw new AppError('JN_NOT_FOUND', 404, 'user: removed');
      await audit(request, `user:${before.id}`, presentUser(before), null);
      request.log.info({ userId: before.id }, 'user removed');
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/users/:id/sessions',
    {
      schema: {
        summary: 'Sign a user out everywhere: revoke all its sessions',
        params: Params,
        response: { 200: z.object({ revoked: z.number().int() }), ...ERRORS },
      },
    },
    async (request) => {
      const user = await managed(request, request.params.id);
      const revoked = await store.accounts.revokeSessionsOf(user.id, nowMs());
      await audit(request, `user:${user.id}`, null, { sessionsRevoked: revoked });
      return { revoked };
    },
  );
}
