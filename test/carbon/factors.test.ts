import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../core/config.js';
import {
  DEFAULT_CARBON_TABLES,
  emissionFactor,
  emissionFactorAt,
  equalValueFactor,
  GridRegionSchema,
  gridFactor,
  regionOf,
  toKgceEv,
  toKgco2,
} from '../../core/domain/carbon.js';
import { GRID_REGIONS } from '../../core/domain/carbon-factors.js';
import { carbonPlan, convertCells, factorsUsed } from '../../core/domain/carbon-series.js';
import { ENERGY_INFO, EnergySchema, GBT_2589_2020 } from '../../core/domain/energy.js';
import { RegistryInputSchema } from '../../core/domain/registry.js';
import { parseTargetUnit, TargetSchema } from '../../core/domain/targets.js';
import { localToEpochMs } from '../../core/domain/time.js';

const TZ = 'Asia/Shanghai';

describe('grid emission factors (MEE/NBS table)', () => {
  it('gives the DOMAIN.md values by year and region', () => {
    expect(gridFactor(2021, 'national').value).toBe(0.5568);
    expect(gridFactor(2022, 'national').value).toBe(0.5366);
    expect(gridFactor(2022, 'north').value).toBe(0.6776);
    expect(gridFactor(2022, 'southern').value).toBe(0.3869);
    expect(gridFactor(2023, 'east')).toEqual({ value: 0.55, year: 2023, region: 'east' });
    expect(gridFactor(2023, 'southwest').value).toBe(0.2472);
  });

  it('has every region in 2022 and 2023, and no carbon-market 0.5703 anywhere', () => {
    for (const year of [2022, 2023]) {
      for (const region of GRID_REGIONS) expect(gridFactor(year, region).note).toBeUndefined();
    }
    const values = Object.values(DEFAULT_CARBON_TABLES.grid.years).flatMap((y) => Object.values(y.kgco2PerKwh));
    expect(values).not.toContain(0.5703);
  });

  it('takes the latest year for a later one and the first for an earlier one, with a note', () => {
    const later = gridFactor(2025, 'east');
    expect(later).toMatchObject({ value: 0.55, year: 2023, region: 'east' });
    expect(later.note).toMatch(/none for 2025, 2023 used/);
    const earlier = gridFactor(2019, 'national');
    expect(earlier).toMatchObject({ value: 0.5568, year: 2021 });
    expect(earlier.note).toMatch(/none for 2019, 2021 used/);
  });

  it('takes the national average where a year has no regional value, with a note', () => {
    const f = gridFactor(2021, 'east');
    expect(f).toMatchObject({ value: 0.5568, year: 2021, region: 'national' });
    expect(f.note).toMatch(/region east, national average used/);
  });

  it('takes the year of an instant in local time', () => {
    // 2023-01-01 00:00 in Shanghai is still 2022 in UTC.
    const newYear = localToEpochMs(TZ, 2023, 1, 1);
    expect(emissionFactorAt('electricity', newYear, TZ, 'east')?.value).toBe(0.55);
    expect(emissionFactorAt('electricity', newYear - 1, TZ, 'east')?.value).toBe(0.5617);
  });
});

describe('fuel factors and conversions', () => {
  it('has a factor for every energy but water, none for water', () => {
    for (const energy of EnergySchema.options) {
      const f = emissionFactor(energy, 2023, 'national');
      if (energy === 'water') expect(f).toBeUndefined();
      else expect(f?.value, energy).toBeGreaterThan(0);
    }
    expect(emissionFactor('gas', 2021, 'north')).toEqual({ value: 2.1622 });
    expect(emissionFactor('diesel', 2023, 'east')?.value).toBe(3.0959);
  });

  it('converts an amount by the factor of its year and region', () => {
    expect(toKgco2('electricity', 1000, 2022, 'north')).toBeCloseTo(677.6, 9);
    expect(toKgco2('gas', 100, 2023, 'east')).toBeCloseTo(216.22, 9);
    expect(toKgco2('water', 100, 2023, 'east')).toBeUndefined();
  });

  it('gives electricity its year’s 等价值 and keeps every other energy’s 当量值', () => {
    const ev = DEFAULT_CARBON_TABLES.equalValue.electricityKgcePerKwh;
    expect(equalValueFactor('electricity', 2022)).toEqual({ value: ev[2022], year: 2022 });
    expect(equalValueFactor('electricity', 2023).value).toBe(ev[2023]);
    expect(equalValueFactor('electricity', 2030)).toMatchObject({ value: ev[2023], year: 2023 });
    // Equal value is about 2.5 times the calorific 0.1229 (DOMAIN.md: ~0.3 kgce/kWh).
    expect(ev[2022]).toBeGreaterThan(0.29);
    expect(ev[2022]).toBeLessThan(0.32);
    for (const energy of EnergySchema.options.filter((e) => e !== 'electricity')) {
      expect(equalValueFactor(energy, 2022).value).toBe(GBT_2589_2020.kgcePerUnit[energy]);
    }
    expect(toKgceEv('gas', 10, 2022)).toBeCloseTo(12.143, 9);
  });
});

describe('grid regions of institutions', () => {
  const registry = RegistryInputSchema.parse({
    districts: [{ id: 'd1', name: '一区' }],
    institutions: [
      { id: 'a', name: 'A', districtId: 'd1', type: 'office', floorAreaM2: 1, occupants: 1, gridRegion: 'north' },
      { id: 'b', name: 'B', districtId: 'd1', type: 'office', floorAreaM2: 1, occupants: 1 },
    ],
    buildings: [{ id: 'ba', institutionId: 'a', name: 'BA', floorAreaM2: 1 }],
  });
  const reg = { ...registry, gateways: [] };

  it('validates gridRegion against the table’s regions', () => {
    const bad = RegistryInputSchema.safeParse({
      institutions: [
        { id: 'x', name: 'X', districtId: 'd1', type: 'office', floorAreaM2: 1, occupants: 1, gridRegion: 'mars' },
      ],
    });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['institutions', 0, 'gridRegion']);
    expect(GridRegionSchema.options).toEqual([...GRID_REGIONS]);
  });

  it('falls back to the default region', () => {
    expect(regionOf({ gridRegion: 'east' }, 'national')).toBe('east');
    expect(regionOf({}, 'southern')).toBe('southern');
    expect(regionOf(undefined, 'national')).toBe('national');
  });

  it('plans one region inside an institution and one per institution above it', () => {
    const building = carbonPlan({ level: 'building', id: 'ba' }, reg, 'east');
    expect(building.groupBy).toBe('none');
    expect(building.regions).toEqual(['north']);
    expect(building.regionOfGroup('')).toBe('north');
    const city = carbonPlan({ level: 'city' }, reg, 'east');
    expect(city.groupBy).toBe('institution');
    expect(city.regions).toEqual(['east', 'north']);
    expect([city.regionOfGroup('a'), city.regionOfGroup('b')]).toEqual(['north', 'east']);
  });

  it('converts rows per institution and year, drops water, and names what it used', () => {
    const dec = localToEpochMs(TZ, 2022, 12);
    const jan = localToEpochMs(TZ, 2023, 1);
    const row = (bucketStartMs: number, groupId: string, energy: 'electricity' | 'gas' | 'water', amount: number) => ({
      bucketStartMs,
      groupId,
      energy,
      amount,
      estimated: 0,
    });
    const plan = carbonPlan({ level: 'city' }, reg, 'east');
    const cells = convertCells(
      [
        row(dec, 'a', 'electricity', 100),
        row(jan, 'b', 'electricity', 100),
        row(jan, 'a', 'water', 5),
        row(jan, 'a', 'gas', 10),
      ],
      plan,
      { unit: 'kgco2', timeZone: TZ },
    );
    expect(cells.map((c) => c.amount)).toEqual([100 * 0.6776, 100 * 0.55, 10 * 2.1622]);
    const used = factorsUsed([dec, jan], plan, { unit: 'kgco2', timeZone: TZ });
    expect(used).toEqual({
      table: DEFAULT_CARBON_TABLES.grid.version,
      fuels: DEFAULT_CARBON_TABLES.fuels.version,
      regions: ['east', 'north'],
      years: [2022, 2023],
    });
    const later = factorsUsed([localToEpochMs(TZ, 2024, 3)], plan, { unit: 'kgce_ev', timeZone: TZ });
    expect(later).toMatchObject({ table: DEFAULT_CARBON_TABLES.equalValue.version, years: [2023] });
    expect(later.notes?.[0]).toMatch(/none for 2024, 2023 used/);
  });
});

describe('settings and targets', () => {
  it('reads DEFAULT_GRID_REGION, national by default, and refuses an unknown one', () => {
    expect(loadConfig({}).DEFAULT_GRID_REGION).toBe('national');
    expect(loadConfig({ DEFAULT_GRID_REGION: 'east' }).DEFAULT_GRID_REGION).toBe('east');
    expect(() => loadConfig({ DEFAULT_GRID_REGION: 'mars' })).toThrow(ConfigError);
  });

  it('accepts kgco2 and kgce_ev targets, absolute or per m² / capita, but no water kgco2', () => {
    expect(parseTargetUnit('all', 'kgco2/m2')).toEqual({ mode: 'kgco2', per: 'm2' });
    expect(parseTargetUnit('electricity', 'kgco2')).toEqual({ mode: 'kgco2' });
    expect(parseTargetUnit('all', 'kgce_ev/capita')).toEqual({ mode: 'kgce_ev', per: 'capita' });
    expect(parseTargetUnit('water', 'kgco2')).toBeUndefined();
    expect(
      TargetSchema.safeParse({ scope: 'city', energy: 'all', period: '2023', value: 1, unit: 'kgco2' }).success,
    ).toBe(true);
    expect(ENERGY_INFO.water.countsAsEnergy).toBe(false);
  });
});
