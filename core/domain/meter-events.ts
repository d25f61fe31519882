import { z } from 'zod';
import { TimestampSchema } from './reading.js';
import { IdSchema } from './registry.js';

/**
 * Lifecycle events of a meter (DOMAIN.md, "Meters are registers"): a replacement (换表) closes the
 * old register at `oldFinal` and opens the new one at `newInitial`, which is never consumption; a
 * multiplier change applies from its instant; a decommission ends the meter's readings; a move or
 * a parent change re-attributes the hours starting at or after its instant (the registry keeps
 * where the meter was before, `attribution`). History is never rewritten: every such change is a
 * dated event (issue "The meter model").
 */
export const MeterEventInputSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('replace'),
    ts: TimestampSchema,
    oldFinal: z.number().finite().nonnegative(),
    newInitial: z.number().finite().nonnegative(),
  }),
  z.object({
    type: z.literal('multiplier'),
    ts: TimestampSchema,
    multiplier: z.number().finite().positive('must be > 0'),
  }),
  z.object({ type: z.literal('decommission'), ts: TimestampSchema }),
  /** The meter moves to another building: the hours starting before `ts` stay with the old one. */
  z.object({ type: z.literal('move'), ts: TimestampSchema, buildingId: IdSchema }),
  /** The meter is put under another parent (`null`: it becomes a main meter) from `ts`. */
  z.object({ type: z.literal('parent'), ts: TimestampSchema, parentId: IdSchema.nullable() }),
]);
export type MeterEventInput = z.infer<typeof MeterEventInputSchema>;

/** A stored lifecycle event, with who recorded it and when. */
export type MeterEvent = MeterEventInput & {
  readonly id: string;
  readonly meterId: string;
  readonly createdAtMs: number;
  readonly createdBy: string;
};

/** Problems that make a new event contradict the meter's existing ones; empty when it fits. */
export function eventConflicts(existing: readonly MeterEventInput[], next: MeterEventInput): string[] {
  const problems: string[] = [];
  const decommission = existing.find((e) => e.type === 'decommission');
  if (decommission !== undefined && next.ts >= decommission.ts) {
    problems.push('ts: the meter is decommissioned at or before this instant');
  }
  if (next.type === 'decommission' && decommission !== undefined)
    problems.push('type: the meter is already decommissioned');
  if (next.type === 'decommission' && existing.some((e) => e.ts > next.ts)) {
    problems.push('ts: later events exist; a decommission must be the last event');
  }
  if (existing.some((e) => e.type === next.type && e.ts === next.ts)) {
    problems.push(`ts: a ${next.type} event at this instant already exists`);
  }
  return problems;
}

/** Multiplier in force at an instant: the last multiplier event at or before it, else the meter's own. */
export function multiplierAt(base: number, events: readonly MeterEventInput[], tsMs: number): number {
  let m = base;
  let at = Number.NEGATIVE_INFINITY;
  for (const e of events) {
    if (e.type === 'multiplier' && e.ts <= tsMs && e.ts >= at) {
      m = e.multiplier;
      at = e.ts;
    }
  }
  return m;
}
