/**
 * Robust statistics for the detectors: medians and the median absolute deviation (MAD), which a
 * few anomalous days in the history do not move, unlike a mean and a standard deviation.
 */

/** MAD × this estimates the standard deviation of normally distributed data. */
export const MAD_TO_SIGMA = 1.4826;

/** The q-quantile (0 ≤ q ≤ 1) of a sample by linear interpolation; NaN for an empty sample. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = Math.min(1, Math.max(0, q)) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[Math.min(sorted.length - 1, lo + 1)] ?? a;
  return a + (b - a) * (pos - lo);
}

/** The median of a sample; NaN for an empty sample. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** The median absolute deviation from the median; NaN for an empty sample. */
export function mad(values: readonly number[]): number {
  const m = median(values);
  return median(values.map((v) => Math.abs(v - m)));
}

/** A robust centre and spread of a sample. */
export interface RobustBand {
  /** The median. */
  readonly centre: number;
  /** MAD × 1.4826, at least `floor`. */
  readonly sigma: number;
}

/**
 * The median and robust sigma of a sample. `floor` keeps the band from collapsing on very regular
 * data (a constant history would otherwise make any change "infinitely" anomalous).
 */
export function robustBand(values: readonly number[], floor: number): RobustBand {
  const centre = median(values);
  return { centre, sigma: Math.max(floor, MAD_TO_SIGMA * mad(values)) };
}

/** The sum of a sample. */
export function sum(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

/** The arithmetic mean of a sample; NaN for an empty sample. */
export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : sum(values) / values.length;
}

/** A robust straight line through points: Theil–Sen slope, median intercept. */
export interface RobustLine {
  readonly slope: number;
  readonly intercept: number;
}

/**
 * The Theil–Sen line of (x, y) points: the median of the pairwise slopes and the median of
 * y − slope·x. Up to about 29 % of wild points do not move it. A single point gives a flat line.
 */
export function theilSen(xs: readonly number[], ys: readonly number[]): RobustLine {
  const slopes: number[] = [];
  for (let i = 0; i < xs.length; i++)
    for (let j = i + 1; j < xs.length; j++) {
      const dx = (xs[j] as number) - (xs[i] as number);
      if (dx !== 0) slopes.push(((ys[j] as number) - (ys[i] as number)) / dx);
    }
  const slope = slopes.length === 0 ? 0 : median(slopes);
  return { slope, intercept: median(ys.map((y, i) => y - slope * (xs[i] as number))) };
}
