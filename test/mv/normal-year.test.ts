/**
 * A normal year's weather and a period's use under it (issue 18, item 4), pure, on the shared real
 * data: Bedford's hourly temperatures of 2017 and 2018 and b104's gas (strongly weather-dependent).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMeters } from '../../bench/savings/data.js';
import { localToEpochMs } from '../../core/domain/time.js';
import type { WeatherObservation } from '../../core/domain/weather.js';
import { fitDailyModel } from '../../core/mv/daily-model.js';
import {
  NORMAL_YEAR_MINIMUM_YEARS,
  type NormalYear,
  normalMeans,
  normalTemperatures,
  normalYear,
} from '../../core/mv/normal-year.js';
import { fitNormalizeModel } from '../../core/mv/normalize-fit.js';
import { normalReference, presentReference, underReference, yearReference } from '../../core/mv/normalize-reference.js';
import { hourlyTemperatures, type ProjectStep, projectSteps, usable } from '../../core/mv/project-steps.js';
import type { HourRecord } from '../../core/mv/series.js';

const TZ = 'Europe/London';
let hours: HourRecord[];
let observations: WeatherObservation[];
let normal: NormalYear;

beforeAll(async () => {
  const gas = (await loadMeters()).find((m) => m.building === 'b104' && m.energy === 'gas');
  if (gas === undefined) throw new Error('no b104 gas');
  hours = [...(gas.years.get(2017) ?? []), ...(gas.years.get(2018) ?? [])];
  observations = hours
    .filter((h) => Number.isFinite(h.temperatureC))
    .map((h) => ({ tsMs: h.hourMs, temperatureC: h.temperatureC }));
  const made = normalYear(observations, TZ);
  if (!made.ok) throw new Error(made.reason);
  normal = made.normal;
}, 60_000);

/** The local days of a year, b104's gas and Bedford's mean temperature. */
function stepsOf(year: number): ProjectStep[] {
  const use = new Map(hours.map((h) => [h.hourMs, h.kwh]));
  const from = localToEpochMs(TZ, year, 1);
  return projectSteps('daily', from, localToEpochMs(TZ, year + 1, 1), TZ, use, hourlyTemperatures(observations));
}

describe('normalYear on Bedford 2017–2018', () => {
  it('is made of both full years, every calendar day with two temperatures', () => {
    expect(normal.years).toEqual([2017, 2018]);
    expect(normal.partialYears).toEqual([]);
    expect(normal.temperaturesByDay.size).toBe(365);
    const jan15 = normal.temperaturesByDay.get('01-15') ?? [];
    expect(jan15).toHaveLength(2);
    const y2017 = stepsOf(2017).find((s) => s.day === '2017-01-15')?.temperatureC;
    const y2018 = stepsOf(2018).find((s) => s.day === '2018-01-15')?.temperatureC;
    expect(jan15).toEqual([y2017, y2018]);
    expect(normalMeans(normal).get('01-15')).toBeCloseTo(((y2017 ?? 0) + (y2018 ?? 0)) / 2, 12);
  });

  it('takes 28 February and 1 March for a leap day', () => {
    const leap = normalTemperatures(normal, '2020-02-29');
    expect(leap).toEqual([
      ...(normal.temperaturesByDay.get('02-28') ?? []),
      ...(normal.temperaturesByDay.get('03-01') ?? []),
    ]);
    expect(leap).toHaveLength(4);
  });

  it('refuses with too few full years, and says how many the station holds', () => {
    expect(NORMAL_YEAR_MINIMUM_YEARS).toBe(2);
    const three = normalYear(observations, TZ, 3);
    expect(three).toMatchObject({ ok: false, years: [2017, 2018] });
    if (!three.ok) expect(three.reason).toContain('at least 3 full local years');
    const only2017 = normalYear(
      observations.filter((o) => o.tsMs < Date.UTC(2018, 0, 1)),
      TZ,
    );
    expect(only2017).toMatchObject({ ok: false, years: [2017] });
    // Half of 2018 is a partial year, not a full one.
    const half = normalYear(
      observations.filter((o) => o.tsMs < Date.UTC(2018, 6, 1)),
      TZ,
    );
    expect(half).toMatchObject({ ok: false, years: [2017], partialYears: [2018] });
    expect(normalYear([], TZ)).toMatchObject({ ok: false, years: [] });
  });
});

describe("underReference: b104's gas of 2018 in a normal year", () => {
  it('is the mean of the model of 2018 under 2017’s and under 2018’s own weather', () => {
    // The days of 2018 whose calendar day 2017 has a temperature for (17 of 2017's days miss too many hours).
    const y2017 = yearReference(2017, stepsOf(2017));
    const steps2018 = stepsOf(2018).filter((s) => y2017.temperaturesOf(s.day).length > 0);
    const under = (reference: Parameters<typeof underReference>[2]) => {
      const r = underReference('gas', steps2018, reference);
      if (r.status !== 'normalized') throw new Error(r.reason);
      return r;
    };
    const n = under(normalReference(normal));
    const own = under(yearReference(2018, steps2018));
    const other = under(y2017);
    // Every day left has both years' temperature, so the three cover the same days.
    expect(n.days.unpredictable).toBe(0);
    expect(other.days.unpredictable).toBe(0);
    expect(n.totalExact).toBeCloseTo((own.totalExact + other.totalExact) / 2, 6);
    // Its own weather gives back its own use: OLS with an intercept sums to what it was fitted on.
    expect(own.totalExact).toBeCloseTo(own.currentExact, 6);
    expect(n.currentExact).toBe(own.currentExact);
    expect(n.model.type).toBe('hdd-only');
    // 2018 (the "Beast from the East") was colder than 2017 at b104: a normal year uses less gas.
    expect(n.totalExact).toBeLessThan(n.currentExact);
    const used = steps2018.filter(usable);
    expect(n.days.used).toBe(used.length);
    const shown = presentReference(n, { weatherStationId: 'bedford', reference: normalReference(normal) });
    expect(shown).toMatchObject({ status: 'normalized', reference: 'normal', referenceYears: [2017, 2018] });
    if (shown.status === 'normalized') {
      expect(shown.adjustment).toBeCloseTo(shown.total - shown.current, 5);
      expect(shown.change).toBeGreaterThan(0);
    }
  });

  it('refuses a period with fewer than 30 usable days, and leaves out days the reference lacks', () => {
    const steps2018 = stepsOf(2018);
    const short = underReference('gas', steps2018.slice(0, 20), normalReference(normal));
    expect(short).toMatchObject({ status: 'refused', code: 'JN_NORMALIZE_TOO_FEW_DAYS', model: null });
    // A reference of January only: the rest of the year is unpredictable, January is compared.
    const january = yearReference(
      2017,
      stepsOf(2017).filter((s) => s.day < '2017-02-01'),
    );
    const r = underReference('gas', steps2018, january);
    expect(r.status).toBe('normalized');
    const januaryUsed = steps2018.filter(
      (s) => usable(s) && s.day < '2018-02-01' && january.temperaturesOf(s.day).length > 0,
    ).length;
    expect(januaryUsed).toBeGreaterThan(25);
    expect(r.days.used - r.days.unpredictable).toBe(januaryUsed);
  });
});

describe('fitNormalizeModel', () => {
  it('staged finds the full CalTRACK search’s balance point for gas, and a model within 0.005 adjusted R² for electricity', async () => {
    const meters = await loadMeters();
    expect(meters).toHaveLength(6);
    for (const m of meters)
      for (const year of [2017, 2018]) {
        const hoursOf = m.years.get(year) ?? [];
        const use = new Map(hoursOf.map((h) => [h.hourMs, h.kwh]));
        const from = localToEpochMs(TZ, year, 1);
        const to = localToEpochMs(TZ, year + 1, 1);
        const days = projectSteps('daily', from, to, TZ, use, hourlyTemperatures(observations))
          .filter(usable)
          .map((s) => ({ dayMs: s.startMs, temperatureC: s.temperatureC, kwh: s.amount }));
        const energy = m.energy === 'gas' ? 'gas' : 'electricity';
        const full = fitDailyModel(days, { fitCooling: energy !== 'gas' });
        const staged = fitNormalizeModel(days, energy, 'staged');
        const what = `${m.building} ${m.energy} ${year}`;
        expect(Math.abs(staged.adjustedR2 - full.adjustedR2), what).toBeLessThan(0.005);
        if (energy === 'gas') expect(staged.heatingBalanceC, what).toBe(full.heatingBalanceC);
      }
  }, 120_000);
});
