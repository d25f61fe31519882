/**
 * One scope's stored baseline (core/mv/batch.ts, the fit-baselines job's unit): a fitted daily and
 * hourly model with the record the store keeps, and each failure with its reason.
 */
import { describe, expect, it } from 'vitest';
import { StoredBaselineSchema } from '../../core/domain/baselines.js';
import { type BaselineStep, type BaselineSubject, fitBaseline } from '../../core/mv/batch.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const T0 = Date.UTC(2025, 0, 1);
const subject = (model: 'daily' | 'hourly'): BaselineSubject => ({
  scope: 'meter:m-1',
  energy: 'gas',
  weatherStationId: 'ws',
  from: '2025-01-01',
  to: '2026-01-01',
  model,
});
const options = { fittedAtMs: Date.UTC(2026, 1, 2), timeZone: 'UTC' };
const temperature = (i: number, per: number) => 10 - 10 * Math.cos((2 * Math.PI * i) / per) + ((i * 7) % 5);
const days = (n: number): BaselineStep[] =>
  Array.from({ length: n }, (_, i) => {
    const t = temperature(i, 365);
    return { startMs: T0 + i * DAY_MS, temperatureC: t, amount: 50 + 4 * Math.max(0, 15 - t) + ((i * 13) % 7) };
  });

describe('a stored baseline', () => {
  it('fits a daily model and keeps its coefficients, fit and verdict (no cooling term for gas)', () => {
    const b = fitBaseline(subject('daily'), days(365), options);
    expect(StoredBaselineSchema.parse(b)).toEqual(b);
    expect(b).toMatchObject({ status: 'ok', sufficient: true, fittedAt: '2026-02-02T00:00:00.000Z' });
    expect(b.steps).toEqual({ period: 365, used: 365, missingTemperature: 0, incompleteConsumption: 0 });
    expect(b.coefficients).toMatchObject({ kind: 'daily', type: 'hdd-only' });
    expect(b.coefficients?.kind === 'daily' && b.coefficients.heatingKwhPerDegreeDay).toBeCloseTo(4, 0);
    expect(b.fit?.meetsAshrae14).toBe(true);
    expect(b.form).toMatch(/^hdd-only, bH/);
  });

  it('counts steps left out, and is not sufficient with more than 10 % of the year missing', () => {
    const steps = days(365).map((s, i) =>
      i % 6 === 0 ? { ...s, amount: Number.NaN } : i % 6 === 1 ? { ...s, temperatureC: Number.NaN } : s,
    );
    const b = fitBaseline(subject('daily'), steps, options);
    expect(b.status).toBe('ok');
    expect(b.steps).toMatchObject({ period: 365, used: 243, incompleteConsumption: 61, missingTemperature: 61 });
    expect(b.sufficient).toBe(false);
  });

  it('fits an hourly model whose unseen hours of the week are null', () => {
    const hours: BaselineStep[] = Array.from({ length: 60 * 24 }, (_, i) => ({
      startMs: T0 + i * HOUR_MS,
      temperatureC: temperature(i, 24) - 5,
      amount: 3 + (i % 24 >= 8 && i % 24 < 18 ? 4 : 0),
    }));
    const b = fitBaseline(subject('hourly'), hours, options);
    expect(StoredBaselineSchema.parse(JSON.parse(JSON.stringify(b)))).toEqual(b);
    expect(b.coefficients?.kind).toBe('hourly');
    expect(b.coefficients?.kind === 'hourly' && b.coefficients.segments).toHaveLength(12);
    // Months the 60 days never reach (June) have no hour of the week seen: null, not NaN, in the record.
    const june = b.coefficients?.kind === 'hourly' ? b.coefficients.segments[5] : undefined;
    expect(june?.timeOfWeekKwh.every((v) => v === null)).toBe(true);
    // The caller passes every step of the period: these 60 days are the whole of it.
    expect(b.sufficient).toBe(true);
  });

  it('answers failed with the reason: no weather, too little data', () => {
    const noWeather = fitBaseline(
      subject('daily'),
      days(100).map((s) => ({ ...s, temperatureC: Number.NaN })),
      options,
    );
    expect(noWeather).toMatchObject({ status: 'failed', failure: { code: 'no_weather' }, sufficient: false });
    const few = fitBaseline(subject('daily'), days(29), options);
    expect(few).toMatchObject({ status: 'failed', failure: { code: 'insufficient_data' } });
    expect(few.failure?.message).toContain('29 usable days');
    expect(StoredBaselineSchema.parse(few)).toEqual(few);
    expect(fitBaseline(subject('hourly'), [], options).failure?.code).toBe('insufficient_data');
  });
});
