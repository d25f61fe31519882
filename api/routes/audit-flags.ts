import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { canRead } from '../../core/domain/access.js';
import {
  type AuditFlag,
  AuditFlagStatusSchema,
  AuditResolveInputSchema,
  AuditYearSchema,
} from '../../core/domain/audit-flags.js';
import { formatScope } from '../../core/domain/scope.js';
import { AppError, badRequest } from '../../core/errors.js';
import { accessFor, requireAction, requireScope } from '../access.js';
import { audit } from '../audit.js';
import { resolveScope, scopeText } from '../params.js';
import { AuditFlagViewSchema } from '../schemas/audit.js';
import { checkedInHandler, ERRORS } from '../schemas/common.js';

const Query = z.object({
  year: AuditYearSchema,
  scope: scopeText(['city', 'district', 'institution'])
    .optional()
    .describe('city (default), district:ID or institution:ID'),
  status: AuditFlagStatusSchema.optional(),
});
const Params = z.object({ id: z.string().max(300) });

/** A stored flag in the API's words. */
export function presentFlag(f: AuditFlag): z.infer<typeof AuditFlagViewSchema> {
  const { detectedAtMs, seenAtMs, resolution, ...rest } = f;
  return {
    ...rest,
    detectedAt: new Date(detectedAtMs).toISOString(),
    seenAt: new Date(seenAtMs).toISOString(),
    resolution:
      resolution === undefined
        ? null
        : {
            status: resolution.status,
            by: resolution.by,
            comment: resolution.comment,
            at: new Date(resolution.atMs).toISOString(),
          },
  };
}

/**
 * The `institution:ID` scopes a query scope covers (undefined: the whole city), 403 outside the
 * token's scopes, or a 400 for a scope that is unknown or finer than an institution (flags and
 * sign-offs are per institution).
 */
export function institutionScopes(request: FastifyRequest, text: string | undefined): string[] | undefined {
  if (text === undefined || text === 'city') return undefined;
  const scope = resolveScope(request, text, { levels: ['city', 'district', 'institution'] });
  if (scope.level === 'city') return undefined;
  if (scope.level === 'institution') return [formatScope(scope)];
  const registry = request.server.deps.registry.get();
  return registry.institutions.filter((i) => i.districtId === scope.id).map((i) => `institution:${i.id}`);
}

/**
 * `GET /api/v1/audit-flags?year&scope&status` and `POST /api/v1/audit-flags/{id}/resolve`: the flags
 * of the data audit (issue 16, item 4) and their life cycle. Reading needs the scope (without one,
 * the flags the token may read); resolving is an officer's in the flag's scope, or an admin's, and
 * is audited.
 */
export async function auditFlagRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/audit-flags',
    {
      schema: {
        summary: 'Data-audit flags of a year',
        querystring: Query,
        response: { 200: z.object({ year: z.number(), flags: z.array(AuditFlagViewSchema) }), ...ERRORS },
      },
    },
    async (request) => {
      const { year, scope, status } = request.query;
      const scopes = institutionScopes(request, scope);
      const flags = await app.deps.store.auditFlags({
        year,
        ...(scopes === undefined ? {} : { scopes }),
        ...(status === undefined ? {} : { status }),
      });
      const access = accessFor(request);
      return { year, flags: flags.filter((f) => canRead(access, f.scope)).map(presentFlag) };
    },
  );

  app.post(
    '/audit-flags/:id/resolve',
    {
      schema: {
        summary: 'Resolve an open audit flag: explained (with a comment), corrected or accepted',
        description: 'Body: {"status":"explained"|"corrected"|"accepted","comment"}; explained needs a comment.',
        params: Params,
        body: checkedInHandler(AuditResolveInputSchema),
        response: { 200: AuditFlagViewSchema, ...ERRORS },
      },
    },
    async (request) => {
      const { id } = request.params;
      requireAction(request, 'act');
      const parsed = AuditResolveInputSchema.safeParse(request.body ?? {});
      if (!parsed.success) {
        const details = parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'body', message: i.message }));
        throw new AppError('JN_REQUEST_INVALID', 400, details.map((d) => `${d.path}: ${d.message}`).join('; '), {
          details,
        });
      }
      const { store, now } = app.deps;
      const [found] = await store.auditFlags({ id });
      if (found === undefined) throw new AppError('JN_NOT_FOUND', 404, `audit flag "${id}" not found`);
      requireScope(request, found.scope, 'id');
      const resolution = {
        ...parsed.data,
        by: request.token?.name ?? 'unknown',
        atMs: (now ?? Date.now)(),
      };
      // Only an open flag is resolved; a concurrent resolution of the same flag loses here.
      if (found.status !== 'open' || !(await store.resolveAuditFlag(id, resolution)))
        throw badRequest('id', `the flag is already ${found.status === 'open' ? 'resolved' : found.status}`);
      const [updated] = await store.auditFlags({ id });
      const after = presentFlag(updated as AuditFlag);
      await audit(request, `audit-flag:${id}`, presentFlag(found), after);
      return after;
    },
  );
}
