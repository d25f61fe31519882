import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { OidcClient, type SsoSettings } from '../../core/accounts/oidc-client.js';
import { provisionSsoUser, revokeSsoUser } from '../../core/accounts/sso-users.js';
import { grantOfGroups, groupsOf, SignInMethodsSchema, type SsoProfile, ssoProfileOf } from '../../core/domain/sso.js';
import { AppError } from '../../core/errors.js';
import { addressKey } from '../../core/login-guard.js';
import { ERRORS } from '../schemas/common.js';
import { auditSignIn, startCookieSession } from '../session-start.js';
import { pendingSignInOf, ssoCookie } from '../sso-cookie.js';
import { presentUser } from './users.js';

/** The path of the callback: PUBLIC_URL + this is the redirect URI to register with the provider. */
export const SSO_CALLBACK_PATH = '/api/v1/sessions/oidc/callback';

/** Where the browser lands: the page after a sign-in, its sign-in screen with the refusal's code otherwise. */
const SIGNED_IN_PAGE = '/overview';
const refusedPage = (code: string) => `/signin?sso_error=${encodeURIComponent(code)}`;

const Redirect = z.null().describe('a redirect (Location): to the provider, or back to the page');

/** The authorization response (RFC 6749, 4.1.2 and 4.1.2.1; `iss`: RFC 9207); all of it goes to openid-client. */
const CallbackQuery = z.looseObject({
  code: z.string().max(4096).optional(),
  state: z.string().max(1024).optional(),
  iss: z.string().max(2048).optional(),
  error: z.string().max(256).optional(),
  error_description: z.string().max(2048).optional(),
});

/** The redirect URI of this request: on PUBLIC_URL when set, else on the address the browser used. */
function redirectUriOf(request: FastifyRequest, settings: SsoSettings): string {
  const base = settings.publicUrl ?? `${request.protocol}://${request.host}`;
  return `${base.replace(/\/+$/, '')}${SSO_CALLBACK_PATH}`;
}

/** Records a single sign-in or its refusal in the audit log, as password sign-ins are (`sign-in:USERNAME`). */
function auditSso(request: FastifyRequest, who: { id: string; name: string }, after: Record<string, unknown>) {
  return auditSignIn(request, who, `sign-in:${who.name}`, {
    method: 'oidc',
    address: addressKey(request.ip),
    ...after,
  });
}

/**
 * `GET /api/v1/sessions/methods`, always, and with single sign-on configured (`OIDC_ISSUER`;
 * issue 17, item 1) the authorization code flow with PKCE: `GET /api/v1/sessions/oidc/login`
 * sends the browser to the provider, `GET /api/v1/sessions/oidc/callback` checks its answer, maps
 * the user's groups to a role and scopes (`OIDC_GROUP_ROLES`), creates or updates the external
 * local user, and sets the same session cookie as a password sign-in. Registered outside the
 * API's authentication.
 */
export async function oidcRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const settings = app.deps.sso;
  const nowMs = () => (app.deps.now ?? Date.now)();

  app.get(
    '/sessions/methods',
    {
      schema: {
        summary: 'How one may sign in to the page: password, and single sign-on when configured',
        response: { 200: SignInMethodsSchema },
        security: [],
      },
    },
    async () => ({ password: true as const, sso: settings !== undefined }),
  );
  if (settings === undefined) return;
  const client = new OidcClient(settings);
  const { store } = app.deps;

  app.get(
    '/sessions/oidc/login',
    {
      schema: {
        summary: 'Single sign-on: redirects to the OpenID Connect provider (authorization code flow, PKCE)',
        description: 'Sets a short-lived cookie (jn_sso) with the state, nonce and PKCE verifier of this sign-in.',
        response: { 302: Redirect, ...ERRORS },
        security: [],
      },
    },
    async (request, reply) => {
      try {
        const { url, pending } = await client.begin(redirectUriOf(request, settings));
        reply.header('set-cookie', ssoCookie(request, settings.clientSecret, pending, nowMs()));
        return reply.redirect(url.href, 302);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        request.log.warn({ code: error.code, err: error }, 'single sign-on could not start');
        return reply.redirect(refusedPage(error.code), 302);
      }
    },
  );

  /** Ends a sign-in the provider answered: the user signed in, or a refusal with its code. */
  const finish = async (request: FastifyRequest, state: string | undefined) => {
    const pending = pendingSignInOf(request, settings.clientSecret, nowMs());
    if (pending === undefined)
      throw new AppError('JN_AUTH_SSO_STATE', 400, 'sso: no sign-in of this browser in progress (expired?)');
    if (state !== pending.state)
      throw new AppError('JN_AUTH_SSO_STATE', 400, 'sso: the state is not that of this browser’s sign-in');
    const claims = await client.finish(new URL(request.url, 'http://callback').searchParams, pending);
    const profile = ssoProfileOf(claims);
    if (profile === undefined)
      throw new AppError(
        'JN_AUTH_SSO_FAILED',
        401,
        'sso: no usable sub, preferred_username or email from the provider',
      );
    return { profile, groups: groupsOf(claims, settings.groupsClaim) };
  };

  /** Makes the provider's user a local one, or refuses it (audited by the caller). */
  const provision = async (profile: SsoProfile, groups: readonly string[]) => {
    const grant = grantOfGroups(groups, settings.groupRoles);
    if (grant === undefined) {
      // The provider took every mapped group away: the user's sessions end now, not at expiry.
      await revokeSsoUser(store.accounts, settings.issuer, profile, nowMs());
      throw new AppError('JN_AUTH_SSO_UNMAPPED', 403, 'sso: none of the user’s groups is mapped to a role');
    }
    const outcome = await provisionSsoUser(store.accounts, settings.issuer, profile, grant, nowMs());
    if (outcome.ok) return outcome;
    if (outcome.reason === 'disabled')
      throw new AppError('JN_AUTH_SSO_DISABLED', 403, `sso: user "${profile.username}" is disabled here`);
    throw new AppError(
      'JN_AUTH_SSO_CONFLICT',
      409,
      `sso: username "${profile.username}" belongs to a local user or another provider account`,
    );
  };

  app.get(
    '/sessions/oidc/callback',
    {
      schema: {
        summary: 'Single sign-on: the provider’s redirect back; sets the session cookie and redirects to the page',
        description: `Register PUBLIC_URL${SSO_CALLBACK_PATH} with the provider. Refusals redirect to /signin?sso_error=JN_AUTH_SSO_*.`,
        querystring: CallbackQuery,
        response: { 302: Redirect, ...ERRORS },
        security: [],
      },
    },
    async (request, reply) => {
      // Whatever happens, this sign-in is over: its state cannot be used twice.
      reply.header('set-cookie', ssoCookie(request, settings.clientSecret, undefined, nowMs()));
      let who: { id: string; name: string } = { id: 'anonymous', name: '(unknown)' };
      let groups: readonly string[] = [];
      try {
        const found = await finish(request, request.query.state);
        who = { id: 'anonymous', name: found.profile.username };
        groups = found.groups;
        const { user, before } = await provision(found.profile, found.groups);
        who = { id: user.id, name: user.username };
        // A new user, or one whose name, role or scopes changed with its groups: audited as a user change.
        if (before !== user)
          await store.addAudit({
            atMs: nowMs(),
            tokenId: user.id,
            tokenName: user.username,
            route: `${request.method} ${SSO_CALLBACK_PATH}`,
            entity: `user:${user.id}`,
            before: before === undefined ? null : presentUser(before),
            after: presentUser(user),
          });
        await startCookieSession(request, reply, user);
        await auditSso(request, who, { outcome: 'signed_in', groups, role: user.role, scopes: user.scopes });
        request.log.info({ userId: user.id, role: user.role }, 'signed in through single sign-on');
        return reply.redirect(SIGNED_IN_PAGE, 302);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        await auditSso(request, who, { outcome: 'refused', code: error.code, groups });
        request.log.warn({ username: who.name, code: error.code, reason: error.message }, 'single sign-on refused');
        return reply.redirect(refusedPage(error.code), 302);
      }
    },
  );
}
