/**
 * Avoided energy use (IPMVP Option C): the adjusted baseline, i.e. what the baseline model
 * predicts under the reporting period's weather, minus what was used; and its fractional savings
 * uncertainty by ASHRAE Guideline 14-2014 (Annex B, the approximate formula with the correction
 * for autocorrelated residuals, Reddy & Claridge 2000):
 *
 *   ΔE_save = t · α · CV(RMSE) · √((n / n′) · (1 + 2 / n′) / m) · E_baseline
 *   n′ = n (1 − ρ) / (1 + ρ)
 *
 * n baseline observations with p parameters, ρ the lag-1 autocorrelation of their residuals, m
 * reporting observations, E_baseline the adjusted baseline over them, t Student's t at the
 * confidence with n′ − p degrees of freedom. FSU = ΔE_save / E_save.
 */
import type { BaselineFit } from './baseline.js';
import type { Granularity } from './statistics.js';
import { studentTQuantile } from './student-t.js';

/** The reporting period as a baseline model sees it. */
export interface SavingsInput {
  /** The adjusted baseline: the model's prediction for each reporting step under its weather. */
  readonly baselineKwh: readonly number[];
  /** Energy used in each reporting step (same steps). */
  readonly actualKwh: readonly number[];
  /** The baseline model's in-sample fit. */
  readonly fit: BaselineFit;
  /** Two-sided confidence of the uncertainty (default 0.9). */
  readonly confidence?: number;
}

/** Savings over the reporting period and their uncertainty. */
export interface Savings {
  /** Reporting steps m where both the baseline and the use are known. */
  readonly reportingSteps: number;
  readonly adjustedBaselineKwh: number;
  readonly actualKwh: number;
  /** Adjusted baseline − actual: positive when energy was saved. */
  readonly savingsKwh: number;
  /** Savings / adjusted baseline (F in ASHRAE 14). */
  readonly savingsShare: number;
  readonly confidence: number;
  /** n′, baseline observations corrected for autocorrelation. */
  readonly effectiveBaselineSteps: number;
  readonly tStatistic: number;
  /** α, the Guideline's correction factor for the approximation (see `fsuFactor`). */
  readonly fsuFactor: number;
  /** ΔE_save at the confidence, kWh: the savings are known to ± this much. */
  readonly uncertaintyKwh: number;
  /** ΔE_save / adjusted baseline: the uncertainty in the units of `savingsShare`. */
  readonly uncertaintyShare: number;
  /** ΔE_save / |E_save|: the fractional savings uncertainty (FSU); infinite when nothing was saved. */
  readonly fsu: number;
  /** Whether |savings| exceed their uncertainty. */
  readonly significant: boolean;
}

/**
 * α of the approximate FSU formula. ASHRAE 14 gives 1.26 for monthly data; for daily data
 * OpenEEmeter uses Sun & Baltazar's (2013) fit in the reporting months M = m / 30,
 * −0.00024 M² + 0.03535 M + 1.00286; hourly data have no correction of their own and take 1.26.
 */
export function fsuFactor(granularity: Granularity, reportingSteps: number): number {
  if (granularity !== 'daily') return 1.26;
  const months = reportingSteps / 30;
  return -0.00024 * months ** 2 + 0.03535 * months + 1.00286;
}

/** Savings of a reporting period against a baseline model's predictions, with their FSU at 90 % by default. */
export function savings(input: SavingsInput): Savings {
  const confidence = input.confidence ?? 0.9;
  let m = 0;
  let baseline = 0;
  let actual = 0;
  for (let i = 0; i < input.baselineKwh.length; i++) {
    const b = input.baselineKwh[i] ?? Number.NaN;
    const a = input.actualKwh[i] ?? Number.NaN;
    if (!Number.isFinite(b) || !Number.isFinite(a)) continue;
    m++;
    baseline += b;
    actual += a;
  }
  const { statistics, lag1Autocorrelation, granularity } = input.fit;
  const n = statistics.n;
  // A negative ρ would make n′ > n; the Guideline's correction only ever removes information.
  const rho = Math.min(0.999, Math.max(0, Number.isFinite(lag1Autocorrelation) ? lag1Autocorrelation : 0));
  const nPrime = (n * (1 - rho)) / (1 + rho);
  const t = studentTQuantile((1 + confidence) / 2, nPrime - statistics.parameterCount);
  const alpha = fsuFactor(granularity, m);
  const uncertaintyKwh =
    m > 0 ? t * alpha * statistics.cvRmse * Math.sqrt(((n / nPrime) * (1 + 2 / nPrime)) / m) * baseline : Number.NaN;
  const savingsKwh = baseline - actual;
  return {
    reportingSteps: m,
    adjustedBaselineKwh: baseline,
    actualKwh: actual,
    savingsKwh,
    savingsShare: savingsKwh / baseline,
    confidence,
    effectiveBaselineSteps: nPrime,
    tStatistic: t,
    fsuFactor: alpha,
    uncertaintyKwh,
    uncertaintyShare: uncertaintyKwh / baseline,
    fsu: uncertaintyKwh / Math.abs(savingsKwh),
    significant: Math.abs(savingsKwh) > uncertaintyKwh,
  };
}
