/** The answer of `GET /api/v1/consumption` (api/routes/consumption.ts; consumption-cost.ts for `unit=yuan`). */
import { z } from 'zod';
import { FactorsUsedSchema } from '../../core/domain/carbon-series.js';
import { ComparisonSchema } from '../../core/domain/comparison.js';
import { EnergySchema } from '../../core/domain/energy.js';
import { NormalYearAnswerSchema } from '../../core/domain/weather-normalized.js';

/** The calendar buckets an answer is cut into. */
export const IntervalSchema = z.enum(['hour', 'day', 'month', 'year']);

/** One bucket of a consumption or cost series. */
export const SeriesPointSchema = z.object({
  start: z.string().describe('start of the bucket, local ISO 8601 with offset'),
  value: z.number(),
  estimatedShare: z.number().optional().describe('share of the value that is estimated (gap-filled)'),
  completeness: z.number().optional().describe('readings received / expected'),
  quality: z.enum(['good', 'estimated', 'suspect', 'missing']).optional(),
  billed: z.number().optional().describe('unit=yuan: the yuan of the value that come from bills'),
  tariffed: z.number().optional().describe('unit=yuan: the yuan of the value that come from tariffs'),
});

/** `unit=yuan`: a meter's hours with consumption that neither a bill nor a tariff prices (costed 0). */
export const UncostedSchema = z.object({
  meterId: z.string(),
  energy: EnergySchema,
  hours: z.number(),
  quantity: z.number().describe('their consumption, in the native unit'),
});

/** `GET /api/v1/consumption`: a scope's consumption (or cost) by calendar bucket. */
export const ConsumptionAnswerSchema = z.object({
  scope: z.string(),
  energy: z.union([EnergySchema, z.literal('all')]),
  unit: z.string().describe('native unit, kgce, kgco2, kgce_ev or yuan; /m2 or /capita with per'),
  interval: IntervalSchema,
  timezone: z.string(),
  from: z.string(),
  to: z.string(),
  subItem: z.string().optional(),
  coefficients: z.string().optional().describe('unit=kgce: the 当量值 coefficient table used'),
  factors: FactorsUsedSchema.optional().describe('unit=kgco2 and kgce_ev: the factor tables, years and regions used'),
  note: z.string().optional(),
  series: z.array(SeriesPointSchema),
  total: z.number(),
  billed: z.number().optional().describe('unit=yuan: yuan from bills'),
  tariffed: z.number().optional().describe('unit=yuan: yuan from tariffs'),
  bills: z.array(z.string()).optional().describe('unit=yuan: ids of the bills used'),
  tariffs: z.array(z.string()).optional().describe('unit=yuan: ids of the tariffs used'),
  uncosted: z.array(UncostedSchema).optional().describe('unit=yuan: what neither bills nor tariffs priced'),
  comparison: ComparisonSchema.optional().describe('compare=…: the compared period, point i beside point i'),
  normalYear: NormalYearAnswerSchema.optional().describe(
    "normalize=normal: this period's use under a normal year's weather from its own model (issue 18, item 4)",
  ),
});
