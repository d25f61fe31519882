/** Answers of the audit routes: the audit log, data-audit flags and sign-offs (api/routes/audit*.ts, signoff.ts). */
import { z } from 'zod';
import { AuditFlagSchema } from '../../core/domain/audit-flags.js';

/** An entry of the audit log: who changed what, when, before and after. */
export const AuditEntrySchema = z.object({
  at: z.string().describe('ISO 8601 UTC'),
  tokenId: z.string(),
  tokenName: z.string(),
  route: z.string().describe('method and route, e.g. PUT /api/v1/targets'),
  entity: z.string(),
  before: z.unknown(),
  after: z.unknown(),
});

/** A flag as the API serves it: times in ISO 8601 UTC. */
export const AuditFlagViewSchema = AuditFlagSchema.omit({
  detectedAtMs: true,
  seenAtMs: true,
  resolution: true,
}).extend({
  detectedAt: z.string().describe('when a run first raised it'),
  seenAt: z.string().describe('when a run last raised it: the evidence is of that run'),
  resolution: z
    .object({ status: z.string(), by: z.string(), comment: z.string(), at: z.string() })
    .nullable()
    .describe('who took it out of open, to which status, why and when'),
});

/** An institution's year signed off. */
export const SignoffSchema = z.object({
  year: z.number(),
  scope: z.string(),
  institutionId: z.string(),
  by: z.string(),
  at: z.string().describe('ISO 8601 UTC'),
  flags: z.number().describe('flags the year had when signed off, all resolved'),
});
/** `GET /api/v1/statistics/annual/{year}/signoffs`. */
export const SignoffListSchema = z.object({
  year: z.number(),
  signoffs: z.array(
    SignoffSchema.extend({
      openFlags: z.number().describe('flags open now: raised by an audit re-run after the sign-off'),
    }),
  ),
});
