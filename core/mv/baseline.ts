/**
 * What every baseline model keeps of its fit: the numbers ASHRAE Guideline 14's savings
 * uncertainty needs (n, p, CV(RMSE), the residuals' lag-1 autocorrelation) and the verdict.
 */
import {
  ashrae14Verdict,
  type FitStatistics,
  fitStatistics,
  type Granularity,
  lag1Autocorrelation,
  type Verdict,
} from './statistics.js';

/** The in-sample fit of a baseline model. */
export interface BaselineFit {
  readonly granularity: Granularity;
  /** In-sample statistics, with the model's parameter count in n − p. */
  readonly statistics: FitStatistics;
  /** Lag-1 autocorrelation ρ of the in-sample residuals, neighbours one step apart only. */
  readonly lag1Autocorrelation: number;
  readonly verdict: Verdict;
}

/** The in-sample fit of a model from its observations, fitted values and parameter count. */
export function baselineFit(
  granularity: Granularity,
  actualKwh: readonly number[],
  fittedKwh: readonly number[],
  parameterCount: number,
  steps: readonly number[],
): BaselineFit {
  const statistics = fitStatistics(actualKwh, fittedKwh, parameterCount);
  const residuals = actualKwh.map((y, i) => y - (fittedKwh[i] ?? Number.NaN));
  return {
    granularity,
    statistics,
    lag1Autocorrelation: lag1Autocorrelation(residuals, steps),
    verdict: ashrae14Verdict(statistics, granularity),
  };
}
