import { z } from 'zod';
import { LocalDateSchema } from './tariffs.js';

/** Where an anomaly is in its life: found, seen by an officer, dealt with. */
export const AnomalyStatusSchema = z.enum(['open', 'acknowledged', 'resolved']);
export type AnomalyStatus = z.infer<typeof AnomalyStatusSchema>;

/** Who moved an anomaly along its life, when and why. */
export interface AnomalyStep {
  readonly by: string;
  readonly comment: string;
  readonly atMs: number;
}

/** An anomaly event as stored and served. */
export interface AnomalyEvent {
  /** Deterministic from type, scope and start: re-running detection updates, never duplicates. */
  readonly id: string;
  readonly type: string;
  /** `meter:ID` or `institution:ID`. */
  readonly scope: string;
  readonly energy: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly severity: 'low' | 'medium' | 'high';
  /** The numbers that triggered it: observed, expected value and band, history used. */
  readonly evidence: Readonly<Record<string, unknown>>;
  /** Estimated wasted energy, in the energy's native unit and in kgce. */
  readonly wastedNative: number;
  readonly wastedKgce: number;
  readonly status: AnomalyStatus;
  readonly detectedAtMs: number;
  readonly acknowledged?: AnomalyStep;
  readonly resolved?: AnomalyStep;
  /** Who deals with it and by when (issue 17, item 3); absent until assigned. */
  readonly assignment?: AnomalyAssignment;
  /** The officers' comments, oldest first; absent when there are none. */
  readonly comments?: readonly AnomalyComment[];
}

/** The id of an anomaly: stable for the same type, scope and start, so detection is idempotent. */
export function anomalyId(type: string, scope: string, startMs: number): string {
  let h = 0x811c9dc5;
  for (const ch of `${type}|${scope}|${startMs}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return `an-${type}-${startMs.toString(36)}-${h.toString(36)}`;
}

/** The body of `POST /api/v1/anomalies/{id}/ack` and `/resolve`. */
export const AnomalyActionSchema = z.object({ comment: z.string().trim().max(2000).default('') });

/**
 * The body of `POST /api/v1/anomalies/{id}/assign` (issue 17, item 3): who deals with the anomaly
 * (a name or user name, as the officers know each other) and, optionally, the local day it is due
 * on. An assignment replaces the previous one whole: without `dueDate` the anomaly has none.
 */
export const AnomalyAssignSchema = z.strictObject({
  assignee: z.string().trim().min(1, 'must not be empty').max(100),
  dueDate: LocalDateSchema.optional().describe('YYYY-MM-DD, a local date in the platform TIMEZONE: due by its end'),
});

/** The body of `POST /api/v1/anomalies/{id}/comments`. */
export const AnomalyCommentSchema = z.strictObject({ text: z.string().trim().min(1, 'must not be empty').max(2000) });

/** An anomaly's assignment as stored: the body, who assigned it and when. */
export type AnomalyAssignment = z.infer<typeof AnomalyAssignSchema> & { readonly by: string; readonly atMs: number };

/** A comment as stored: its text, who wrote it and when. */
export type AnomalyComment = z.infer<typeof AnomalyCommentSchema> & { readonly by: string; readonly atMs: number };

/**
 * Whether an anomaly is overdue on a local day `today` (YYYY-MM-DD): due before it and not resolved.
 * Due dates are local days, so they compare as text.
 */
export function isOverdue(a: Pick<AnomalyEvent, 'status' | 'assignment'>, today: string): boolean {
  const due = a.assignment?.dueDate;
  return due !== undefined && due < today && a.status !== 'resolved';
}

const StepViewSchema = z.object({ by: z.string(), comment: z.string(), at: z.string() });

/** An anomaly as the API answers it (`GET /api/v1/anomalies`, `…/{id}` and every change to one). */
export const AnomalyViewSchema = z.object({
  id: z.string(),
  type: z.string(),
  scope: z.string(),
  energy: z.string(),
  start: z.string(),
  end: z.string(),
  severity: z.enum(['low', 'medium', 'high']),
  evidence: z.record(z.string(), z.unknown()),
  wastedNative: z.number(),
  wastedKgce: z.number(),
  status: AnomalyStatusSchema,
  detectedAt: z.string(),
  acknowledged: StepViewSchema.nullable(),
  resolved: StepViewSchema.nullable(),
  assignee: z.string().nullable(),
  dueDate: z.string().nullable().describe('YYYY-MM-DD, local: due by its end'),
  assigned: z.object({ by: z.string(), at: z.string() }).nullable().describe('who assigned it, and when'),
  overdue: z.boolean().describe('due before today (local) and not resolved'),
  comments: z.array(z.object({ by: z.string(), at: z.string(), text: z.string() })),
});
export type AnomalyView = z.infer<typeof AnomalyViewSchema>;

/** The API's view of an anomaly on the local day `today` (YYYY-MM-DD), which decides `overdue`. */
export function anomalyView(a: AnomalyEvent, today: string): AnomalyView {
  const iso = (ms: number) => new Date(ms).toISOString();
  const step = (s: AnomalyStep | undefined) =>
    s === undefined ? null : { by: s.by, comment: s.comment, at: iso(s.atMs) };
  return {
    id: a.id,
    type: a.type,
    scope: a.scope,
    energy: a.energy,
    start: iso(a.startMs),
    end: iso(a.endMs),
    severity: a.severity,
    evidence: { ...a.evidence },
    wastedNative: a.wastedNative,
    wastedKgce: a.wastedKgce,
    status: a.status,
    detectedAt: iso(a.detectedAtMs),
    acknowledged: step(a.acknowledged),
    resolved: step(a.resolved),
    assignee: a.assignment?.assignee ?? null,
    dueDate: a.assignment?.dueDate ?? null,
    assigned: a.assignment === undefined ? null : { by: a.assignment.by, at: iso(a.assignment.atMs) },
    overdue: isOverdue(a, today),
    comments: (a.comments ?? []).map((c) => ({ by: c.by, at: iso(c.atMs), text: c.text })),
  };
}
