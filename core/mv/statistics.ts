/**
 * How well a baseline fits: R², CV(RMSE) and NMBE as ASHRAE Guideline 14-2014 defines them for
 * the whole-building approach (the sums divided by n − p, p the number of model parameters), the
 * lag-1 autocorrelation of the residuals, and the Guideline's acceptance verdict.
 */

/** The time step of a model's observations. */
export type Granularity = 'hourly' | 'daily' | 'monthly';

/** Fit statistics of predictions against observations. */
export interface FitStatistics {
  /** Observations compared. */
  readonly n: number;
  /** Model parameters p in the n − p degrees of freedom (0 for an out-of-sample comparison). */
  readonly parameterCount: number;
  /** Mean observation ȳ, kWh per step. */
  readonly meanKwh: number;
  /** 1 − SSE / SST (negative when the mean would predict better). */
  readonly r2: number;
  /** √(SSE / (n − p)), kWh per step. */
  readonly rmseKwh: number;
  /** RMSE / ȳ, a fraction (0.15 is 15 %). */
  readonly cvRmse: number;
  /** Σ(y − ŷ) / ((n − p) ȳ), a fraction; positive when the model predicts too little. */
  readonly nmbe: number;
}

/**
 * R², CV(RMSE) and NMBE of predictions against observations (pairs where both are finite).
 * Pass the model's parameter count for an in-sample fit, 0 for predictions of data the model
 * never saw.
 */
export function fitStatistics(
  actualKwh: readonly number[],
  predictedKwh: readonly number[],
  parameterCount = 0,
): FitStatistics {
  let n = 0;
  let sumY = 0;
  for (let i = 0; i < actualKwh.length; i++) {
    const y = actualKwh[i] ?? Number.NaN;
    const f = predictedKwh[i] ?? Number.NaN;
    if (Number.isFinite(y) && Number.isFinite(f)) {
      n++;
      sumY += y;
    }
  }
  const meanKwh = n > 0 ? sumY / n : Number.NaN;
  let sse = 0;
  let sst = 0;
  let bias = 0;
  for (let i = 0; i < actualKwh.length; i++) {
    const y = actualKwh[i] ?? Number.NaN;
    const f = predictedKwh[i] ?? Number.NaN;
    if (!Number.isFinite(y) || !Number.isFinite(f)) continue;
    sse += (y - f) ** 2;
    sst += (y - meanKwh) ** 2;
    bias += y - f;
  }
  const df = n - parameterCount;
  const rmseKwh = df > 0 ? Math.sqrt(sse / df) : Number.NaN;
  return {
    n,
    parameterCount,
    meanKwh,
    r2: sst > 0 ? 1 - sse / sst : Number.NaN,
    rmseKwh,
    cvRmse: rmseKwh / meanKwh,
    nmbe: df > 0 ? bias / (df * meanKwh) : Number.NaN,
  };
}

/**
 * Lag-1 autocorrelation ρ of residuals in time order: the correlation of each residual with the
 * next one. With `steps` (an integer time index per residual, e.g. day or hour number) only
 * neighbours one step apart are paired, so a gap does not join two distant days. NaN with fewer
 * than three pairs.
 */
export function lag1Autocorrelation(residuals: readonly number[], steps?: readonly number[]): number {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i + 1 < residuals.length; i++) {
    if (steps !== undefined && (steps[i + 1] ?? Number.NaN) - (steps[i] ?? Number.NaN) !== 1) continue;
    const x = residuals[i] ?? Number.NaN;
    const y = residuals[i + 1] ?? Number.NaN;
    if (Number.isFinite(x) && Number.isFinite(y)) {
      a.push(x);
      b.push(y);
    }
  }
  if (a.length < 3) return Number.NaN;
  const ma = a.reduce((s, v) => s + v, 0) / a.length;
  const mb = b.reduce((s, v) => s + v, 0) / b.length;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    const da = (a[i] ?? 0) - ma;
    const db = (b[i] ?? 0) - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/** The limits a baseline's fit must meet, and where they come from. */
export interface AcceptanceLimits {
  /** Largest CV(RMSE), a fraction. */
  readonly cvRmseMax: number;
  /** Largest |NMBE|, a fraction. */
  readonly nmbeMax: number;
  readonly basis: string;
}

/**
 * ASHRAE Guideline 14-2014, whole-building approach: CV(RMSE) ≤ 15 % and |NMBE| ≤ 5 % on
 * monthly data, ≤ 30 % and ≤ 10 % on hourly data. The Guideline sets nothing for daily data;
 * CalTRACK 2.0 (section 4.3.2.1, for portfolios of buildings) recommends a building-level
 * CV(RMSE) ≤ 100 % on the daily model and sets no bias limit, so the daily bias limit here is the
 * Guideline's hourly one, the looser of its two. For a single building's contract the monthly
 * limits, applied to monthly totals, are the stricter test.
 */
export const ACCEPTANCE_LIMITS: Readonly<Record<Granularity, AcceptanceLimits>> = Object.freeze({
  monthly: { cvRmseMax: 0.15, nmbeMax: 0.05, basis: 'ASHRAE Guideline 14, monthly' },
  daily: { cvRmseMax: 1.0, nmbeMax: 0.1, basis: 'CalTRACK 2.0 §4.3.2.1 CV(RMSE); ASHRAE 14 hourly NMBE' },
  hourly: { cvRmseMax: 0.3, nmbeMax: 0.1, basis: 'ASHRAE Guideline 14, hourly' },
});

/** Whether a baseline's fit statistics meet the limits of its granularity. */
export interface Verdict extends AcceptanceLimits {
  readonly granularity: Granularity;
  readonly acceptable: boolean;
  /** The limits missed, e.g. `CV(RMSE) 41.2 % > 30 %`; empty when acceptable. */
  readonly reasons: readonly string[];
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

/** ASHRAE Guideline 14 verdict on a baseline's in-sample fit statistics. */
export function ashrae14Verdict(statistics: FitStatistics, granularity: Granularity): Verdict {
  const limits = ACCEPTANCE_LIMITS[granularity];
  const reasons: string[] = [];
  if (!(statistics.cvRmse <= limits.cvRmseMax))
    reasons.push(`CV(RMSE) ${pct(statistics.cvRmse)} > ${pct(limits.cvRmseMax)}`);
  if (!(Math.abs(statistics.nmbe) <= limits.nmbeMax))
    reasons.push(`|NMBE| ${pct(Math.abs(statistics.nmbe))} > ${pct(limits.nmbeMax)}`);
  return { ...limits, granularity, acceptable: reasons.length === 0, reasons };
}
