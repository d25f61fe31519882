/**
 * The weather-baseline detector (issue 18, item 4): a heating meter's CalTRACK daily model, fitted
 * by the batch's own code on a synthetic year, is the expected value. A planted excess on mild days
 * is found; a cold spell that doubles the use is what the model predicts and is not flagged, where
 * a detector without weather (the last fortnight's mean + 3σ) flags it.
 */
import { describe, expect, it } from 'vitest';
import { StoredBaselineSchema } from '../../core/domain/baselines.js';
import {
  detectWeatherBaseline,
  predictionHalfWidth,
  type WeatherDay,
  weatherBaselineUsable,
} from '../../core/domain/detectors/index.js';
import { type BaselineStep, fitBaseline } from '../../core/mv/batch.js';
import { DAY_MS, rng, TZ } from './series.js';

const START_MS = Date.parse('2024-12-31T16:00:00Z'); // 2025-01-01 00:00 in Asia/Shanghai
const SUBJECT = { scope: 'meter:m-heat', energy: 'electricity' as const };
const use = (temperatureC: number) => 200 + 15 * Math.max(0, 16 - temperatureC);

/** A year of days: temperature on a seasonal cosine (about −1 °C in January, 25 °C in July), use plus noise σ 8. */
function year(seed = 7): BaselineStep[] {
  const r = rng(seed);
  return Array.from({ length: 365 }, (_, d) => {
    const temperatureC = 12 - 13 * Math.cos((2 * Math.PI * (d - 15)) / 365) + (r() - 0.5) * 4;
    const noise = (r() + r() + r() + r() - 2) * 14;
    return { startMs: START_MS + d * DAY_MS, temperatureC, amount: use(temperatureC) + noise };
  });
}

const baseline = fitBaseline(
  { ...SUBJECT, weatherStationId: 'ws', from: '2025-01-01', to: '2026-01-01', model: 'daily' },
  year(),
  { fittedAtMs: START_MS + 366 * DAY_MS, timeZone: TZ },
);

/** Days of January 2026 from a temperature and a use rule; `nowMs` after the last. */
function days(temperatures: readonly number[], amount: (t: number, i: number) => number): WeatherDay[] {
  const from = START_MS + 365 * DAY_MS;
  return temperatures.map((temperatureC, i) => ({
    dayStartMs: from + i * DAY_MS,
    dayEndMs: from + (i + 1) * DAY_MS,
    temperatureC,
    amount: amount(temperatureC, i),
  }));
}
const ctx = (n: number) => ({ timeZone: TZ, nowMs: START_MS + (365 + n) * DAY_MS, isWorkday: () => true });

describe('the weather-baseline detector', () => {
  it('stores a model that clears the sanity bar, with the fit it was judged on', () => {
    expect(StoredBaselineSchema.parse(baseline)).toEqual(baseline);
    expect(baseline.status).toBe('ok');
    expect(baseline.coefficients).toMatchObject({ kind: 'daily', type: 'hdd-only' });
    expect(baseline.fit?.cvrmse).toBeLessThan(0.05);
    expect(weatherBaselineUsable(baseline)).toEqual({ ok: true });
    // t(0.999; 363) ≈ 3.1: the interval is about three residual spreads wide.
    const rmse = baseline.fit?.rmse ?? 0;
    expect(predictionHalfWidth(baseline, 0.999) / rmse).toBeCloseTo(3.1, 1);
  });

  it('finds a planted excess on mild days, and not a cold spell the model explains', () => {
    // 14 mild days, a cold spell of 5 days at −8 °C (use 560, +130 %), 3 mild days at +50 %, 3 mild days.
    const temperatures = [...Array(14).fill(12), ...Array(5).fill(-8), ...Array(6).fill(12)];
    const planted = new Set([21, 22, 23]);
    const wobble = rng(3);
    const observed = days(temperatures, (t, i) => use(t) * (planted.has(i) ? 1.5 : 1) + (wobble() - 0.5) * 10);
    const found = detectWeatherBaseline(observed, SUBJECT, baseline, ctx(25));
    expect(found).toHaveLength(1);
    const [c] = found;
    expect(c).toMatchObject({
      type: 'weather_baseline',
      scope: 'meter:m-heat',
      startMs: observed[21]?.dayStartMs,
      endMs: observed[23]?.dayEndMs,
      severity: 'medium',
    });
    expect(c?.evidence.days).toBe(3);
    expect(c?.evidence.overShare).toBeGreaterThan(0.4);
    expect(c?.wastedNative).toBeGreaterThan(3 * 0.4 * use(12));
    expect(c?.wastedNative).toBeLessThan(3 * 0.6 * use(12));

    // The same cold spell through a detector without weather: the fortnight before's mean + 3σ.
    const before = observed.slice(0, 14).map((d) => d.amount);
    const mean = before.reduce((s, x) => s + x, 0) / before.length;
    const sd = Math.sqrt(before.reduce((s, x) => s + (x - mean) ** 2, 0) / (before.length - 1));
    const naive = observed.filter((d, i) => i >= 14 && d.amount > mean + 3 * sd).map((_, i) => i);
    expect(naive.length).toBeGreaterThanOrEqual(5 + 3);
  });

  it('judges only days that are over, complete and with a temperature; separate runs are separate anomalies', () => {
    const temperatures = Array(10).fill(10);
    const observed = days(temperatures, (t, i) => use(t) * ([1, 2, 5, 9].includes(i) ? 2 : 1));
    const gap = observed.map((d, i) =>
      i === 2 ? { ...d, amount: Number.NaN } : i === 5 ? { ...d, temperatureC: Number.NaN } : d,
    );
    // Day 9 is not over at the present of 9 days.
    const found = detectWeatherBaseline(gap, SUBJECT, baseline, ctx(9));
    expect(found.map((c) => c.evidence.days)).toEqual([1]);
    expect(found[0]?.startMs).toBe(observed[1]?.dayStartMs);
    expect(found[0]?.severity).toBe('high');
    // Without the gaps, days 1–2 are one run and day 5 another.
    expect(detectWeatherBaseline(observed, SUBJECT, baseline, ctx(9)).map((c) => c.evidence.days)).toEqual([2, 1]);
  });

  it('uses no model below the sanity bar', () => {
    const observed = days(Array(5).fill(10), (t) => use(t) * 3);
    const cases = [
      { ...baseline, sufficient: false },
      { ...baseline, status: 'failed' as const },
      { ...baseline, fit: baseline.fit && { ...baseline.fit, cvrmse: 0.8 } },
      { ...baseline, fit: baseline.fit && { ...baseline.fit, meetsAshrae14: false } },
      { ...baseline, model: 'hourly' as const, coefficients: undefined },
    ];
    for (const b of cases) {
      expect(weatherBaselineUsable(b).ok).toBe(false);
      expect(detectWeatherBaseline(observed, SUBJECT, b, ctx(5))).toEqual([]);
    }
    expect(detectWeatherBaseline(observed, SUBJECT, baseline, ctx(5))).toHaveLength(1);
  });

  it('needs the excess to be a share of the prediction as well as outside the interval', () => {
    const observed = days(Array(3).fill(10), (t) => use(t) * 1.05 + 200);
    expect(detectWeatherBaseline(observed, SUBJECT, baseline, ctx(3), { minExcessShare: 5 })).toEqual([]);
    expect(detectWeatherBaseline(observed, SUBJECT, baseline, ctx(3))).toHaveLength(1);
  });
});
