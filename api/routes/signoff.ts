import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { canRead } from '../../core/domain/access.js';
import { type AuditSignoff, AuditYearSchema } from '../../core/domain/audit-flags.js';
import { localToEpochMs } from '../../core/domain/time.js';
import { AppError, badRequest } from '../../core/errors.js';
import { accessFor } from '../access.js';
import { audit } from '../audit.js';
import { resolveScope, scopeText } from '../params.js';
import { SignoffListSchema as ListOut, SignoffSchema as SignoffOut } from '../schemas/audit.js';
import { ERRORS } from '../schemas/common.js';
import { institutionScopes } from './audit-flags.js';

const Params = z.object({ year: AuditYearSchema });
const SignQuery = z.object({ scope: scopeText(['institution']) });
const ListQuery = z.object({
  scope: scopeText(['city', 'district', 'institution'])
    .optional()
    .describe('city (default), district:ID or institution:ID'),
});

function present(s: AuditSignoff): z.infer<typeof SignoffOut> {
  return {
    year: s.year,
    scope: s.scope,
    institutionId: s.scope.slice('institution:'.length),
    by: s.by,
    at: new Date(s.atMs).toISOString(),
    flags: s.flags,
  };
}

/**
 * Who reviews an institution's year (DOMAIN.md: "each flag explained or corrected by the
 * institution, with a reviewer's sign-off"): an admin, or an officer of the institution's
 * district. An officer scoped to the institution alone explains its flags but does not review
 * them.
 */
function requireReviewer(request: FastifyRequest, districtId: string): void {
  const token = request.token;
  if (token === undefined) throw new AppError('JN_AUTH_MISSING', 401, 'authorization: Bearer token required');
  if (token.role === 'admin') return;
  if (token.role === 'officer' && (token.scopes ?? []).includes(`district:${districtId}`)) return;
  throw new AppError('JN_FORBIDDEN', 403, `forbidden: a year is signed off by an admin or an officer of its district`);
}

/**
 * `POST /api/v1/statistics/annual/{year}/signoff?scope=institution:ID` (refused, 409
 * `JN_AUDIT_OPEN_FLAGS`, while a flag of the year is open) and `GET …/{year}/signoffs?scope`, the
 * sign-offs the statistics export shows (issue 16, item 4). Sign-offs and refusals are audited.
 */
export async function signoffRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post(
    '/statistics/annual/:year/signoff',
    {
      schema: {
        summary: "Sign off an institution's year (no audit flag open)",
        params: Params,
        querystring: SignQuery,
        response: { 200: SignoffOut, ...ERRORS },
      },
    },
    async (request) => {
      const { year } = request.params;
      const { store, registry, timeZone, now } = app.deps;
      const scope = resolveScope(request, request.query.scope, { levels: ['institution'] });
      const institution = registry.get().institutions.find((i) => scope.level === 'institution' && i.id === scope.id);
      if (institution === undefined) throw badRequest('scope', 'expected institution:ID');
      requireReviewer(request, institution.districtId);
      const nowMs = (now ?? Date.now)();
      if (localToEpochMs(timeZone, year + 1, 1) > nowMs) throw badRequest('year', `${year} is not over`);
      const key = `institution:${institution.id}`;
      const entity = `signoff:${year}:${key}`;
      const flags = await store.auditFlags({ year, scopes: [key] });
      const open = flags.filter((f) => f.status === 'open');
      if (open.length > 0) {
        const details = open.map((f) => ({ path: `flags.${f.id}`, message: `${f.rule}: ${f.message}` }));
        // The refusal is part of the trail too: who tried to sign off, and which flags stood in the way.
        await audit(request, entity, null, { refused: 'JN_AUDIT_OPEN_FLAGS', openFlags: open.map((f) => f.id) });
        throw new AppError(
          'JN_AUDIT_OPEN_FLAGS',
          409,
          `${key} ${year}: ${open.length} audit flag(s) open: ${open.map((f) => f.id).join(', ')}`,
          { details },
        );
      }
      const before = (await store.auditSignoffs(year)).find((s) => s.scope === key);
      const signoff: AuditSignoff = {
        year,
        scope: key,
        by: request.token?.name ?? 'unknown',
        atMs: nowMs,
        flags: flags.length,
      };
      await store.saveAuditSignoff(signoff);
      await audit(request, entity, before === undefined ? null : present(before), present(signoff));
      request.log.info({ year, scope: key, flags: flags.length }, 'year signed off');
      return present(signoff);
    },
  );

  app.get(
    '/statistics/annual/:year/signoffs',
    {
      schema: {
        summary: 'Institutions whose year is signed off (what the statistics export shows)',
        params: Params,
        querystring: ListQuery,
        response: { 200: ListOut, ...ERRORS },
      },
    },
    async (request) => {
      const { year } = request.params;
      const { scope } = request.query;
      const scopes = institutionScopes(request, scope);
      const wanted = scopes === undefined ? undefined : new Set(scopes);
      const access = accessFor(request);
      const [signoffs, open] = await Promise.all([
        app.deps.store.auditSignoffs(year),
        app.deps.store.auditFlags({ year, status: 'open' }),
      ]);
      const openBy = new Map<string, number>();
      for (const f of open) openBy.set(f.scope, (openBy.get(f.scope) ?? 0) + 1);
      return {
        year,
        signoffs: signoffs
          .filter((s) => (wanted === undefined || wanted.has(s.scope)) && canRead(access, s.scope))
          .map((s) => ({ ...present(s), openFlags: openBy.get(s.scope) ?? 0 })),
      };
    },
  );
}
