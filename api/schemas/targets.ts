/** Answers of the target routes (api/routes/targets.ts). */
import { z } from 'zod';
import { EnergySchema } from '../../core/domain/energy.js';
import { QuotaTargetSchema, ReductionTargetSchema, TargetSchema } from '../../core/domain/targets.js';
import { NotNormalizedSchema } from '../../core/domain/weather-normalized.js';

/** `PUT /api/v1/targets`. */
export const TargetsSavedSchema = z.object({ saved: z.number().int() });

/** `GET /api/v1/targets`. */
export const TargetListSchema = z.object({ targets: z.array(TargetSchema) });

const TargetStatusSchema = z.enum(['on_track', 'at_risk', 'over']);

/**
 * `normalize=normal|base`: the year to date under reference weather (issue 18, item 4), each
 * institution of the scope and each energy with its own model; those not normalised keep their
 * raw figure (adjustment 0) and are listed.
 */
export const TargetNormalizedSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('normalized'),
    reference: z.string().describe("normal (a normal year's weather) or YYYY (the year before the target's)"),
    through: z.string().describe('local midnight up to which whole days were modelled (exclusive)'),
    toDate: z.number().describe('toDate + adjustment'),
    share: z.number().describe('normalised toDate / value'),
    adjustment: z
      .number()
      .describe("Σ over institutions and energies of (use under the reference weather − use), in the target's unit"),
    forecast: z.number().describe('forecast + the adjustment (over the whole period for an intensity)'),
    targetStatus: TargetStatusSchema.describe('the status of the normalised figures'),
    institutions: z.object({
      count: z.number().int().describe('institution-energies of the scope with a meter'),
      normalized: z.number().int(),
      notNormalized: z.array(NotNormalizedSchema.extend({ energy: EnergySchema })),
    }),
  }),
  z.object({ status: z.literal('refused'), reference: z.string(), reason: z.string() }),
]);

/** How a quota target stands: consumption to date, the forecast and the status. */
export const TargetProgressViewSchema = QuotaTargetSchema.safeExtend({
  from: z.string(),
  to: z.string(),
  toDate: z.number().describe("consumption from the period's start to now (or its end), in the target's unit"),
  share: z.number().describe('toDate / value'),
  forecast: z.number().describe("forecast for the period's end, in the target's unit"),
  forecastMonthEnd: z.number().optional().describe('forecast for the end of the current month'),
  method: z.enum(['actual', 'last-year', 'seasonal-shape', 'recent-rate', 'none']),
  status: TargetStatusSchema,
  normalized: TargetNormalizedSchema.optional().describe(
    'normalize=normal|base: the year to date under reference weather',
  ),
});

/** A year of a five-year reduction target. */
export const ReductionYearSchema = z.object({
  year: z.number(),
  value: z.number().nullable().describe("the year's intensity in the target's unit; null without data"),
  reductionPct: z.number().nullable().describe('(base − value) / base in %'),
  pathPct: z.number().describe('the reduction the linear path expects by the end of the year, in %'),
  partial: z.boolean().describe('the year is not over: its value is to date'),
});

/** How a five-year reduction target stands (issue 16, item 6). */
export const ReductionProgressSchema = ReductionTargetSchema.safeExtend({
  base: z.object({ year: z.number(), value: z.number().nullable(), partial: z.boolean() }),
  targetValue: z.number().nullable().describe('base × (1 − reductionPct / 100)'),
  years: z.array(ReductionYearSchema).readonly(),
  reductionSoFarPct: z.number().nullable(),
  asOfYear: z.number().nullable(),
  status: z.enum(['on_track', 'at_risk', 'off_track', 'no_data']),
});

/** `GET /api/v1/targets/progress`. */
export const TargetsProgressSchema = z.object({
  scope: z.string(),
  year: z.string(),
  progress: z.array(TargetProgressViewSchema),
  reductions: z.array(ReductionProgressSchema),
});
