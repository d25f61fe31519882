import type { Energy } from './energy.js';

/**
 * Units a meter register may count in, per energy type, with the factor that converts one of them
 * into the energy's native unit. This is the one place unit conversion happens.
 */
export const METER_UNITS: Readonly<Record<Energy, Readonly<Record<string, number>>>> = Object.freeze({
  electricity: { kWh: 1, MWh: 1000 },
  water: { m3: 1, t: 1 },
  gas: { m3: 1 },
  heat: { GJ: 1, MJ: 0.001, kWh: 0.0036 },
  cooling: { GJ: 1, MJ: 0.001, kWh: 0.0036 },
  diesel: { kg: 1, t: 1000 },
  steam: { kg: 1, t: 1000 },
  lpg: { kg: 1, t: 1000 },
});

/** Factor converting a meter unit to the energy's native unit, or undefined when the unit does not fit the energy. */
export function unitFactorToNative(energy: Energy, unit: string): number | undefined {
  return METER_UNITS[energy][unit];
}
