/**
 * The pure weather-normalised comparison (issue 18, item 4): its refusals as values (the raw
 * comparison stands), and its series adding up to its total over the same days.
 */
import { describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../core/domain/time.js';
import { type NormalizePeriod, normalizedComparison } from '../../core/mv/normalize.js';

const TZ = 'UTC';
const DAY_MS = 24 * HOUR_MS;

/** A period of `days` UTC days from `fromMs`, each day's use and temperature from its index (NaN: none). */
function period(fromMs: number, days: number, use: (k: number) => number, temperature: (k: number) => number) {
  const consumption: { hourMs: number; amount: number }[] = [];
  const temperatures: { tsMs: number; temperatureC: number }[] = [];
  for (let k = 0; k < days; k++)
    for (let h = 0; h < 24; h++) {
      const hourMs = fromMs + k * DAY_MS + h * HOUR_MS;
      consumption.push({ hourMs, amount: use(k) / 24 });
      if (Number.isFinite(temperature(k))) temperatures.push({ tsMs: hourMs, temperatureC: temperature(k) });
    }
  return { fromMs, toMs: fromMs + days * DAY_MS, consumption, temperatures } satisfies NormalizePeriod;
}
const Y2021 = Date.UTC(2021, 0, 1);
const Y2022 = Date.UTC(2022, 0, 1);
const seasonal = (mean: number) => (k: number) => mean - 10 * Math.cos((2 * Math.PI * k) / 365);
/** Use exactly linear in heating degree days at 15 °C (59 °F, on CalTRACK's search grid). */
const heating = (temperature: (k: number) => number) => (k: number) => 50 + 8 * Math.max(0, 15 - temperature(k));
const input = (compared: NormalizePeriod, current: NormalizePeriod, bucketStartsMs?: number[]) => ({
  energy: 'gas' as const,
  timeZone: TZ,
  weatherStationId: 's',
  compared,
  current,
  ...(bucketStartsMs === undefined ? {} : { bucketStartsMs }),
});

describe('normalizedComparison', () => {
  it('refuses a fit that misses the daily limits (use with nothing to do with weather, CV(RMSE) > 100 %)', () => {
    const spiky = period(Y2021, 365, (k) => (k % 7 === 0 ? 700 : 0), seasonal(8));
    const current = period(Y2022, 365, heating(seasonal(8)), seasonal(8));
    const n = normalizedComparison(input(spiky, current));
    expect(n).toMatchObject({
      status: 'refused',
      code: 'JN_NORMALIZE_FIT_UNACCEPTABLE',
      model: { type: 'intercept-only' },
    });
  });

  it('refuses when no day of this period has a temperature, and counts why', () => {
    const compared = period(Y2021, 365, heating(seasonal(8)), seasonal(8));
    const current = period(Y2022, 31, heating(seasonal(8)), () => Number.NaN);
    const n = normalizedComparison(input(compared, current));
    expect(n).toMatchObject({
      status: 'refused',
      code: 'JN_NORMALIZE_NO_CURRENT_DAYS',
      currentDays: { days: 31, used: 0, missingTemperature: 31, incompleteConsumption: 0 },
    });
  });

  it('gives monthly points that add up to the total over the same days, leaving out days without data', () => {
    const t2022 = seasonal(12);
    const compared = period(Y2021, 365, heating(seasonal(8)), seasonal(8));
    // Every tenth day of 2022 has no temperature, and February's use is missing.
    const current = period(
      Y2022,
      365,
      (k) => (k >= 31 && k < 59 ? Number.NaN : heating(t2022)(k)),
      (k) => (k % 10 === 0 ? Number.NaN : t2022(k)),
    );
    const months = Array.from({ length: 12 }, (_, m) => Date.UTC(2022, m, 1));
    const n = normalizedComparison(input(compared, current, months));
    if (n.status !== 'normalized') throw new Error(JSON.stringify(n));
    expect(n.model.type).toBe('hdd-only');
    expect(Math.abs(n.change ?? 1)).toBeLessThan(1e-6);
    expect(n.currentDays.days).toBe(365);
    expect(n.currentDays.incompleteConsumption).toBe(28);
    expect(n.currentDays.missingTemperature).toBe(37);
    const series = n.series ?? [];
    expect(series[1]).toMatchObject({ value: null, current: null, change: null, days: 0 });
    expect(series.reduce((s, p) => s + p.days, 0)).toBe(n.currentDays.used);
    expect(series.reduce((s, p) => s + (p.value ?? 0), 0)).toBeCloseTo(n.total, 4);
    expect(series.reduce((s, p) => s + (p.current ?? 0), 0)).toBeCloseTo(n.current, 4);
  });
});
