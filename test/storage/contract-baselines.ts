import { expect, it } from 'vitest';
import type { StoredBaseline } from '../../core/domain/baselines.js';
import type { BaselineStore } from '../../core/storage/baseline-store.js';

const fitted = (scope: string, extra: Partial<StoredBaseline> = {}): StoredBaseline => ({
  scope,
  model: 'daily',
  energy: 'electricity',
  weatherStationId: 'ws-1',
  from: '2025-01-01',
  to: '2026-01-01',
  fittedAt: '2026-02-02T02:30:00.000Z',
  status: 'ok',
  steps: { period: 365, used: 360, missingTemperature: 2, incompleteConsumption: 4 },
  sufficient: true,
  form: 'hdd-only, bH 15.6 °C',
  fit: {
    r2: 0.91,
    cvrmse: 0.08,
    nmbe: 0,
    rmse: 12.5,
    n: 360,
    parameterCount: 2,
    lag1Autocorrelation: null,
    meetsAshrae14: true,
    acceptance: { basis: 'CalTRACK', reasons: [] },
  },
  coefficients: {
    kind: 'daily',
    type: 'hdd-only',
    interceptKwh: 100,
    heatingBalanceC: 15.6,
    heatingKwhPerDegreeDay: 8.25,
    adjustedR2: 0.9,
  },
  ...extra,
});

const failed = (scope: string): StoredBaseline => ({
  scope,
  model: 'daily',
  energy: 'water',
  weatherStationId: null,
  from: '2025-01-01',
  to: '2026-01-01',
  fittedAt: '2026-02-02T02:30:00.000Z',
  status: 'failed',
  failure: { code: 'no_weather_station', message: 'none named' },
  steps: { period: 0, used: 0, missingTemperature: 0, incompleteConsumption: 0 },
  sufficient: false,
});

/** The contract of `BaselineStore` (issue 18, the fit-baselines job), run against every metadata backend. */
export function baselineCases(store: () => BaselineStore): void {
  it('saves baselines and lists them by scope and model kind, filtered; failures with their reason', async () => {
    const s = store();
    expect(await s.list()).toEqual([]);
    const hourly: StoredBaseline = fitted('meter:m-1', {
      model: 'hourly',
      coefficients: {
        kind: 'hourly',
        timeZone: 'Asia/Shanghai',
        segmentation: 'single',
        effectiveParameters: 170,
        segments: [
          {
            month: null,
            occupied: [true, false],
            occupiedEndpointsC: [10],
            unoccupiedEndpointsC: [],
            timeOfWeekKwh: [1.5, null],
            occupiedSlopes: [0.1, 0.2],
            unoccupiedSlopes: [0.05],
          },
        ],
      },
    });
    // Byte order of ids: 'meter:M' before 'meter:m'.
    await s.save([fitted('meter:m-1'), hourly, failed('meter:M-2'), fitted('meter:m-3')]);
    const all = await s.list();
    expect(all.map((b) => `${b.scope}/${b.model}`)).toEqual([
      'meter:M-2/daily',
      'meter:m-1/daily',
      'meter:m-1/hourly',
      'meter:m-3/daily',
    ]);
    expect(all[0]).toEqual(failed('meter:M-2'));
    expect(all[2]).toEqual(hourly);
    expect((await s.list({ model: 'hourly' })).map((b) => b.scope)).toEqual(['meter:m-1']);
    expect((await s.list({ scopes: ['meter:m-3', 'meter:nope'] })).map((b) => b.scope)).toEqual(['meter:m-3']);
    expect(await s.list({ scopes: [] })).toEqual([]);
    expect(await s.list({ scopes: ['meter:m-1'], model: 'daily' })).toEqual([fitted('meter:m-1')]);
  });

  it('replaces a baseline of the same scope and kind; the last of a repeated key wins; 1,200 at once', async () => {
    const s = store();
    await s.save([fitted('meter:m-1')]);
    const refit = fitted('meter:m-1', { fittedAt: '2026-03-02T02:30:00.000Z', from: '2025-02-01', to: '2026-02-01' });
    await s.save([failed('meter:m-1'), refit]);
    expect(await s.list()).toEqual([refit]);
    const many = Array.from({ length: 1200 }, (_, i) => fitted(`meter:x-${String(i).padStart(4, '0')}`));
    await s.save(many);
    expect(await s.list({ scopes: many.map((b) => b.scope) })).toEqual(many);
  });

  it('refuses a record its schema refuses, and stores nothing of the call', async () => {
    const s = store();
    const bad = { ...fitted('meter:m-9'), status: 'maybe' } as unknown as StoredBaseline;
    await expect(s.save([fitted('meter:m-8'), bad])).rejects.toThrow();
    expect(await s.list()).toEqual([]);
  });
}
