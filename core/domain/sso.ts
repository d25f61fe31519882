import { z } from 'zod';
import { RoleSchema, TokenScopeSchema } from './access.js';
import { DisplayNameSchema, type UserGrant, UsernameSchema, userGrantProblem } from './accounts.js';

/**
 * Single sign-on with OpenID Connect (issue 17, item 1): how the groups a provider says a person
 * is in become a local user's role and scopes, and who that user is. Pure rules; the protocol
 * lives in core/accounts/oidc-client.ts.
 */

/** What one group grants: a role and, for officers, viewers and district admins, scopes. */
export const GroupGrantSchema = z
  .strictObject({
    role: RoleSchema,
    scopes: z.array(TokenScopeSchema).max(1000).default([]),
  })
  .superRefine((g, ctx) => {
    const problem = userGrantProblem(g.role, g.scopes);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['scopes'], message: problem });
  });

/**
 * `OIDC_GROUP_ROLES`: group name → grant, e.g. `{"energy-admins":{"role":"admin"},
 * "district-a":{"role":"officer","scopes":["district:a"]}}`. The order written matters: see
 * `grantOfGroups`.
 */
export const GroupRolesSchema = z
  .record(z.string().min(1).max(500), GroupGrantSchema)
  .refine((m) => Object.keys(m).length > 0, 'map at least one group');

/** Group name → grant, in the order written. */
export type GroupRoles = z.infer<typeof GroupRolesSchema>;

/** `OIDC_GROUP_ROLES` as the environment has it: JSON text of a `GroupRolesSchema`. */
export const GroupRolesJsonSchema = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not JSON: expected {"group":{"role":"…","scopes":[…]}}' });
      return z.NEVER;
    }
  })
  .pipe(GroupRolesSchema);

/**
 * The groups in a claim set at a dotted path (`groups`, `realm_access.roles`): an array of
 * strings, or one string as one group; anything else is no group.
 */
export function groupsOf(claims: Readonly<Record<string, unknown>>, path: string): string[] {
  let value: unknown = claims;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
    value = (value as Record<string, unknown>)[key];
  }
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((g): g is string => typeof g === 'string') : [];
}

/**
 * The role and scopes of someone in these groups, or undefined when none is mapped. The first
 * mapped group in the order `OIDC_GROUP_ROLES` is written that the person is in decides the
 * role (write the strongest first); the scopes are those of every group of theirs mapped to that
 * role. An admin group without scopes makes a city admin, whatever district admin groups add.
 */
export function grantOfGroups(groups: readonly string[], mapping: GroupRoles): UserGrant | undefined {
  const mine = new Set(groups);
  const matched = Object.entries(mapping).filter(([group]) => mine.has(group));
  const first = matched[0];
  if (first === undefined) return undefined;
  const role = first[1].role;
  const same = matched.map(([, grant]) => grant).filter((g) => g.role === role);
  if (role === 'auditor' || (role === 'admin' && same.some((g) => g.scopes.length === 0))) return { role, scopes: [] };
  return { role, scopes: [...new Set(same.flatMap((g) => g.scopes))].sort() };
}

/** The provider's claims a user is made of: who it is to the provider, and the names shown here. */
export interface SsoProfile {
  /** The provider's `sub`: stable, never reassigned (OpenID Connect Core 1.0, 2). */
  readonly subject: string;
  /** A valid local username (normalised), from `preferred_username`, else `email`, else `sub`. */
  readonly username: string;
  readonly displayName: string;
}

/** The first of the claims that is a valid username, normalised; undefined when none is. */
function usernameOf(claims: Readonly<Record<string, unknown>>): string | undefined {
  for (const key of ['preferred_username', 'email', 'sub']) {
    const parsed = UsernameSchema.safeParse(claims[key]);
    if (parsed.success) return parsed.data;
  }
  return undefined;
}

/** The profile of a claim set, or undefined when it has no `sub` or no claim usable as a username. */
export function ssoProfileOf(claims: Readonly<Record<string, unknown>>): SsoProfile | undefined {
  const subject = claims.sub;
  const username = usernameOf(claims);
  if (typeof subject !== 'string' || subject === '' || username === undefined) return undefined;
  const name = DisplayNameSchema.safeParse(typeof claims.name === 'string' ? claims.name.slice(0, 200) : undefined);
  return { subject, username, displayName: name.success ? name.data : username };
}

/** How the password hash of a user who signs in through the provider begins. */
const EXTERNAL_PREFIX = 'oidc$';

/**
 * What an external user keeps where a password hash would be: `oidc$ISSUER$SUBJECT` (each
 * URI-encoded). It is not a scrypt hash, so no password ever matches it (core/security.ts), and
 * it ties the username to one subject of one provider: nobody else can take the account over.
 */
export function externalCredential(issuer: string, subject: string): string {
  return `${EXTERNAL_PREFIX}${encodeURIComponent(issuer)}$${encodeURIComponent(subject)}`;
}

/** Whether the user signs in through the provider (it has no password). */
export function isExternalUser(user: { readonly passwordHash: string }): boolean {
  return user.passwordHash.startsWith(EXTERNAL_PREFIX);
}

/** `GET /api/v1/sessions/methods`: how one may sign in to the page, asked before anyone has. */
export const SignInMethodsSchema = z.object({
  password: z.literal(true).describe('a username and password (POST /api/v1/sessions)'),
  sso: z.boolean().describe('single sign-on with OpenID Connect: GET /api/v1/sessions/oidc/login'),
});

/** How one may sign in to the page. */
export type SignInMethods = z.infer<typeof SignInMethodsSchema>;
