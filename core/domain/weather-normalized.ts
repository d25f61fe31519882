/**
 * Weather-normalised comparisons (issue 18, item 4): `GET /api/v1/consumption?…&compare=…&
 * normalize=weather` answers, beside the raw comparison, what the compared period's scope would
 * have used under this period's weather — a CalTRACK daily model fitted on the compared period's
 * days, predicted on this period's days — so that a cold year and a mild one compare like with like.
 */
import { z } from 'zod';

/** The `normalize` query parameter. */
export const NormalizeSchema = z
  .enum(['weather', 'normal'])
  .describe(
    "weather (with compare, one energy, unit=native): adds comparison.normalized (a meter, building or institution with a weather station) or comparison.normalizedSum (a district or the city, per institution); normal (one energy, unit=native): adds normalYear, this period's use under a normal year's weather from its own model",
  );
/** A value of `normalize`. */
export type Normalize = z.infer<typeof NormalizeSchema>;

/** Why a normalised figure could not be given: the raw comparison stands, the normalised one is withheld. */
export const NORMALIZE_REFUSALS = [
  /** The compared period has fewer usable days (complete consumption and a temperature) than a model needs. */
  'JN_NORMALIZE_TOO_FEW_DAYS',
  /** The model fitted misses the daily acceptance limits (CalTRACK 2.0 §4.3.2.1 CV(RMSE), |NMBE|). */
  'JN_NORMALIZE_FIT_UNACCEPTABLE',
  /** No day of this period has both complete consumption and a temperature: nothing to compare. */
  'JN_NORMALIZE_NO_CURRENT_DAYS',
  /** The institution (of a district or the city) has no weather station, or its buildings have several. */
  'JN_NORMALIZE_NO_STATION',
  /** The station holds too few full years for a normal year (`normal-year.ts`). */
  'JN_NORMALIZE_NO_NORMAL_YEAR',
] as const;
/** A reason a normalised figure is withheld. */
export type NormalizeRefusal = (typeof NORMALIZE_REFUSALS)[number];

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

/** Days of a period whose use is put under reference weather: as `NormalizedDaysSchema`, plus the days the reference lacks. */
export const ReferenceDaysSchema = NormalizedDaysSchema.extend({
  unpredictable: z
    .number()
    .int()
    .describe('used days whose calendar day has no temperature in the reference weather: left out of both sides'),
});

const ReferenceShared = {
  method: z.string(),
  weatherStationId: z.string(),
  reference: z.string().describe("normal (a normal year) or YYYY (that year's weather on the same calendar days)"),
  referenceYears: z.array(z.number().int()).describe('the full years the reference weather is made of'),
  days: ReferenceDaysSchema,
};

/**
 * One scope's use under reference weather (a normal year, or another year's), from the model of
 * its own period: `total` the model's prediction under the reference weather over the used days,
 * `current` the use on the very same days, `adjustment` total − current (add it to a raw figure to
 * normalise it), `change` (current − total) / total (positive: the weather made it use more).
 */
export const ReferenceFigureSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('normalized'),
    ...ReferenceShared,
    model: NormalizedModelSchema,
    total: z.number().describe('the use under the reference weather over the used days'),
    current: z.number().describe('the use over the same days'),
    adjustment: z.number().describe('total − current'),
    change: z.number().nullable().describe('(current − total) / total; null when total is 0'),
  }),
  z.object({
    status: z.literal('refused'),
    ...ReferenceShared,
    code: z.enum(NORMALIZE_REFUSALS),
    reason: z.string(),
    model: NormalizedModelSchema.nullable(),
  }),
]);
export type ReferenceFigure = z.infer<typeof ReferenceFigureSchema>;

/** An institution of a district or the city whose figure could not be normalised, and why. */
export const NotNormalizedSchema = z.object({
  institutionId: z.string(),
  weatherStationId: z.string().nullable(),
  code: z.enum(NORMALIZE_REFUSALS),
  reason: z.string(),
});
export type NotNormalized = z.infer<typeof NotNormalizedSchema>;

/**
 * A district's or the city's normalised figure: each institution with its own model and station,
 * summed (exact, rounded once) over the institutions that could be normalised; the others are
 * counted and listed, and left out of both `total` and `current` so that they compare like with like.
 */
export const ScopeNormalizedSumSchema = z.object({
  status: z.literal('summed'),
  method: z.string(),
  reference: z
    .string()
    .describe("compared (the compared period's models under this period's weather), normal, or YYYY"),
  total: z.number().describe("Σ of the normalised institutions' reference figures"),
  current: z.number().describe("Σ of the same institutions' use over the same days"),
  change: z.number().nullable().describe('(current − total) / total; null when total is 0'),
  institutions: z.object({
    count: z.number().int().describe('institutions of the scope with a meter of the energy'),
    normalized: z.number().int(),
    notNormalized: z.array(NotNormalizedSchema),
  }),
});
export type ScopeNormalizedSum = z.infer<typeof ScopeNormalizedSumSchema>;

/** `normalYear` of `/consumption?normalize=normal`: one scope's figure, or a district's or the city's sum. */
export const NormalYearAnswerSchema = z.union([ReferenceFigureSchema, ScopeNormalizedSumSchema]);
export type NormalYearAnswer = z.infer<typeof NormalYearAnswerSchema>;
