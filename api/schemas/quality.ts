/** The answer of `GET /api/v1/quality` (api/routes/quality.ts). */
import { z } from 'zod';
import { EnergySchema } from '../../core/domain/energy.js';

/** A meter's data quality over a month. */
export const MeterQualitySchema = z.object({
  meterId: z.string(),
  institutionId: z.string(),
  energy: EnergySchema,
  expected: z.number().describe('readings expected from its interval and lifecycle'),
  received: z.number(),
  completeness: z.number().describe('received / expected'),
  estimatedShare: z.number().describe('share of its consumption that is estimated'),
  hours: z.object({ good: z.number(), estimated: z.number(), suspect: z.number(), missing: z.number() }),
});

/** An institution's data quality over a month. */
export const InstitutionQualitySchema = z.object({
  institutionId: z.string(),
  meters: z.number(),
  expected: z.number(),
  received: z.number(),
  completeness: z.number(),
});

/** `GET /api/v1/quality`. */
export const QualityAnswerSchema = z.object({
  month: z.string(),
  scope: z.string(),
  from: z.string(),
  to: z.string(),
  threshold: z.number().describe('completeness below which a meter is listed in below'),
  meters: z.array(MeterQualitySchema),
  institutions: z.array(InstitutionQualitySchema),
  below: z.array(z.string()).describe('meters below the threshold'),
});
