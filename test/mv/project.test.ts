/**
 * Savings projects (issue 18, item 3) on the shared real data: b104 of the Cambridge estate with
 * the Bedford weather, baseline 2017, reporting 2018, on the buildings' clock. A 10 % saving
 * planted from 1 April 2018 is recovered within ±2 pp; adjustments move the answer by exactly
 * their amount; gaps are excluded and counted.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMeters, type MeterYears } from '../../bench/savings/data.js';
import { plantSaving } from '../../bench/savings/evaluate.js';
import type { SavingsAdjustment, SavingsAnswer, SavingsProject } from '../../core/domain/savings-projects.js';
import { computeSavingsProject, type SavingsProjectData } from '../../core/mv/project.js';
import type { HourRecord } from '../../core/mv/series.js';

const TZ = 'Europe/London';
const PLANT_FROM = Date.UTC(2018, 3, 1);

let meters: MeterYears[] = [];
beforeAll(async () => {
  meters = await loadMeters();
});

const meterOf = (energy: string) => meters.find((m) => m.building === 'b104' && m.energy === energy) as MeterYears;

const project = (energy: 'electricity' | 'gas', model: 'daily' | 'hourly'): SavingsProject => ({
  id: `b104-${energy}-${model}`,
  name: 'b104 retrofit',
  scope: 'building:b104',
  energy,
  weatherStationId: 'bedford',
  baselineFrom: '2017-01-01',
  baselineTo: '2018-01-01',
  reportingFrom: '2018-01-01',
  reportingTo: '2019-01-01',
  model,
  createdAt: '2026-12-01T00:00:00.000Z',
  createdBy: 'test',
});

/** The project's inputs from the CSV hours (gaps NaN, as the data's README says). */
function dataOf(
  p: SavingsProject,
  hours: readonly HourRecord[],
  adjustments: SavingsAdjustment[] = [],
): SavingsProjectData {
  return {
    project: p,
    adjustments,
    consumption: hours.map((h) => ({ hourMs: h.hourMs, amount: h.kwh })),
    temperatures: hours
      .filter((h) => Number.isFinite(h.temperatureC))
      .map((h) => ({ tsMs: h.hourMs, temperatureC: h.temperatureC })),
    timeZone: TZ,
    nowMs: Date.parse('2026-12-01T00:00:00Z'),
    conversions: { kgcePerUnit: 0.1229, kgceBasis: 'test' },
  };
}

const both = (m: MeterYears, report: readonly HourRecord[] = m.years.get(2018) ?? []) => [
  ...(m.years.get(2017) ?? []),
  ...report,
];

const adjustment = (n: number, a: Omit<SavingsAdjustment, 'n' | 'createdAt' | 'createdBy'>): SavingsAdjustment => ({
  ...a,
  n,
  createdAt: '2026-12-02T00:00:00.000Z',
  createdBy: 'test',
});

describe('a savings project on the real data (b104, 2017 → 2018)', () => {
  it('recovers a 10 % saving planted from 1 April within ±2 pp of its true share (both models, both energies)', () => {
    for (const energy of ['electricity', 'gas'] as const) {
      for (const model of ['daily', 'hourly'] as const) {
        const m = meterOf(energy);
        const p = project(energy, model);
        const plain = computeSavingsProject(dataOf(p, both(m)));
        const planted = computeSavingsProject(
          dataOf(p, both(m, plantSaving(m.years.get(2018) ?? [], PLANT_FROM, 0.1))),
        );
        const trueShare =
          ((plain.reporting.actual ?? 0) - (planted.reporting.actual ?? 0)) / (plain.reporting.actual ?? 1);
        expect(trueShare).toBeGreaterThan(0.05);
        const found = (planted.reporting.savingsPct ?? Number.NaN) / 100;
        expect(Math.abs(found - trueShare), `${energy} ${model}: ${found} vs ${trueShare}`).toBeLessThanOrEqual(0.02);
        // The hourly residuals of electricity are so autocorrelated (ρ → 1) that n′ leaves no degrees of freedom.
        if (model === 'daily') expect(planted.reporting.fsu90).not.toBeNull();
        expect(planted.model.fit.n).toBe(planted.model.baselineSteps.used);
      }
    }
  }, 120_000);

  it('excludes and counts the days with gaps: b104 electricity lost 14–15 and 25 December 2018, and hours of weather', () => {
    const a = computeSavingsProject(dataOf(project('electricity', 'daily'), both(meterOf('electricity'))));
    const r = a.reporting.steps;
    expect(r.incompleteConsumption).toBeGreaterThanOrEqual(3);
    expect(r.used + r.incompleteConsumption + r.missingTemperature).toBeGreaterThanOrEqual(365);
    expect(r.used).toBeLessThan(365);
    expect(a.months.map((m) => m.month)).toEqual(
      Array.from({ length: 12 }, (_, i) => `2018-${String(i + 1).padStart(2, '0')}`),
    );
    const sum = (k: 'baseline' | 'actual' | 'savings') => a.months.reduce((s, m) => s + (m[k] ?? 0), 0);
    expect(sum('baseline')).toBeCloseTo(a.reporting.baseline ?? Number.NaN, 6);
    expect(sum('savings')).toBeCloseTo(a.reporting.savings ?? Number.NaN, 6);
    expect(a.reporting.savingsConverted.kgce).toBeCloseTo((a.reporting.savings ?? 0) * 0.1229, 6);
    expect(a.reporting.savingsConverted.kgco2).toBeNull();
    expect(a.unit).toBe('kWh');
  }, 120_000);

  it('adjustments change the adjusted baseline and the savings by exactly their amount', () => {
    for (const model of ['daily', 'hourly'] as const) {
      const m = meterOf('electricity');
      const p = project('electricity', model);
      const hours = both(m);
      const plain = computeSavingsProject(dataOf(p, hours));
      const wing = adjustment(1, {
        kind: 'constant',
        value: 100,
        from: '2018-06-01',
        to: '2018-07-01',
        reason: 'new wing',
      });
      const pct = adjustment(2, { kind: 'percent', value: 10, from: '2018-01-01', reason: 'longer hours' });
      const withWing = computeSavingsProject(dataOf(p, hours, [wing]));
      const [applied] = withWing.adjustments;
      expect(applied?.appliedSteps).toBeGreaterThan(0);
      // 30 June days, every one used (no gap in June 2018): 100 a day.
      expect(applied?.appliedAmount).toBeCloseTo(3000, 6);
      const diff = (a: SavingsAnswer, k: 'baseline' | 'savings' | 'actual') =>
        (a.reporting[k] ?? 0) - (plain.reporting[k] ?? 0);
      expect(diff(withWing, 'baseline')).toBeCloseTo(3000, 6);
      expect(diff(withWing, 'savings')).toBeCloseTo(3000, 6);
      expect(diff(withWing, 'actual')).toBe(0);
      const june = (a: SavingsAnswer) => a.months.find((x) => x.month === '2018-06')?.baseline ?? 0;
      expect(june(withWing) - june(plain)).toBeCloseTo(3000, 6);
      const withBoth = computeSavingsProject(dataOf(p, hours, [wing, pct]));
      expect(withBoth.adjustments[1]?.appliedAmount).toBeCloseTo(0.1 * (plain.reporting.baseline ?? 0), 6);
      expect(diff(withBoth, 'baseline')).toBeCloseTo(3000 + 0.1 * (plain.reporting.baseline ?? 0), 6);
    }
  }, 120_000);

  it('refuses a baseline without usable days', () => {
    const p = project('electricity', 'daily');
    const data = dataOf(p, both(meterOf('electricity')));
    expect(() => computeSavingsProject({ ...data, temperatures: [] })).toThrow(/usable days/);
  }, 120_000);
});
