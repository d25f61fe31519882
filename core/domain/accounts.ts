import { z } from 'zod';
import { type Grant, type Role, RoleSchema, TokenScopeSchema } from './access.js';
import { controlCharacterIn, type Registry } from './registry.js';
import { parseScope } from './scope.js';

/**
 * Users who sign in to the web page (issue 17, item 1): username, display name, password, and the
 * role and scopes API tokens have. Pure rules; hashing and sessions live in core/accounts.
 */

/** Shortest password, in characters: length over composition rules (NIST SP 800-63B, 3.1.1.2). */
export const PASSWORD_MIN_CHARS = 12;
/** Longest password, in characters: bounds the work of one scrypt. */
export const PASSWORD_MAX_CHARS = 256;

/** Refuses control and bidi-control characters (a name that displays as another: CVE-2021-42574). */
function noControlCharacters(field: string) {
  return (text: string, ctx: z.RefinementCtx) => {
    const found = controlCharacterIn(text);
    if (found !== undefined)
      ctx.addIssue({ code: 'custom', message: `${field} contains ${found}, a control or bidi-control character` });
  };
}

/**
 * The one form a username is kept and looked up in: trimmed, Unicode NFC, lower case. Usernames
 * are case-insensitive: `Admin` signs in as `admin`.
 */
export function normalizeUsername(text: string): string {
  return text.trim().normalize('NFC').toLowerCase();
}

/** A username: 1–64 letters (any script) or digits, and `.`, `_`, `-`, `@` after the first; kept normalised. */
export const UsernameSchema = z
  .string()
  .superRefine(noControlCharacters('username'))
  .transform(normalizeUsername)
  .pipe(
    z
      .string()
      .min(1)
      .max(64)
      .regex(/^[\p{L}\p{N}][\p{L}\p{N}._@-]*$/u, 'letters or digits, then also ".", "_", "-" or "@"'),
  );

/** A display name (`张伟`, `Energy office, Gulou`): 1–200 characters, no control or bidi characters. */
export const DisplayNameSchema = z.string().trim().min(1).max(200).superRefine(noControlCharacters('displayName'));

/** A new password: PASSWORD_MIN_CHARS to PASSWORD_MAX_CHARS characters, anything else allowed. */
export const PasswordSchema = z
  .string()
  .min(PASSWORD_MIN_CHARS, `at least ${PASSWORD_MIN_CHARS} characters`)
  .max(PASSWORD_MAX_CHARS, `at most ${PASSWORD_MAX_CHARS} characters`);

/**
 * Why a role and scopes do not go together, or undefined: officers and viewers need a scope,
 * auditors have none, and an admin has none (the whole city) or only districts (a district admin).
 */
export function userGrantProblem(role: Role, scopes: readonly string[]): string | undefined {
  if ((role === 'officer' || role === 'viewer') && scopes.length === 0) return `a ${role} needs at least one scope`;
  if (role === 'auditor' && scopes.length > 0) return 'an auditor is not scoped';
  if (role === 'admin' && scopes.some((s) => parseScope(s)?.level !== 'district'))
    return 'an admin is scoped to districts only (a district admin), or not at all';
  return undefined;
}

const Scopes = z.array(TokenScopeSchema).max(1000);

/** `POST /api/v1/users`: a user to create. */
export const UserInputSchema = z
  .strictObject({
    username: UsernameSchema,
    displayName: DisplayNameSchema,
    password: PasswordSchema,
    role: RoleSchema,
    scopes: Scopes.default([]).describe('district:ID or institution:ID; an admin with districts is a district admin'),
  })
  .superRefine((u, ctx) => {
    const problem = userGrantProblem(u.role, u.scopes);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['scopes'], message: problem });
  });

/** A user to create, parsed. */
export type UserInput = z.infer<typeof UserInputSchema>;

/**
 * `PATCH /api/v1/users/{id}`: the fields to change (the username never changes). A new password,
 * or `disabled: true`, signs the user out everywhere.
 */
export const UserPatchSchema = z
  .strictObject({
    displayName: DisplayNameSchema.optional(),
    password: PasswordSchema.optional(),
    role: RoleSchema.optional(),
    scopes: Scopes.optional(),
    disabled: z.boolean().optional(),
  })
  .refine((p) => Object.values(p).some((v) => v !== undefined), 'nothing to change');

/** Changes to a user, parsed. */
export type UserPatch = z.infer<typeof UserPatchSchema>;

/** `POST /api/v1/sessions`: a sign-in. Nothing about the username is checked but its length. */
export const SignInSchema = z.strictObject({
  username: z.string().min(1).max(200),
  password: z.string().min(1).max(PASSWORD_MAX_CHARS),
});

/** A sign-in, parsed. */
export type SignIn = z.infer<typeof SignInSchema>;

/** `PUT /api/v1/users/me/password`: the signed-in user's own new password. */
export const PasswordChangeSchema = z.strictObject({
  currentPassword: z.string().min(1).max(PASSWORD_MAX_CHARS),
  password: PasswordSchema,
});

/** A user as the API shows it: never the password or its hash. */
export const UserViewSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: RoleSchema,
  scopes: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
  passwordChangedAt: z.string(),
  disabledAt: z.string().nullable(),
  external: z
    .boolean()
    .describe('signs in through single sign-on: no password here; role and scopes follow its groups at each sign-in'),
});

/** A user as the API shows it. */
export type UserView = z.infer<typeof UserViewSchema>;

/** What a user's role and scopes are made of (the record's other fields do not matter here). */
export interface UserGrant {
  readonly role: Role;
  readonly scopes: readonly string[];
}

/**
 * What a signed-in user may do everywhere but the user routes, as a token would: its own role and
 * scopes, except that a district admin acts as an officer of its districts. The other admin
 * actions (registry, tokens, jobs, gateways) are city-wide, so they stay the city admins'.
 */
export function grantOfUser(user: UserGrant): Grant {
  if (user.role === 'admin' && user.scopes.length > 0) return { role: 'officer', scopes: [...user.scopes] };
  return user.scopes.length === 0 ? { role: user.role } : { role: user.role, scopes: [...user.scopes] };
}

/** The users a grant may manage: `all` (a city admin), those of some districts (a district admin), or none. */
export function administeredDistricts(grant: {
  readonly role: Role;
  readonly scopes?: readonly string[];
}): 'all' | ReadonlySet<string> {
  if (grant.role !== 'admin') return new Set();
  const scopes = grant.scopes ?? [];
  if (scopes.length === 0) return 'all';
  return new Set(scopes.flatMap((s) => (s.startsWith('district:') ? [s.slice('district:'.length)] : [])));
}

/**
 * Whether a user with these scopes is inside the districts: at least one scope, each a district of
 * them or an institution of one of them in the registry. Unscoped users (city admins, auditors)
 * and unknown institutions are outside.
 */
export function scopesWithin(
  scopes: readonly string[],
  districts: 'all' | ReadonlySet<string>,
  registry: Registry,
): boolean {
  if (districts === 'all') return true;
  if (scopes.length === 0) return false;
  return scopes.every((text) => {
    const scope = parseScope(text);
    if (scope?.level === 'district') return districts.has(scope.id);
    if (scope?.level !== 'institution') return false;
    const institution = registry.institutions.find((i) => i.id === scope.id);
    return institution !== undefined && districts.has(institution.districtId);
  });
}
