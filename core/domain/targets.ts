import { z } from 'zod';
import type { CarbonUnit } from './carbon-series.js';
import { ENERGY_INFO, EnergySchema } from './energy.js';

/** A period: a year `YYYY` or a month `YYYY-MM`. */
export const PeriodSchema = z.string().regex(/^\d{4}(-(0[1-9]|1[0-2]))?$/, 'expected YYYY or YYYY-MM');

const unitIssue = (energy: Target['energy'], unit: string) => {
  const native = energy === 'all' ? 'kgce' : `${ENERGY_INFO[energy].nativeUnit}, kgce`;
  return `"${unit}" does not fit ${energy}: use ${native}, kgce_ev or kgco2 (not water), optionally /m2 or /capita`;
};

/**
 * A consumption target (quota) of a scope for a year or a month, in the energy's native unit, in
 * kgce, or as an intensity (`kWh/m2`, `kWh/capita`, `kgce/m2`, …). `energy: "all"` sums every
 * energy type but water, in kgce. `kind` is `quota` when absent (targets set before issue 16).
 */
export const QuotaTargetSchema = z
  .object({
    scope: z.string().min(1),
    energy: z.union([EnergySchema, z.literal('all')]),
    kind: z.literal('quota').optional(),
    period: PeriodSchema,
    value: z.number().finite().nonnegative('must be ≥ 0'),
    unit: z.string().min(1),
    baseYear: z.undefined({ error: 'only for kind "reduction"' }).optional(),
    reductionPct: z.undefined({ error: 'only for kind "reduction"' }).optional(),
  })
  .superRefine((t, ctx) => {
    if (parseTargetUnit(t.energy, t.unit) === undefined)
      ctx.addIssue({ code: 'custom', path: ['unit'], message: unitIssue(t.energy, t.unit) });
  });
/** A quota target. */
export type QuotaTarget = z.infer<typeof QuotaTargetSchema>;

/**
 * A five-year target (issue 16, item 6): an intensity of the target year `period` at least
 * `reductionPct` % below the base year's, e.g. −5 % kgce/m² in 2025 against 2020 (DOMAIN.md, "The
 * statutory year"). Its value follows from the data: base year's value × (1 − reductionPct / 100).
 */
export const ReductionTargetSchema = z
  .object({
    scope: z.string().min(1),
    energy: z.union([EnergySchema, z.literal('all')]),
    kind: z.literal('reduction'),
    baseYear: z.number().int('expected a year').min(2000, 'expected a year ≥ 2000'),
    period: z.string().regex(/^\d{4}$/, 'expected the target year YYYY'),
    reductionPct: z.number().gt(0, 'must be > 0').lt(100, 'must be < 100'),
    unit: z.string().min(1),
    value: z.undefined({ error: 'not given for a reduction target: base value × (1 − reductionPct / 100)' }).optional(),
  })
  .superRefine((t, ctx) => {
    const unit = parseTargetUnit(t.energy, t.unit);
    if (unit === undefined) ctx.addIssue({ code: 'custom', path: ['unit'], message: unitIssue(t.energy, t.unit) });
    else if (unit.per === undefined)
      ctx.addIssue({ code: 'custom', path: ['unit'], message: 'a reduction target is an intensity: /m2 or /capita' });
    if (t.baseYear >= Number(t.period))
      ctx.addIssue({ code: 'custom', path: ['baseYear'], message: `must be before the target year ${t.period}` });
  });
/** A reduction target. */
export type ReductionTarget = z.infer<typeof ReductionTargetSchema>;

/** A target: a quota (the default) or a reduction against a base year. */
export const TargetSchema = z.discriminatedUnion('kind', [QuotaTargetSchema, ReductionTargetSchema]);
export type Target = z.infer<typeof TargetSchema>;

/** True for a quota target (`kind` absent or `quota`). */
export function isQuotaTarget(t: Target): t is QuotaTarget {
  return t.kind !== 'reduction';
}

/** True for a reduction target. */
export function isReductionTarget(t: Target): t is ReductionTarget {
  return t.kind === 'reduction';
}

/** The body of `PUT /api/v1/targets`. */
export const TargetsInputSchema = z.object({ targets: z.array(TargetSchema).min(1) });

/** What a target's unit means: native, kgce, 等价值 kgce or kgCO₂ (issue 16, item 2), absolute or per m² / per capita. */
export interface TargetUnit {
  readonly mode: 'native' | 'kgce' | CarbonUnit;
  readonly per?: 'm2' | 'capita';
}

/** Parses a target unit for an energy; undefined when it does not fit. */
export function parseTargetUnit(energy: Target['energy'], unit: string): TargetUnit | undefined {
  const [base, per, extra] = unit.split('/');
  if (extra !== undefined || (per !== undefined && per !== 'm2' && per !== 'capita')) return undefined;
  const carbon = base === 'kgce_ev' || (base === 'kgco2' && energy !== 'water') ? base : undefined;
  const mode =
    base === 'kgce' ? 'kgce' : energy !== 'all' && base === ENERGY_INFO[energy].nativeUnit ? 'native' : carbon;
  if (mode === undefined) return undefined;
  return per === undefined ? { mode } : { mode, per };
}

/**
 * The key under which a target is stored: one quota per scope, energy and period; one reduction
 * per scope, energy, target year and unit (the 14th plan sets kgce/m², kgce/capita and kgCO₂/m²
 * for the same year).
 */
export function targetKey(t: Pick<Target, 'scope' | 'energy' | 'period' | 'kind' | 'unit'>): string {
  return t.kind === 'reduction'
    ? `${t.scope}|${t.energy}|${t.period}|reduction|${t.unit}`
    : `${t.scope}|${t.energy}|${t.period}`;
}

/** Problems of a submission: targets repeated for the same scope, energy and period. */
export function overlappingTargets(targets: readonly Target[]): { path: string; message: string }[] {
  const seen = new Map<string, number>();
  const problems: { path: string; message: string }[] = [];
  targets.forEach((t, i) => {
    const first = seen.get(targetKey(t));
    if (first !== undefined) {
      problems.push({
        path: `targets[${i}].period`,
        message: `overlaps targets[${first}] (same scope, energy and ${t.kind === 'reduction' ? 'target year and unit' : 'period'})`,
      });
    } else seen.set(targetKey(t), i);
  });
  return problems;
}

/** How a scope is doing against a target. */
export type TargetStatus = 'on_track' | 'at_risk' | 'over';

/** Over when consumption to date exceeds the target; at risk when the forecast does. */
export function targetStatus(toDate: number, forecast: number, target: number): TargetStatus {
  if (toDate > target) return 'over';
  if (forecast > target) return 'at_risk';
  return 'on_track';
}
