/**
 * Robust statistics for the detectors: medians and the median absolute deviation (MAD), which a
 * few anomalous days in the history do not move, unlike a mean and a standard deviation.
 */

/** MAD × this estimates the standard deviation of normally distributed data. */
export const MAD_TO_SIGMA = 1.4826;

/** The comparator of the ascending sort that `quantile` has always used. */
const ascending = (a: number, b: number): number => a - b;

/** The q-quantile of sorted values, by linear interpolation (the one expression every quantile uses). */
function interpolate(sorted: ArrayLike<number>, n: number, q: number): number {
  const pos = Math.min(1, Math.max(0, q)) * (n - 1);
  const lo = Math.floor(pos);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[Math.min(n - 1, lo + 1)] ?? a;
  return a + (b - a) * (pos - lo);
}

/**
 * Reorders the first `n` finite values of a buffer so that index `k` holds the value a sort would
 * put there, smaller or equal values before it and larger or equal ones after (Hoare's select).
 */
function select(a: Float64Array, n: number, k: number): void {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const x = a[lo] as number;
    const y = a[(lo + hi) >>> 1] as number;
    const z = a[hi] as number;
    const pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z)); // the median of three
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) {
        const t = a[i] as number;
        a[i++] = a[j] as number;
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/** The q-quantile (0 ≤ q ≤ 1) of a sample by linear interpolation; NaN for an empty sample. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  for (const v of values) if (!Number.isFinite(v)) return interpolate([...values].sort(ascending), values.length, q);
  return quantileOf(Float64Array.from(values), values.length, q);
}

/**
 * `quantile` of the first `n` values of a scratch buffer, without copying: it reorders them.
 * The result is the same number as `quantile` of those values in that order (a sort of finite
 * numbers picks the same elements whatever the algorithm; non-finite ones take `quantile`'s path).
 */
export function quantileOf(buffer: Float64Array, n: number, q: number): number {
  if (n === 0) return Number.NaN;
  for (let i = 0; i < n; i++)
    if (!Number.isFinite(buffer[i] as number))
      return interpolate(Array.from(buffer.subarray(0, n)).sort(ascending), n, q);
  if (n <= 16) {
    // Insertion sort: the per-hour histories hold a week of values.
    for (let i = 1; i < n; i++) {
      const v = buffer[i] as number;
      let j = i - 1;
      for (; j >= 0 && (buffer[j] as number) > v; j--) buffer[j + 1] = buffer[j] as number;
      buffer[j + 1] = v;
    }
    return interpolate(buffer, n, q);
  }
  // Larger samples: the two order statistics around the quantile, without a full sort.
  const pos = Math.min(1, Math.max(0, q)) * (n - 1);
  const lo = Math.floor(pos);
  select(buffer, n, lo);
  const a = buffer[lo] as number;
  let b = a;
  if (lo + 1 < n) {
    b = buffer[lo + 1] as number;
    for (let i = lo + 2; i < n; i++) if ((buffer[i] as number) < b) b = buffer[i] as number;
  }
  return a + (b - a) * (pos - lo);
}

/** The median of a sample; NaN for an empty sample. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** The median absolute deviation from the median; NaN for an empty sample. */
export function mad(values: readonly number[]): number {
  return madAround(values, values.length, median(values), new Float64Array(values.length));
}

/**
 * The median absolute deviation of the first `n` of `values` from `centre` (their median), with
 * `scratch` (at least `n` long) holding the deviations: no allocation in a detector's inner loop.
 */
export function madAround(values: ArrayLike<number>, n: number, centre: number, scratch: Float64Array): number {
  for (let i = 0; i < n; i++) scratch[i] = Math.abs((values[i] as number) - centre);
  return quantileOf(scratch, n, 0.5);
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
