import { DEFAULT_DENSITY_TABLE, type DensityTable, type Energy } from './energy.js';

/**
 * Units of a fuel counted by mass: `kg` (native), `t`, and `L` when the density table has the
 * fuel's density (gasoline, diesel, kerosene), converted with it.
 */
function massUnits(energy: Energy, densities: DensityTable): Readonly<Record<string, number>> {
  const units: Record<string, number> = { kg: 1, t: 1000 };
  const kgPerLitre = densities.kgPerLitre[energy];
  if (kgPerLitre !== undefined) units.L = kgPerLitre;
  return Object.freeze(units);
}

/**
 * Units a meter may count in, per energy type, with the factor that converts one of them into the
 * energy's native unit, litres of liquid fuels through a density table. This is the one place unit
 * conversion happens.
 */
export function meterUnits(
  densities: DensityTable = DEFAULT_DENSITY_TABLE,
): Readonly<Record<Energy, Readonly<Record<string, number>>>> {
  return Object.freeze({
    electricity: { kWh: 1, MWh: 1000 },
    water: { m3: 1, t: 1 },
    gas: { m3: 1 },
    heat: { GJ: 1, MJ: 0.001, kWh: 0.0036 },
    cooling: { GJ: 1, MJ: 0.001, kWh: 0.0036 },
    diesel: massUnits('diesel', densities),
    steam: massUnits('steam', densities),
    lpg: massUnits('lpg', densities),
    gasoline: massUnits('gasoline', densities),
    kerosene: massUnits('kerosene', densities),
    coal: massUnits('coal', densities),
    // Entered already in standard coal (DOMAIN.md, "Forms": "other energy" in tce).
    other: { kgce: 1, tce: 1000 },
  });
}

/** Units of every energy with the default density table (DEFAULT_DENSITY_TABLE). */
export const METER_UNITS = meterUnits();

/** Factor converting a meter unit to the energy's native unit, or undefined when the unit does not fit the energy. */
export function unitFactorToNative(energy: Energy, unit: string): number | undefined {
  const units = METER_UNITS[energy];
  // Own keys only: `toString` or `constructor` is no unit.
  return Object.hasOwn(units, unit) ? units[unit] : undefined;
}
