/**
 * Consumption above what the weather explains (issue 18, item 4: "a detector may use the model's
 * prediction as its expected value"). A meter's stored CalTRACK daily baseline (the `fit-baselines`
 * job) predicts each local day's use from that day's mean outdoor temperature; a day is flagged
 * when its actual use lies above the model's one-sided prediction interval:
 *
 *   actual > ŷ + t(confidence; n − p) · RMSE · √(1 + p / n)
 *
 * with ŷ the prediction under the day's weather, RMSE = √(SSE / (n − p)) the fit's residual spread
 * per day, n its days and p its parameters (p / n is the mean leverage of a fitted day, so the
 * interval is that of a typical new day). It must also exceed ŷ by `minExcessShare`, so that a very
 * tight model does not flag a few per cent. Consecutive flagged days are one anomaly; its severity
 * is the excess over the expected total, as a share of it; the waste is that excess.
 *
 * What a plain statistical detector cannot do: a cold spell that doubles a heating meter's use is
 * what the model predicts for that weather, so it is not flagged; the same use on a mild day is.
 *
 * Only a model that clears a sanity bar is used (`weatherBaselineUsable`): fitted, daily, CalTRACK
 * data sufficiency (≤ 10 % of the year missing), ASHRAE Guideline 14's verdict for daily data and
 * CV(RMSE) at most `maxCvRmse`.
 */

import { predictDaily } from '../../mv/daily-model.js';
import { studentTQuantile } from '../../mv/student-t.js';
import type { StoredBaseline } from '../baselines.js';
import { nativeUnitOf } from '../energy.js';
import { fig, severityOf } from './severity.js';
import type { AnomalyCandidate, DetectorContext, SeriesSubject } from './types.js';

/** Options of `detectWeatherBaseline`. */
export interface WeatherBaselineOptions {
  /** One-sided confidence of the prediction interval (default 0.999: a city's 6,000 meters see few false days). */
  readonly confidence: number;
  /** Least excess over the prediction, a share of it (default 0.1). */
  readonly minExcessShare: number;
  /** Sanity bar: the largest CV(RMSE) of a model used (default 0.5). */
  readonly maxCvRmse: number;
  /** Excess over the expected total (a share) at which severity is medium (default 0.25) and high (0.5). */
  readonly mediumShare: number;
  readonly highShare: number;
}

/** Defaults of `detectWeatherBaseline`. */
export const WEATHER_BASELINE_DEFAULTS: WeatherBaselineOptions = Object.freeze({
  confidence: 0.999,
  minExcessShare: 0.1,
  maxCvRmse: 0.5,
  mediumShare: 0.25,
  highShare: 0.5,
});

/** One local day of a meter: its span, use (NaN when not complete) and mean outdoor temperature (NaN when unknown). */
export interface WeatherDay {
  readonly dayStartMs: number;
  readonly dayEndMs: number;
  readonly amount: number;
  readonly temperatureC: number;
}

/** Whether a stored baseline clears the sanity bar, or why not. */
export function weatherBaselineUsable(
  b: StoredBaseline,
  options: Partial<WeatherBaselineOptions> = {},
): { readonly ok: true } | { readonly ok: false; readonly reason: string } {
  const o = { ...WEATHER_BASELINE_DEFAULTS, ...options };
  if (b.status !== 'ok' || b.fit === undefined || b.coefficients?.kind !== 'daily')
    return { ok: false, reason: 'no fitted daily model' };
  if (!b.sufficient) return { ok: false, reason: 'baseline period more than 10 % missing' };
  if (!b.fit.meetsAshrae14) return { ok: false, reason: `fails ASHRAE 14: ${b.fit.acceptance.reasons.join('; ')}` };
  if (b.fit.cvrmse === null || b.fit.cvrmse > o.maxCvRmse) return { ok: false, reason: 'CV(RMSE) above the bar' };
  if (b.fit.rmse === null || !(b.fit.rmse > 0) || b.fit.n - b.fit.parameterCount < 2)
    return { ok: false, reason: 'no residual spread' };
  return { ok: true };
}

const quantiles = new Map<string, number>();
/** t(confidence; df), memoised: a city's meters share a few degrees of freedom. */
function tQuantile(confidence: number, df: number): number {
  const key = `${confidence}|${Math.round(df)}`;
  let q = quantiles.get(key);
  if (q === undefined) {
    q = studentTQuantile(confidence, Math.round(df));
    quantiles.set(key, q);
  }
  return q;
}

/** The prediction interval's half-width of a model, native units per day. */
export function predictionHalfWidth(b: StoredBaseline, confidence: number): number {
  const fit = b.fit;
  if (fit === undefined || fit.rmse === null) return Number.NaN;
  const n = fit.n;
  const p = fit.parameterCount;
  return tQuantile(confidence, n - p) * fit.rmse * Math.sqrt(1 + p / n);
}

interface Flagged {
  readonly day: WeatherDay;
  readonly predicted: number;
}

/**
 * Days of one meter above its baseline's prediction interval (see the file's comment), consecutive
 * ones joined; none when the baseline does not clear the sanity bar. Days not yet over at
 * `ctx.nowMs`, or without complete use or a temperature, are not judged.
 */
export function detectWeatherBaseline(
  days: readonly WeatherDay[],
  subject: SeriesSubject,
  baseline: StoredBaseline,
  ctx: DetectorContext,
  options: Partial<WeatherBaselineOptions> = {},
): AnomalyCandidate[] {
  const o = { ...WEATHER_BASELINE_DEFAULTS, ...options };
  const coefficients = baseline.coefficients;
  if (!weatherBaselineUsable(baseline, o).ok || coefficients?.kind !== 'daily') return [];
  const halfWidth = predictionHalfWidth(baseline, o.confidence);
  const judged = [...days]
    .filter((d) => d.dayEndMs <= ctx.nowMs && Number.isFinite(d.amount) && Number.isFinite(d.temperatureC))
    .sort((a, b) => a.dayStartMs - b.dayStartMs);
  const predicted = predictDaily(
    coefficients,
    judged.map((d) => ({ dayMs: d.dayStartMs, temperatureC: d.temperatureC })),
  );
  const runs: Flagged[][] = [];
  judged.forEach((day, i) => {
    const p = predicted[i] ?? Number.NaN;
    const flagged = day.amount > p + halfWidth && day.amount - p > o.minExcessShare * Math.abs(p);
    if (!flagged) return;
    const run = runs.at(-1);
    const last = run?.at(-1);
    if (run !== undefined && last !== undefined && last.day.dayEndMs === day.dayStartMs)
      run.push({ day, predicted: p });
    else runs.push([{ day, predicted: p }]);
  });
  const unit = nativeUnitOf(subject.energy);
  return runs.map((run): AnomalyCandidate => {
    const observed = run.reduce((s, f) => s + f.day.amount, 0);
    const expected = run.reduce((s, f) => s + f.predicted, 0);
    const excess = observed - expected;
    const share = excess / Math.max(Math.abs(expected), Number.MIN_VALUE);
    const first = run[0] as Flagged;
    const last = run.at(-1) as Flagged;
    return {
      type: 'weather_baseline',
      scope: subject.scope,
      energy: subject.energy,
      startMs: first.day.dayStartMs,
      endMs: last.day.dayEndMs,
      severity: severityOf(share, o.mediumShare, o.highShare),
      evidence: {
        observed: fig(observed),
        expected: fig(expected),
        bandLow: fig(Math.max(0, expected - run.length * halfWidth)),
        bandHigh: fig(expected + run.length * halfWidth),
        unit,
        historyDays: baseline.steps.used,
        days: run.length,
        meanTemperatureC: fig(run.reduce((s, f) => s + f.day.temperatureC, 0) / run.length),
        overShare: fig(share),
        intervalPerDay: fig(halfWidth),
        confidence: o.confidence,
        model: baseline.form ?? '',
        cvrmse: fig(baseline.fit?.cvrmse ?? Number.NaN),
        baselineFrom: baseline.from,
        baselineTo: baseline.to,
      },
      wastedNative: fig(Math.max(0, excess)),
    };
  });
}
