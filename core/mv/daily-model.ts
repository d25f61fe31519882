/**
 * The CalTRACK daily baseline (CalTRACK 2.0, section 3): kWh per day = intercept + βH·HDD(bH) +
 * βC·CDD(bC), with HDD and CDD from the day's mean temperature. Candidates are intercept only,
 * HDD only, CDD only and HDD + CDD, the balance points searched over a grid (30–90 °F, every
 * °F, bH ≤ bC). A candidate qualifies when its degree days are not too few (section 3.2.2.2: at
 * least 10 days with degree days, 20 °F·d in all) and its slopes are positive and significant; the
 * qualified candidate with the highest adjusted R² is the model (section 3.4.3).
 */
import { type BaselineFit, baselineFit } from './baseline.js';
import { CALTRACK_BALANCE_POINTS_C, coolingDegrees, heatingDegrees } from './degree-days.js';
import { leastSquaresColumns } from './least-squares.js';

/** One day of outdoor temperature: its start (UTC ms) and mean temperature. */
export interface TemperatureDay {
  readonly dayMs: number;
  readonly temperatureC: number;
}

/** One day of a baseline: its temperature and the energy used. */
export interface DailyObservation extends TemperatureDay {
  readonly kwh: number;
}

/** The four shapes a CalTRACK daily model may take. */
export type DailyModelType = 'intercept-only' | 'hdd-only' | 'cdd-only' | 'hdd-cdd';

/** Options of `fitDailyModel`; every field has the CalTRACK default. */
export interface DailyModelOptions {
  /** Try cooling candidates (default true; CalTRACK fits none for gas). */
  readonly fitCooling?: boolean;
  /** Heating balance points to search, °C (default 30–90 °F). */
  readonly heatingBalancePointsC?: readonly number[];
  /** Cooling balance points to search, °C (default 30–90 °F). */
  readonly coolingBalancePointsC?: readonly number[];
  /** Fewest days with non-zero degree days for a slope to be fitted (default 10, CalTRACK 3.2.2.2.1). */
  readonly minimumNonZeroDays?: number;
  /** Fewest degree days in all, °C·d (default 20 °F·d = 11.1 °C·d, CalTRACK 3.2.2.2.2). */
  readonly minimumTotalDegreeDaysC?: number;
  /**
   * Largest p-value of a slope (default 0.1, CalTRACK 1.0 and issue 18; CalTRACK 2.0 dropped this
   * screen, issue #76: pass 1 for the 2.0 behaviour).
   */
  readonly maximumPValue?: number;
}

/** A fitted CalTRACK daily model. Slopes are kWh per °C·d; balance points °C. */
export interface DailyModel {
  readonly type: DailyModelType;
  readonly interceptKwh: number;
  readonly heatingBalanceC?: number;
  readonly heatingKwhPerDegreeDay?: number;
  readonly heatingPValue?: number;
  readonly coolingBalanceC?: number;
  readonly coolingKwhPerDegreeDay?: number;
  readonly coolingPValue?: number;
  readonly adjustedR2: number;
  /** Candidates fitted, and how many of them qualified. */
  readonly candidates: { readonly fitted: number; readonly qualified: number };
  readonly baseline: BaselineFit;
}

const DAY_MS = 86_400_000;
const F_DEGREE = 5 / 9;

interface Candidate {
  readonly type: DailyModelType;
  readonly heatingBalanceC?: number;
  readonly coolingBalanceC?: number;
}

function candidates(options: DailyModelOptions): Candidate[] {
  const heating = options.heatingBalancePointsC ?? CALTRACK_BALANCE_POINTS_C;
  const cooling = options.coolingBalancePointsC ?? CALTRACK_BALANCE_POINTS_C;
  const out: Candidate[] = heating.map((h) => ({ type: 'hdd-only', heatingBalanceC: h }));
  if (options.fitCooling ?? true) {
    out.push(...cooling.map((c): Candidate => ({ type: 'cdd-only', coolingBalanceC: c })));
    for (const h of heating) {
      for (const c of cooling) if (h <= c) out.push({ type: 'hdd-cdd', heatingBalanceC: h, coolingBalanceC: c });
    }
  }
  return out;
}

/** Whether a degree-day column has enough days and degrees to fit a slope on (CalTRACK 3.2.2.2). */
function enoughDegreeDays(column: readonly number[], options: DailyModelOptions): boolean {
  let nonZero = 0;
  let total = 0;
  for (const d of column) {
    if (d > 0) nonZero++;
    total += d;
  }
  return nonZero >= (options.minimumNonZeroDays ?? 10) && total >= (options.minimumTotalDegreeDaysC ?? 20 * F_DEGREE);
}

/** A function that computes each argument's value once. */
function memoize<K, V>(make: (key: K) => V): (key: K) => V {
  const values = new Map<K, V>();
  return (key) => {
    if (!values.has(key)) values.set(key, make(key));
    return values.get(key) as V;
  };
}

/** Kept for the winner: the candidate, its coefficients and p-values, its fitted values. */
interface Fitted {
  readonly candidate: Candidate;
  readonly coefficients: readonly number[];
  readonly pValues: readonly number[];
  readonly adjustedR2: number;
  readonly fitted: readonly number[];
  readonly parameterCount: number;
}

/**
 * Fits the CalTRACK daily model to a baseline's days (days with a usable temperature and meter
 * reading only; see `dailyFromHourly`). The intercept-only model always qualifies, so a model is
 * always returned when there is at least one day.
 */
export function fitDailyModel(days: readonly DailyObservation[], options: DailyModelOptions = {}): DailyModel {
  const temperaturesC = days.map((d) => d.temperatureC);
  const y = days.map((d) => d.kwh);
  const maximumPValue = options.maximumPValue ?? 0.1;
  const ones = days.map(() => 1);
  // Degree-day columns, computed once per balance point and shared by the candidates that use it.
  const hdd = memoize((baseC: number) => temperaturesC.map((t) => heatingDegrees(t, baseC)));
  const cdd = memoize((baseC: number) => temperaturesC.map((t) => coolingDegrees(t, baseC)));
  const enough = memoize((column: readonly number[]) => enoughDegreeDays(column, options));
  const columnsOf = (candidate: Candidate): (readonly number[])[] => [
    ones,
    ...(candidate.heatingBalanceC === undefined ? [] : [hdd(candidate.heatingBalanceC)]),
    ...(candidate.coolingBalanceC === undefined ? [] : [cdd(candidate.coolingBalanceC)]),
  ];
  const fitOne = (candidate: Candidate, columns: readonly (readonly number[])[]): Fitted => {
    const fit = leastSquaresColumns(columns, y);
    return {
      candidate,
      coefficients: fit.coefficients,
      pValues: fit.pValues ?? [],
      adjustedR2: candidate.type === 'intercept-only' ? 0 : fit.adjustedR2,
      fitted: fit.fitted,
      parameterCount: fit.parameterCount,
    };
  };
  let best = fitOne({ type: 'intercept-only' }, [ones]);
  let fitted = 1;
  let qualified = 1;
  for (const candidate of candidates(options)) {
    const columns = columnsOf(candidate);
    const slopes = columns.slice(1);
    if (!slopes.every((column) => enough(column))) continue;
    const f = fitOne(candidate, columns);
    fitted++;
    const ok =
      f.parameterCount === columns.length &&
      slopes.every((_, i) => (f.coefficients[i + 1] ?? 0) > 0 && (f.pValues[i + 1] ?? 1) < maximumPValue);
    if (!ok) continue;
    qualified++;
    if (f.adjustedR2 > best.adjustedR2) best = f;
  }
  const { candidate, coefficients, pValues } = best;
  const heating = candidate.heatingBalanceC !== undefined;
  const cooling = candidate.coolingBalanceC !== undefined;
  const coolingIndex = heating ? 2 : 1;
  const steps = days.map((d) => Math.round(d.dayMs / DAY_MS));
  return {
    type: candidate.type,
    interceptKwh: coefficients[0] ?? Number.NaN,
    ...(heating
      ? {
          heatingBalanceC: candidate.heatingBalanceC,
          heatingKwhPerDegreeDay: coefficients[1],
          heatingPValue: pValues[1],
        }
      : {}),
    ...(cooling
      ? {
          coolingBalanceC: candidate.coolingBalanceC,
          coolingKwhPerDegreeDay: coefficients[coolingIndex],
          coolingPValue: pValues[coolingIndex],
        }
      : {}),
    adjustedR2: best.adjustedR2,
    candidates: { fitted, qualified },
    baseline: baselineFit('daily', y, best.fitted, best.parameterCount, steps),
  };
}

/** kWh per day the model expects on each day, from the day's mean temperature. */
export function predictDaily(
  model: Pick<
    DailyModel,
    'interceptKwh' | 'heatingBalanceC' | 'heatingKwhPerDegreeDay' | 'coolingBalanceC' | 'coolingKwhPerDegreeDay'
  >,
  days: readonly TemperatureDay[],
): number[] {
  return days.map((d) => {
    let kwh = model.interceptKwh;
    if (model.heatingBalanceC !== undefined)
      kwh += (model.heatingKwhPerDegreeDay ?? 0) * heatingDegrees(d.temperatureC, model.heatingBalanceC);
    if (model.coolingBalanceC !== undefined)
      kwh += (model.coolingKwhPerDegreeDay ?? 0) * coolingDegrees(d.temperatureC, model.coolingBalanceC);
    return kwh;
  });
}

/** Whether a baseline has enough days: CalTRACK 2.0 section 2.2.1.2, at most 10 % of them missing. */
export interface DailySufficiency {
  readonly sufficient: boolean;
  /** Days in the period. */
  readonly periodDays: number;
  /** Days with a usable temperature and meter reading. */
  readonly usableDays: number;
  /** 1 − usable / period. */
  readonly missingShare: number;
}

/** Checks a baseline's days against CalTRACK's data sufficiency (≤ 10 % missing, a full year by default). */
export function dailySufficiency(
  days: readonly DailyObservation[],
  periodDays = 365,
  maximumMissingShare = 0.1,
): DailySufficiency {
  const usableDays = new Set(days.map((d) => Math.round(d.dayMs / DAY_MS))).size;
  const missingShare = Math.max(0, 1 - usableDays / periodDays);
  return { sufficient: missingShare <= maximumMissingShare, periodDays, usableDays, missingShare };
}
