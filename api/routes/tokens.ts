import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TokenInputSchema } from '../../core/domain/access.js';
import { AppError } from '../../core/errors.js';
import { hashApiToken, newApiToken, newId } from '../../core/security.js';
import type { TokenRecord } from '../../core/storage/store.js';
import { adminOnly } from '../access.js';
import { audit } from '../audit.js';
import { TokenViewSchema } from '../schemas/accounts.js';
import { checkedInHandler, ERRORS } from '../schemas/common.js';

const Params = z.object({ id: z.string().max(100) });

const Issued = TokenViewSchema.extend({ token: z.string().describe('the token, shown this once') });
const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** A token as listed: never its hash. */
function present(t: TokenRecord): z.infer<typeof TokenViewSchema> {
  return {
    id: t.id,
    name: t.name,
    role: t.role,
    scopes: [...(t.scopes ?? [])],
    createdAt: iso(t.createdAtMs),
    expiresAt: iso(t.expiresAtMs),
    revokedAt: iso(t.revokedAtMs),
  };
}

/**
 * `POST /api/v1/tokens` (issue: the token is shown once, only its hash is kept), `GET` (list, no
 * hashes) and `DELETE /api/v1/tokens/{id}` (revoke). Admin only.
 */
export async function tokenRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { store } = app.deps;
  const now = () => (app.deps.now ?? Date.now)();
  app.addHook('preHandler', adminOnly);

  app.post(
    '/tokens',
    {
      schema: {
        summary: 'Issue an API token (shown once)',
        description: 'Body: {"name","role":"admin|officer|auditor|viewer","scopes"?:["district:ID",…],"expiresAt"?}.',
        body: checkedInHandler(TokenInputSchema),
        response: { 201: Issued, ...ERRORS },
      },
    },
    async (request, reply) => {
      const parsed = TokenInputSchema.safeParse(request.body);
      if (!parsed.success) {
        const details = parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'body', message: i.message }));
        throw new AppError('JN_REQUEST_INVALID', 400, details.map((d) => `${d.path}: ${d.message}`).join('; '), {
          details,
        });
      }
      const input = parsed.data;
      const expiresAtMs = input.expiresAt === undefined ? undefined : Date.parse(input.expiresAt);
      if (expiresAtMs !== undefined && expiresAtMs <= now())
        throw new AppError('JN_REQUEST_INVALID', 400, 'expiresAt: must be in the future', {
          details: [{ path: 'expiresAt', message: 'must be in the future' }],
        });
      const token = newApiToken();
      const record: TokenRecord = {
        id: newId('tok'),
        name: input.name,
        role: input.role,
        hash: hashApiToken(token),
        createdAtMs: now(),
        ...(input.scopes.length === 0 ? {} : { scopes: input.scopes }),
        ...(expiresAtMs === undefined ? {} : { expiresAtMs }),
      };
      await store.saveToken(record);
      await audit(request, `token:${record.id}`, null, present(record));
      request.log.info({ tokenId: record.id, role: record.role }, 'API token issued');
      return reply.status(201).send({ ...present(record), token });
    },
  );

  app.get(
    '/tokens',
    {
      schema: {
        summary: 'API tokens (never their value or hash)',
        response: { 200: z.object({ tokens: z.array(TokenViewSchema) }), ...ERRORS },
      },
    },
    async () => ({ tokens: (await store.listTokens()).map(present) }),
  );

  const revoke = { summary: 'Revoke an API token', params: Params, response: { 200: TokenViewSchema, ...ERRORS } };
  app.delete('/tokens/:id', { schema: revoke }, async (request) => {
    const { id } = request.params;
    const before = (await store.listTokens()).find((t) => t.id === id);
    if (before === undefined || !(await store.revokeToken(id, now())))
      throw new AppError('JN_NOT_FOUND', 404, `token "${id}" not found`);
    app.forgetTokens();
    const after = (await store.listTokens()).find((t) => t.id === id) ?? before;
    await audit(request, `token:${id}`, present(before), present(after));
    request.log.info({ tokenId: id }, 'API token revoked');
    return present(after);
  });
}
