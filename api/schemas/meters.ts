/** Answers of the meter routes: raw readings, corrections and lifecycle events. */
import { z } from 'zod';
import { MeterEventInputSchema } from '../../core/domain/meter-events.js';

/** A raw reading as stored, with its invalidation when an officer marked it invalid. */
export const ReadingViewSchema = z.object({
  ts: z.string().describe('timestamp of the reading, ISO 8601 UTC'),
  value: z.number(),
  gatewayId: z.string(),
  receivedAt: z.string(),
  invalid: z
    .object({ reason: z.string(), by: z.string(), at: z.string() })
    .optional()
    .describe('set when an officer marked it invalid'),
});

/** `GET /api/v1/meters/{id}/readings`. */
export const ReadingsAnswerSchema = z.object({
  meter: z.string(),
  unit: z.string(),
  readings: z.array(ReadingViewSchema),
});

/** `POST /api/v1/meters/{id}/corrections`: the reading marked invalid. */
export const CorrectionAnswerSchema = z.object({
  meter: z.string(),
  ts: z.string(),
  value: z.number(),
  action: z.literal('invalidate'),
  reason: z.string(),
  by: z.string(),
  at: z.string(),
});

const recorded = {
  id: z.string(),
  meterId: z.string(),
  ts: z.string().describe('ISO 8601 UTC'),
  createdAt: z.string(),
  createdBy: z.string(),
};
const [replace, multiplier, decommission, move, parent] = MeterEventInputSchema.options;

/** A meter's lifecycle event as answered: its input with an id, its time in ISO 8601 and who recorded it. */
export const MeterEventViewSchema = z.discriminatedUnion('type', [
  replace.extend(recorded),
  multiplier.extend(recorded),
  decommission.extend(recorded),
  move.extend(recorded),
  parent.extend(recorded),
]);

/** `GET /api/v1/meters/{id}/events`. */
export const MeterEventsAnswerSchema = z.object({ meter: z.string(), events: z.array(MeterEventViewSchema) });

/** `POST /api/v1/meters/{id}/manual-readings`: what was entered and stored. */
export const ManualEntryAnswerSchema = z.object({
  meter: z.string(),
  kind: z.enum(['readings', 'amounts']),
  unit: z.string().describe("the meter's unit, in which values and amounts are"),
  enteredBy: z.string().describe('name of the token that entered them'),
  receivedAt: z.string().describe('when they were received, ISO 8601 (UTC)'),
  stored: z.number().int().describe('readings new to the store'),
  duplicates: z.number().int().describe('readings stored before with the same value (an entry sent again)'),
  readings: z
    .array(z.object({ ts: z.string(), value: z.number() }))
    .describe('the register readings stored; for deliveries, the register built from them'),
});
