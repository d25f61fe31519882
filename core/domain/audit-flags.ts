import { z } from 'zod';

/**
 * The annual data audit (数据会审, issue 16 item 4; DOMAIN.md "The statutory year"): rules run over
 * a statistical year raise flags on institutions; the institution explains or corrects each one,
 * or the bureau accepts it; a reviewer signs the institution's year off once no flag is open.
 */

/** The audit rules, one per kind of doubt about a year's figures. */
export const AuditRuleSchema = z.enum([
  /** Total kgce or water changed against last year by more than `AUDIT_YOY_THRESHOLD`. */
  'yoy_change',
  /** kgce/m² outside the Tukey fences of the institutions of the same type. */
  'peer_outlier',
  /** Floor area or energy-using persons changed during the year (effective-dated facts). */
  'facts_changed',
  /** A month whose completeness (received / expected readings) is below 90 %. */
  'month_incomplete',
  /** A main meter whose sub-meters differ from it by more than `BALANCE_TOLERANCE` over the year. */
  'meter_imbalance',
  /** Billed quantity differs from the metered one beyond `BILL_TOLERANCE`. */
  'bill_mismatch',
]);
/** An audit rule. */
export type AuditRule = z.infer<typeof AuditRuleSchema>;

/** Where a flag is in its life: raised, then explained (with a comment), corrected or accepted. */
export const AuditFlagStatusSchema = z.enum(['open', 'explained', 'corrected', 'accepted']);
/** A flag's status. */
export type AuditFlagStatus = z.infer<typeof AuditFlagStatusSchema>;

/** How much a flag weighs: how far beyond its threshold the figure is. */
export const AuditSeveritySchema = z.enum(['low', 'medium', 'high']);
/** A flag's severity. */
export type AuditSeverity = z.infer<typeof AuditSeveritySchema>;

/** A statistical year (the forms are annual). */
export const AuditYearSchema = z.coerce.number().int().min(2000).max(2100);

/** A flag as a rule raises it, before it is stored. */
export const AuditFindingSchema = z.object({
  /** Deterministic from rule, scope, year and detail (`auditFlagId`): a re-run updates, never duplicates. */
  id: z.string(),
  year: z.number().int(),
  /** `institution:ID`. */
  scope: z.string(),
  rule: AuditRuleSchema,
  severity: AuditSeveritySchema,
  /** The figures that raised it: values, thresholds, the reference used. */
  evidence: z.record(z.string(), z.unknown()),
  message: z.string(),
});
/** A flag as a rule raises it. */
export type AuditFinding = z.infer<typeof AuditFindingSchema>;

/** Who took a flag out of `open`, to which status, why and when. */
export const AuditResolutionSchema = z.object({
  status: AuditFlagStatusSchema.exclude(['open']),
  by: z.string(),
  comment: z.string(),
  atMs: z.number(),
});
/** A flag's resolution. */
export type AuditResolution = z.infer<typeof AuditResolutionSchema>;

/** A stored flag: the finding of the latest run that raised it, and its life cycle. */
export const AuditFlagSchema = AuditFindingSchema.extend({
  status: AuditFlagStatusSchema,
  /** When a run first raised it (epoch ms). */
  detectedAtMs: z.number(),
  /** When a run last raised it (epoch ms): the evidence is of that run. */
  seenAtMs: z.number(),
  resolution: AuditResolutionSchema.optional(),
});
/** A stored flag. */
export type AuditFlag = z.infer<typeof AuditFlagSchema>;

/** The body of `POST /api/v1/audit-flags/{id}/resolve`: explaining needs a comment. */
export const AuditResolveInputSchema = z
  .object({
    status: AuditFlagStatusSchema.exclude(['open']),
    comment: z.string().trim().max(2000).default(''),
  })
  .superRefine((r, ctx) => {
    if (r.status === 'explained' && r.comment === '')
      ctx.addIssue({ code: 'custom', path: ['comment'], message: 'an explanation needs a comment' });
  });
/** A resolution as submitted. */
export type AuditResolveInput = z.infer<typeof AuditResolveInputSchema>;

/** An institution's year signed off by a reviewer. */
export const AuditSignoffSchema = z.object({
  year: z.number().int(),
  /** `institution:ID`. */
  scope: z.string(),
  by: z.string(),
  atMs: z.number(),
  /** How many flags the year had when it was signed off, all resolved. */
  flags: z.number().int().nonnegative(),
});
/** A sign-off. */
export type AuditSignoff = z.infer<typeof AuditSignoffSchema>;

/** Which flags to list; every given field must match. */
export interface AuditFlagFilter {
  readonly year?: number;
  /** Flags of these scopes only. */
  readonly scopes?: readonly string[];
  readonly status?: AuditFlagStatus;
  readonly id?: string;
}

/**
 * The id of a flag: the same for the same rule, year, scope and detail (a month, a meter, a field),
 * so re-running the audit updates a flag and keeps its status. Readable and collision-free: ids of
 * the registry hold no `:` (IdSchema), so `yoy_change:2025:institution:i-1:kgce` parses one way.
 */
export function auditFlagId(rule: AuditRule, scope: string, year: number, detail = ''): string {
  return detail === '' ? `${rule}:${year}:${scope}` : `${rule}:${year}:${scope}:${detail}`;
}
