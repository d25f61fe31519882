/**
 * Non-routine adjustments of a savings project's baseline (IPMVP: changes the model does not see,
 * such as a new wing or a closed floor; issue 18, item 3). Each adds to the adjusted baseline of
 * the reporting steps it covers: a constant (native units per local day, spread evenly over the
 * day's hours for an hourly model) or a percentage of the model's prediction.
 */
import type { SavingsAdjustment } from '../domain/savings-projects.js';
import type { ProjectStep } from './project-steps.js';

/** An adjustment with what it added over the steps used. */
export type AppliedAdjustment = SavingsAdjustment & { readonly appliedAmount: number; readonly appliedSteps: number };

/**
 * The adjustment of each step (same order as `steps`), and each adjustment with its total. An
 * adjustment covers the steps whose local day lies in [from, to) (`to` default: no end); days are
 * compared as `YYYY-MM-DD` text. Steps without a prediction get none.
 */
export function applyAdjustments(
  adjustments: readonly SavingsAdjustment[],
  granularity: 'daily' | 'hourly',
  steps: readonly ProjectStep[],
  predicted: readonly number[],
): { perStep: number[]; applied: AppliedAdjustment[] } {
  const perStep = steps.map(() => 0);
  const applied = adjustments.map((a) => {
    let appliedAmount = 0;
    let appliedSteps = 0;
    steps.forEach((s, i) => {
      const p = predicted[i] ?? Number.NaN;
      if (!Number.isFinite(p) || s.day < a.from || (a.to !== undefined && s.day >= a.to)) return;
      const add =
        a.kind === 'percent' ? (a.value / 100) * p : granularity === 'daily' ? a.value : a.value / s.hoursInDay;
      perStep[i] = (perStep[i] ?? 0) + add;
      appliedAmount += add;
      appliedSteps++;
    });
    return { ...a, appliedAmount, appliedSteps };
  });
  return { perStep, applied };
}
