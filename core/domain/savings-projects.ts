/**
 * Savings projects (issue 18, item 3): a retrofit or an energy-hosting contract whose savings are
 * measured against a weather-normalised baseline (IPMVP Option C, ASHRAE Guideline 14). The
 * request, the stored records and the answer, as zod schemas; types are derived from them.
 */
import { z } from 'zod';
import { EnergySchema } from './energy.js';

/** A local calendar date `YYYY-MM-DD`. */
const LocalDate = z.iso.date('expected a date YYYY-MM-DD');

/** The scope a project measures: one meter, one building or one institution. */
export const SavingsScopeSchema = z
  .string()
  .regex(/^(meter|building|institution):.+$/, 'expected meter:ID, building:ID or institution:ID');

/** The baseline model a project fits: CalTRACK daily (degree days) or hourly (TOWT). */
export const SavingsModelKindSchema = z.enum(['daily', 'hourly']);
export type SavingsModelKind = z.infer<typeof SavingsModelKindSchema>;

/** A project's fields; the periods are checked by `withPeriodChecks`. */
const ProjectFields = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'expected 1–100 letters, digits, ".", "_" or "-"')
    .describe('the project id, chosen by the caller'),
  name: z.string().trim().min(1).max(200),
  scope: SavingsScopeSchema,
  energy: EnergySchema,
  weatherStationId: z.string().min(1).max(100),
  baselineFrom: LocalDate,
  baselineTo: LocalDate.describe('exclusive'),
  reportingFrom: LocalDate,
  reportingTo: LocalDate.optional().describe('exclusive; default the start of today'),
  model: SavingsModelKindSchema,
});

/** The periods in order: the baseline ends before the reporting period starts, each `to` after its `from`. */
function withPeriodChecks<T extends z.ZodType<z.infer<typeof PeriodFields>>>(schema: T) {
  return schema.superRefine((p, ctx) => {
    if (p.baselineTo <= p.baselineFrom)
      ctx.addIssue({ code: 'custom', path: ['baselineTo'], message: 'must be after baselineFrom' });
    if (p.reportingFrom < p.baselineTo)
      ctx.addIssue({ code: 'custom', path: ['reportingFrom'], message: 'must not be before baselineTo' });
    if (p.reportingTo !== undefined && p.reportingTo <= p.reportingFrom)
      ctx.addIssue({ code: 'custom', path: ['reportingTo'], message: 'must be after reportingFrom' });
  });
}
const PeriodFields = ProjectFields.pick({
  baselineFrom: true,
  baselineTo: true,
  reportingFrom: true,
  reportingTo: true,
});

/** A project's definition as stored: the request with its weather station resolved. */
export const SavingsProjectDefinitionSchema = withPeriodChecks(ProjectFields);
export type SavingsProjectDefinition = z.infer<typeof SavingsProjectDefinitionSchema>;

/**
 * `POST /api/v1/savings-projects`. Periods are local dates, `from` inclusive and `to` exclusive
 * (like every range of the API); the baseline ends before the reporting period starts. Without
 * `reportingTo` the reporting period runs to the start of today. Without `weatherStationId` the
 * scope's station is taken (its building's, else its institution's: `scopeWeatherStation`).
 */
export const SavingsProjectInputSchema = withPeriodChecks(
  ProjectFields.extend({
    weatherStationId: ProjectFields.shape.weatherStationId
      .optional()
      .describe("default the scope's station (its building's, else its institution's)"),
  }),
);
export type SavingsProjectInput = z.infer<typeof SavingsProjectInputSchema>;

/**
 * A stored project: its definition, who created it and when. Editable (`PATCH`, audited): its
 * name and reporting end always; its baseline period, model, reporting start and station only
 * while it has no adjustments. Its id, scope and energy never.
 */
export const SavingsProjectSchema = SavingsProjectDefinitionSchema.and(
  z.object({ createdAt: z.iso.datetime(), createdBy: z.string() }),
);
export type SavingsProject = z.infer<typeof SavingsProjectSchema>;

/** The fields whose change refits the baseline: refused once a project has adjustments (they were made against it). */
export const BASELINE_FIELDS = ['baselineFrom', 'baselineTo', 'reportingFrom', 'model', 'weatherStationId'] as const;

/**
 * `PATCH /api/v1/savings-projects/{id}`: the fields to change (at least one); `reportingTo: null`
 * reopens the reporting period. Id, scope and energy cannot change (register a new project).
 */
export const SavingsProjectPatchSchema = z
  .strictObject({
    name: ProjectFields.shape.name.optional(),
    reportingTo: LocalDate.nullable().optional().describe('exclusive; null: runs to the start of today'),
    baselineFrom: LocalDate.optional(),
    baselineTo: LocalDate.optional(),
    reportingFrom: LocalDate.optional(),
    model: SavingsModelKindSchema.optional(),
    weatherStationId: ProjectFields.shape.weatherStationId.optional(),
  })
  .refine((p) => Object.keys(p).length > 0, { message: 'nothing to change' });
export type SavingsProjectPatch = z.infer<typeof SavingsProjectPatchSchema>;

/**
 * `POST /api/v1/savings-projects/{id}/adjustments`: a non-routine adjustment of the baseline
 * (IPMVP: a change the model does not see, e.g. a new wing). `constant`: `value` native units per
 * day (negative to take away); `percent`: `value` % of the modelled baseline (15 = +15 %). It holds
 * from `from` (inclusive) to `to` (exclusive, default the end of the reporting period).
 */
export const SavingsAdjustmentInputSchema = z
  .object({
    kind: z.enum(['constant', 'percent']),
    value: z.number().finite().min(-1e12).max(1e12),
    from: LocalDate,
    to: LocalDate.optional(),
    reason: z.string().trim().min(1).max(2000),
  })
  .superRefine((a, ctx) => {
    if (a.to !== undefined && a.to <= a.from)
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    if (a.kind === 'percent' && a.value <= -100)
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'a percentage must be above -100' });
  });
export type SavingsAdjustmentInput = z.infer<typeof SavingsAdjustmentInputSchema>;

/** A stored adjustment: numbered from 1 in the order they were added; never changed or removed. */
export const SavingsAdjustmentSchema = SavingsAdjustmentInputSchema.and(
  z.object({ n: z.number().int().positive(), createdAt: z.iso.datetime(), createdBy: z.string() }),
);
export type SavingsAdjustment = z.infer<typeof SavingsAdjustmentSchema>;

/** A figure that may not exist (NaN or infinite in the arithmetic): null on the wire. */
const Num = z.number().nullable();

/** Steps (days or hours) of a period: used, and left out with the reason. */
export const StepCountsSchema = z.object({
  used: z.number().int(),
  /** No temperature (or too few hours of it, for a day). */
  missingTemperature: z.number().int(),
  /** Consumption not complete: a meter-hour missing, estimated (spread over a gap) or suspect. */
  incompleteConsumption: z.number().int(),
  /** The hourly model cannot predict it (an hour of the week the baseline never saw). */
  unpredictable: z.number().int(),
});
export type StepCounts = z.infer<typeof StepCountsSchema>;

/** One local month of the reporting period, in native units over the steps used. */
export const SavingsMonthSchema = z.object({
  month: z.string().describe('YYYY-MM, local'),
  baseline: Num.describe('adjusted baseline: the model under the actual weather, plus adjustments'),
  actual: Num,
  savings: Num,
  steps: z.number().int(),
});
export type SavingsMonth = z.infer<typeof SavingsMonthSchema>;

/** Savings in other units: null where the platform has no conversion. */
export const SavingsConvertedSchema = z.object({
  kgce: Num,
  kgco2: Num,
  yuan: Num,
});

/** An adjustment as applied: its amount over the steps used. */
export const AppliedAdjustmentSchema = SavingsAdjustmentSchema.and(
  z.object({ appliedAmount: z.number(), appliedSteps: z.number().int() }),
);

/** `GET /api/v1/savings-projects/{id}`: the project computed from the stored data on request. */
export const SavingsAnswerSchema = z.object({
  project: SavingsProjectSchema,
  unit: z.string().describe('native unit of the energy'),
  timeZone: z.string(),
  model: z.object({
    type: SavingsModelKindSchema,
    form: z.string().describe('the fitted shape, e.g. "hdd-only, bH 15.6 °C"'),
    fit: z.object({ r2: Num, cvrmse: Num, nmbe: Num, meetsAshrae14: z.boolean(), n: z.number().int() }),
    acceptance: z.object({ basis: z.string(), reasons: z.array(z.string()) }),
    baselineSteps: StepCountsSchema,
  }),
  reporting: z.object({
    from: z.string(),
    to: z.string(),
    baseline: Num,
    actual: Num,
    savings: Num,
    savingsPct: Num,
    fsu90: Num.describe('fractional savings uncertainty at 90 % (ASHRAE 14), a fraction'),
    uncertainty90: Num.describe('± native units at 90 %'),
    significant: z.boolean(),
    steps: StepCountsSchema,
    savingsConverted: SavingsConvertedSchema,
  }),
  months: z.array(SavingsMonthSchema),
  adjustments: z.array(AppliedAdjustmentSchema),
  conversions: z.object({
    kgce: z.string().describe('coefficient table and factor'),
    kgco2: z.string().nullable(),
    yuan: z.string().nullable(),
  }),
});
export type SavingsAnswer = z.infer<typeof SavingsAnswerSchema>;
