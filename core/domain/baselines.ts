/**
 * Stored baselines (issue 18, "Speed" and item 4): the model each meter's consumption follows
 * under its weather station's temperatures, fitted by the `fit-baselines` batch job on its last 12
 * months and kept with its coefficients, fit statistics and ASHRAE Guideline 14 verdict, so that
 * the `weather_baseline` detector and the page use it without refitting. A scope the job could not
 * fit is stored too, with the reason. Amounts are the energy's native unit; the coefficient names
 * say `Kwh` as core/mv's models do.
 */
import { z } from 'zod';
import { EnergySchema } from './energy.js';
import { SavingsModelKindSchema } from './savings-projects.js';

/** A figure that may not exist (NaN or infinite in the arithmetic): null on the wire. */
const Num = z.number().nullable();

/** The daily model's kind, as stored and asked for: CalTRACK daily or hourly TOWT. */
export const BaselineModelKindSchema = SavingsModelKindSchema;
export type BaselineModelKind = z.infer<typeof BaselineModelKindSchema>;

/** A CalTRACK daily model's coefficients (core/mv/daily-model.ts): kWh per day, kWh per °C·d, °C. */
export const DailyCoefficientsSchema = z.object({
  kind: z.literal('daily'),
  type: z.enum(['intercept-only', 'hdd-only', 'cdd-only', 'hdd-cdd']),
  interceptKwh: z.number(),
  heatingBalanceC: z.number().optional(),
  heatingKwhPerDegreeDay: z.number().optional(),
  coolingBalanceC: z.number().optional(),
  coolingKwhPerDegreeDay: z.number().optional(),
  adjustedR2: Num,
});
export type DailyCoefficients = z.infer<typeof DailyCoefficientsSchema>;

/** One segment of a TOWT model (core/mv/hourly-model.ts); an hour of the week never seen is null. */
export const HourlySegmentSchema = z.object({
  month: z.number().int().min(1).max(12).nullable(),
  occupied: z.array(z.boolean()),
  occupiedEndpointsC: z.array(z.number()),
  unoccupiedEndpointsC: z.array(z.number()),
  timeOfWeekKwh: z.array(Num),
  occupiedSlopes: z.array(z.number()),
  unoccupiedSlopes: z.array(z.number()),
});

/** A TOWT model's coefficients: its clock, segmentation and segments. */
export const HourlyCoefficientsSchema = z.object({
  kind: z.literal('hourly'),
  timeZone: z.string(),
  segmentation: z.enum(['single', 'three-month-weighted']),
  effectiveParameters: z.number(),
  segments: z.array(HourlySegmentSchema),
});
export type HourlyCoefficients = z.infer<typeof HourlyCoefficientsSchema>;

/** The in-sample fit: ASHRAE Guideline 14's statistics and verdict. */
export const StoredFitSchema = z.object({
  r2: Num,
  cvrmse: Num.describe('a fraction'),
  nmbe: Num.describe('a fraction'),
  rmse: Num.describe('native units per step (day or hour): the residual spread, √(SSE / (n − p))'),
  n: z.number().int(),
  parameterCount: z.number(),
  lag1Autocorrelation: Num,
  meetsAshrae14: z.boolean(),
  acceptance: z.object({ basis: z.string(), reasons: z.array(z.string()) }),
});
export type StoredFit = z.infer<typeof StoredFitSchema>;

/** Why the job stored no model for a scope. */
export const BaselineFailureCodeSchema = z.enum([
  /** Neither the meter's building nor its institution names a weather station. */
  'no_weather_station',
  /** The station has no usable day (or hour) of temperatures in the period. */
  'no_weather',
  /** Fewer usable steps (consumption complete and a temperature) than a model needs. */
  'insufficient_data',
  /** Reading the scope's consumption or weather failed. */
  'read_failed',
  /** The fit itself failed. */
  'fit_failed',
]);
export type BaselineFailureCode = z.infer<typeof BaselineFailureCodeSchema>;

/** Steps (days or hours) of the period: how many, used, and left out by reason (a step may lack both). */
export const BaselineStepsSchema = z.object({
  period: z.number().int(),
  used: z.number().int(),
  missingTemperature: z.number().int(),
  incompleteConsumption: z.number().int(),
});
export type BaselineSteps = z.infer<typeof BaselineStepsSchema>;

/** A baseline as the job stores it: one per scope and model kind, replaced by the next fit. */
export const StoredBaselineSchema = z.object({
  scope: z.string().describe('meter:ID'),
  model: BaselineModelKindSchema,
  energy: EnergySchema,
  weatherStationId: z.string().nullable(),
  from: z.iso.date().describe('local date, inclusive'),
  to: z.iso.date().describe('local date, exclusive'),
  fittedAt: z.iso.datetime(),
  status: z.enum(['ok', 'failed']),
  failure: z.object({ code: BaselineFailureCodeSchema, message: z.string() }).optional(),
  steps: BaselineStepsSchema,
  /** CalTRACK data sufficiency: at most 10 % of the period's steps missing. */
  sufficient: z.boolean(),
  form: z.string().optional().describe('the fitted shape, e.g. "hdd-only, bH 15.6 °C"'),
  fit: StoredFitSchema.optional(),
  coefficients: z.discriminatedUnion('kind', [DailyCoefficientsSchema, HourlyCoefficientsSchema]).optional(),
});
export type StoredBaseline = z.infer<typeof StoredBaselineSchema>;

/** What `GET /api/v1/baselines` answers of a stored baseline: an hourly model's segments are only counted. */
export const BaselineSummarySchema = StoredBaselineSchema.omit({ coefficients: true }).extend({
  coefficients: z
    .discriminatedUnion('kind', [
      DailyCoefficientsSchema,
      HourlyCoefficientsSchema.omit({ segments: true }).extend({ segmentCount: z.number().int() }),
    ])
    .optional(),
});
export type BaselineSummary = z.infer<typeof BaselineSummarySchema>;

/** A stored baseline for the wire: an hourly model's segments replaced by their count. */
export function baselineSummary(b: StoredBaseline): BaselineSummary {
  const { coefficients, ...rest } = b;
  if (coefficients === undefined || coefficients.kind === 'daily')
    return { ...rest, ...(coefficients === undefined ? {} : { coefficients }) };
  const { segments, ...hourly } = coefficients;
  return { ...rest, coefficients: { ...hourly, segmentCount: segments.length } };
}

/** Which stored baselines to list: of these scopes (`meter:ID`), of one model kind; all when unset. */
export interface BaselineFilter {
  readonly scopes?: readonly string[];
  readonly model?: BaselineModelKind;
}
