/** Answers of the target routes (api/routes/targets.ts). */
import { z } from 'zod';
import { QuotaTargetSchema, ReductionTargetSchema, TargetSchema } from '../../core/domain/targets.js';

/** `PUT /api/v1/targets`. */
export const TargetsSavedSchema = z.object({ saved: z.number().int() });

/** `GET /api/v1/targets`. */
export const TargetListSchema = z.object({ targets: z.array(TargetSchema) });

/** How a quota target stands: consumption to date, the forecast and the status. */
export const TargetProgressViewSchema = QuotaTargetSchema.safeExtend({
  from: z.string(),
  to: z.string(),
  toDate: z.number().describe("consumption from the period's start to now (or its end), in the target's unit"),
  share: z.number().describe('toDate / value'),
  forecast: z.number().describe("forecast for the period's end, in the target's unit"),
  forecastMonthEnd: z.number().optional().describe('forecast for the end of the current month'),
  method: z.enum(['actual', 'last-year', 'seasonal-shape', 'recent-rate', 'none']),
  status: z.enum(['on_track', 'at_risk', 'over']),
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
