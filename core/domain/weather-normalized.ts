/**
 * Weather-normalised comparisons (issue 18, item 4): `GET /api/v1/consumption?…&compare=…&
 * normalize=weather` answers, beside the raw comparison, what the compared period's scope would
 * have used under this period's weather — a CalTRACK daily model fitted on the compared period's
 * days, predicted on this period's days — so that a cold year and a mild one compare like with like.
 */
import { z } from 'zod';

/** The `normalize` query parameter: only `weather` for now. */
export const NormalizeSchema = z
  .enum(['weather'])
  .describe(
    'weather (with compare, one energy, unit=native, a meter, building or institution with a weather station): adds comparison.normalized',
  );

/** Why a normalised figure could not be given: the raw comparison stands, the normalised one is withheld. */
export const NORMALIZE_REFUSALS = [
  /** The compared period has fewer usable days (complete consumption and a temperature) than a model needs. */
  'JN_NORMALIZE_TOO_FEW_DAYS',
  /** The model fitted misses the daily acceptance limits (CalTRACK 2.0 §4.3.2.1 CV(RMSE), |NMBE|). */
  'JN_NORMALIZE_FIT_UNACCEPTABLE',
  /** No day of this period has both complete consumption and a temperature: nothing to compare. */
  'JN_NORMALIZE_NO_CURRENT_DAYS',
] as const;

/** A period's local days: how many, how many were used, and why the others were not (a day may lack both). */
export const NormalizedDaysSchema = z.object({
  days: z.number().int().describe('local days in the period'),
  used: z.number().int().describe('days with complete consumption and a temperature'),
  missingTemperature: z.number().int().describe('days whose hours have a temperature for less than 90 %'),
  incompleteConsumption: z
    .number()
    .int()
    .describe('days with an hour missing, estimated or suspect for a meter expected to report'),
});
export type NormalizedDays = z.infer<typeof NormalizedDaysSchema>;

/** The model fitted on the compared period's days. */
export const NormalizedModelSchema = z.object({
  type: z.enum(['intercept-only', 'hdd-only', 'cdd-only', 'hdd-cdd']),
  form: z.string().describe('the shape and balance points, e.g. "hdd-only, bH 15.6 °C"'),
  fit: z.object({
    r2: z.number().nullable(),
    cvrmse: z.number().nullable().describe('CV(RMSE) of the in-sample daily fit, a fraction'),
    nmbe: z.number().nullable().describe('NMBE of the in-sample daily fit, a fraction'),
    n: z.number().int().describe('days fitted'),
    acceptable: z.boolean().describe('within the daily limits (basis)'),
    basis: z.string(),
    reasons: z.array(z.string()).describe('the limits missed; empty when acceptable'),
  }),
});
export type NormalizedModel = z.infer<typeof NormalizedModelSchema>;

/** One bucket of this period: the compared scope under this bucket's weather, beside this bucket's use, on the same days. */
export const NormalizedPointSchema = z.object({
  start: z.string().describe('start of this bucket of the current period (local ISO 8601)'),
  value: z.number().nullable().describe("the model's prediction over the bucket's used days; null when none"),
  current: z.number().nullable().describe("this period's consumption over the same days; null when none"),
  change: z.number().nullable().describe('(current − value) / value; null when value is 0 or null'),
  days: z.number().int().describe('days of the bucket used'),
});

const Shared = {
  method: z.string(),
  weatherStationId: z.string(),
  comparedDays: NormalizedDaysSchema.describe('the compared period: the days the model is fitted on'),
  currentDays: NormalizedDaysSchema.describe('this period: the days predicted and compared'),
};

/**
 * `comparison.normalized`: the normalised figure, or the reason it is withheld. `total` is the
 * model's prediction over this period's used days, `current` this period's consumption over the
 * very same days (not the answer's `total`, which counts every day), `change` the one against the other.
 */
export const NormalizedComparisonSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('normalized'),
    ...Shared,
    model: NormalizedModelSchema,
    total: z.number().describe("what the compared period's scope would have used under this period's weather"),
    current: z.number().describe("this period's consumption over the same days"),
    change: z.number().nullable().describe('(current − total) / total; null when total is 0'),
    series: z
      .array(NormalizedPointSchema)
      .optional()
      .describe("by this period's buckets; absent for interval=hour (the model is daily)"),
  }),
  z.object({
    status: z.literal('refused'),
    ...Shared,
    code: z.enum(NORMALIZE_REFUSALS),
    reason: z.string(),
    model: NormalizedModelSchema.nullable().describe('the model when one was fitted'),
  }),
]);
export type NormalizedComparison = z.infer<typeof NormalizedComparisonSchema>;
