import { z } from 'zod';

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
}

/** The id of an anomaly: stable for the same type, scope and start, so detection is idempotent. */
export function anomalyId(type: string, scope: string, startMs: number): string {
  let h = 0x811c9dc5;
  for (const ch of `${type}|${scope}|${startMs}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return `an-${type}-${startMs.toString(36)}-${h.toString(36)}`;
}

/** The body of `POST /api/v1/anomalies/{id}/ack` and `/resolve`. */
export const AnomalyActionSchema = z.object({ comment: z.string().trim().max(2000).default('') });
