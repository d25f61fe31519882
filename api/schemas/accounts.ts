/** Answers of the account routes (api/routes/sessions.ts, users.ts, tokens.ts). */
import { z } from 'zod';
import { RoleSchema } from '../../core/domain/access.js';
import { UserViewSchema } from '../../core/domain/accounts.js';

/** A signed-in user's session: the user and when the session expires. */
export const SessionViewSchema = z.object({
  user: UserViewSchema,
  expiresAt: z.string().describe('absolute expiry; a session idle for SESSION_IDLE_MIN expires earlier'),
});

/** An API token as listed: never its value or hash. */
export const TokenViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: RoleSchema,
  scopes: z.array(z.string()),
  createdAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
