import { z } from 'zod';
import type { CarbonUnit } from './carbon-series.js';
import { ENERGY_INFO, EnergySchema } from './energy.js';

/** A period: a year `YYYY` or a month `YYYY-MM`. */
export const PeriodSchema = z.string().regex(/^\d{4}(-(0[1-9]|1[0-2]))?$/, 'expected YYYY or YYYY-MM');

/**
 * A consumption target (quota) of a scope for a year or a month, in the energy's native unit, in
 * kgce, or as an intensity (`kWh/m2`, `kWh/capita`, `kgce/m2`, …). `energy: "all"` sums every
 * energy type but water, in kgce.
 */
export const TargetSchema = z
  .object({
    scope: z.string().min(1),
    energy: z.union([EnergySchema, z.literal('all')]),
    period: PeriodSchema,
    value: z.number().finite().nonnegative('must be ≥ 0'),
    unit: z.string().min(1),
  })
  .superRefine((t, ctx) => {
    if (parseTargetUnit(t.energy, t.unit) === undefined) {
      const native = t.energy === 'all' ? 'kgce' : `${ENERGY_INFO[t.energy].nativeUnit}, kgce`;
      ctx.addIssue({
        code: 'custom',
        path: ['unit'],
        message: `"${t.unit}" does not fit ${t.energy}: use ${native}, kgce_ev or kgco2 (not water), optionally /m2 or /capita`,
      });
    }
  });
export type Target = z.infer<typeof TargetSchema>;

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

/** The key under which a target is stored: one target per scope, energy and period. */
export function targetKey(t: Pick<Target, 'scope' | 'energy' | 'period'>): string {
  return `${t.scope}|${t.energy}|${t.period}`;
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
        message: `overlaps targets[${first}] (same scope, energy and period)`,
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
