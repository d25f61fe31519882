import { describe, expect, it } from 'vitest';
import { intervalConsumption, MICRO } from '../../core/domain/consumption.js';
import {
  DEFAULT_COEFFICIENT_TABLE,
  DEFAULT_DENSITY_TABLE,
  ENERGY_INFO,
  EnergySchema,
  GBT_2589_2020,
  toKgce,
} from '../../core/domain/energy.js';
import { type Meter, MeterSchema } from '../../core/domain/registry.js';
import { METER_UNITS, meterUnits, unitFactorToNative } from '../../core/domain/units.js';

const H = 3_600_000;

describe('fuel energies and their units (issue 15, item 5)', () => {
  it('knows gasoline, diesel, kerosene, coal and other, each with a coefficient and its native unit', () => {
    for (const energy of ['gasoline', 'diesel', 'kerosene', 'coal', 'other'] as const) {
      expect(EnergySchema.options).toContain(energy);
      expect(ENERGY_INFO[energy].countsAsEnergy).toBe(true);
      expect(unitFactorToNative(energy, ENERGY_INFO[energy].nativeUnit)).toBe(1);
    }
    expect(GBT_2589_2020.kgcePerUnit).toMatchObject({
      gasoline: 1.4714,
      kerosene: 1.4714,
      diesel: 1.4571,
      coal: 0.7143,
    });
    expect(ENERGY_INFO.other.nativeUnit).toBe('kgce');
    expect(GBT_2589_2020.kgcePerUnit.other).toBe(1);
  });

  it('has, for every energy, a coefficient, a native unit of factor 1 and a unique statistics code', () => {
    for (const energy of EnergySchema.options) {
      expect(DEFAULT_COEFFICIENT_TABLE.kgcePerUnit[energy]).toBeGreaterThan(0);
      expect(METER_UNITS[energy][ENERGY_INFO[energy].nativeUnit]).toBe(1);
    }
    const codes = EnergySchema.options.map((e) => ENERGY_INFO[e].code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('converts litres of liquid fuels to kg with the versioned densities', () => {
    expect(DEFAULT_DENSITY_TABLE.version).toMatch(/densities/);
    expect(unitFactorToNative('diesel', 'L')).toBe(0.84);
    expect(unitFactorToNative('gasoline', 'L')).toBe(0.73);
    expect(unitFactorToNative('kerosene', 'L')).toBe(0.8);
    expect(unitFactorToNative('diesel', 't')).toBe(1000);
    // 200 L of diesel: 168 kg, 244.7928 kgce.
    const kg = 200 * (unitFactorToNative('diesel', 'L') ?? Number.NaN);
    expect(kg).toBeCloseTo(168, 9);
    expect(toKgce('diesel', kg)).toBeCloseTo(244.7928, 9);
  });

  it('has no litre for solid fuels, gases or steam, and counts other energy in kgce or tce', () => {
    expect(unitFactorToNative('coal', 'L')).toBeUndefined();
    expect(unitFactorToNative('lpg', 'L')).toBeUndefined();
    expect(unitFactorToNative('steam', 'L')).toBeUndefined();
    expect(unitFactorToNative('coal', 't')).toBe(1000);
    expect(unitFactorToNative('other', 'tce')).toBe(1000);
    expect(unitFactorToNative('other', 'kg')).toBeUndefined();
  });

  it('takes only real units, never an inherited property name', () => {
    expect(unitFactorToNative('diesel', 'toString')).toBeUndefined();
    expect(unitFactorToNative('electricity', 'constructor')).toBeUndefined();
    expect(
      MeterSchema.safeParse({ id: 'm', buildingId: 'b', gatewayId: 'g', energy: 'diesel', unit: 'toString' }).success,
    ).toBe(false);
  });

  it('builds the units of another density table', () => {
    const units = meterUnits({ version: 'local', source: 'test', kgPerLitre: { diesel: 0.85 } });
    expect(units.diesel.L).toBe(0.85);
    expect(units.gasoline.L).toBeUndefined();
  });

  it('accepts a manual diesel meter in litres, and refuses litres of coal', () => {
    const diesel = { id: 'm', buildingId: 'b', energy: 'diesel', unit: 'L', reading: 'manual' };
    expect(MeterSchema.safeParse(diesel).success).toBe(true);
    const coal = MeterSchema.safeParse({ ...diesel, energy: 'coal' });
    expect(coal.success).toBe(false);
    expect(coal.error?.issues.map((i) => i.path.join('.'))).toContain('unit');
  });
});

describe('the counter rules for a manual meter', () => {
  const manual: Meter = MeterSchema.parse({ id: 'm', buildingId: 'b', energy: 'diesel', unit: 'L', reading: 'manual' });
  const gateway: Meter = MeterSchema.parse({ id: 'g', buildingId: 'b', gatewayId: 'gw', energy: 'diesel', unit: 'L' });

  it('marks every interval estimated, however short, and converts litres to kg', () => {
    const i = intervalConsumption(manual, { tsMs: 0, value: 100 }, { tsMs: 600_000, value: 110 });
    expect(i.quality).toBe('estimated');
    expect(i.amountMicro).toBe(Math.round(10 * 0.84 * MICRO));
    expect(intervalConsumption(gateway, { tsMs: 0, value: 100 }, { tsMs: 600_000, value: 110 }).quality).toBe('good');
  });

  it('keeps a reset suspect on a manual meter too', () => {
    expect(intervalConsumption(manual, { tsMs: 0, value: 100 }, { tsMs: H, value: 5 }).quality).toBe('suspect');
  });
});
