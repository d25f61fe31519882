import { z } from 'zod';

/** Energy and resource types Jieneng meters, keyed by a stable English name. */
export const EnergySchema = z.enum([
  'electricity',
  'water',
  'gas',
  'heat',
  'cooling',
  'diesel',
  'steam',
  'lpg',
  'gasoline',
  'kerosene',
  'coal',
  'other',
]);
/** An energy type key, e.g. `electricity`. */
export type Energy = z.infer<typeof EnergySchema>;

/** Static facts of an energy type: its statistical code, native unit and labels. */
export interface EnergyInfo {
  readonly energy: Energy;
  /** Energy item code used in Chinese public-institution statistics (01 electricity, 02 water, …). */
  readonly code: string;
  /** The unit meters of this type count in, e.g. `kWh`, `m3`, `GJ`. */
  readonly nativeUnit: string;
  readonly nameZh: string;
  readonly nameEn: string;
  /** Water is a resource, not energy: it is reported in its own unit and not added into total kgce. */
  readonly countsAsEnergy: boolean;
}

/** Every energy type with its native unit (see DOMAIN.md, "Energy types, units and the standard-coal conversion"). */
export const ENERGY_INFO: Readonly<Record<Energy, EnergyInfo>> = Object.freeze({
  electricity: {
    energy: 'electricity',
    code: '01',
    nativeUnit: 'kWh',
    nameZh: '电',
    nameEn: 'Electricity',
    countsAsEnergy: true,
  },
  water: { energy: 'water', code: '02', nativeUnit: 'm3', nameZh: '水', nameEn: 'Water', countsAsEnergy: false },
  gas: { energy: 'gas', code: '03', nativeUnit: 'm3', nameZh: '天然气', nameEn: 'Natural gas', countsAsEnergy: true },
  heat: { energy: 'heat', code: '04', nativeUnit: 'GJ', nameZh: '热力', nameEn: 'District heat', countsAsEnergy: true },
  cooling: {
    energy: 'cooling',
    code: '05',
    nativeUnit: 'GJ',
    nameZh: '冷量',
    nameEn: 'District cooling',
    countsAsEnergy: true,
  },
  diesel: { energy: 'diesel', code: '12', nativeUnit: 'kg', nameZh: '柴油', nameEn: 'Diesel', countsAsEnergy: true },
  steam: { energy: 'steam', code: '13', nativeUnit: 'kg', nameZh: '蒸汽', nameEn: 'Steam', countsAsEnergy: true },
  lpg: { energy: 'lpg', code: '14', nativeUnit: 'kg', nameZh: '液化石油气', nameEn: 'LPG', countsAsEnergy: true },
  // Fuels that bureaus report, mostly entered by hand as deliveries (issue 15, item 5). Codes 15–18
  // continue Jieneng's own 12–14; the statistics forms' item codes are to be verified (DOMAIN.md).
  gasoline: {
    energy: 'gasoline',
    code: '15',
    nativeUnit: 'kg',
    nameZh: '汽油',
    nameEn: 'Gasoline',
    countsAsEnergy: true,
  },
  kerosene: {
    energy: 'kerosene',
    code: '16',
    nativeUnit: 'kg',
    nameZh: '煤油',
    nameEn: 'Kerosene',
    countsAsEnergy: true,
  },
  coal: { energy: 'coal', code: '17', nativeUnit: 'kg', nameZh: '原煤', nameEn: 'Coal', countsAsEnergy: true },
  // "Other energy" is reported already in standard coal (DOMAIN.md, "Forms"): its native unit is kgce.
  other: {
    energy: 'other',
    code: '18',
    nativeUnit: 'kgce',
    nameZh: '其他能源',
    nameEn: 'Other energy',
    countsAsEnergy: true,
  },
});

/** A versioned table of standard-coal coefficients (kgce per native unit). */
export interface CoefficientTable {
  /** Identifier recorded in every report that used the table. */
  readonly version: string;
  readonly source: string;
  readonly kgcePerUnit: Readonly<Record<Energy, number>>;
}

/**
 * GB/T 2589-2020 "当量值" coefficients. Values marked [verify] in DOMAIN.md (water, gas, cooling,
 * LPG) are kept here as data so that a later edition or a local rule can replace them.
 *
 * Gasoline, kerosene and coal (issue 15, item 5) joined the table under the same version: they are
 * the same edition's reference values (Appendix A: gasoline and kerosene 43 070 kJ/kg, raw coal
 * 20 908 kJ/kg, over 29 307 kJ/kgce), and no figure computed before changes, since no meter of
 * those energies could exist before. `other` is entered in kgce, so its coefficient is 1 by
 * definition. Any change of a value is a new version.
 */
export const GBT_2589_2020: CoefficientTable = Object.freeze({
  version: 'GB/T 2589-2020 (equivalent value)',
  source:
    'GB/T 2589-2020 Appendix A; water, gas, cooling and LPG to be verified (DOMAIN.md), gasoline, kerosene and raw coal to be verified against the text',
  kgcePerUnit: Object.freeze({
    electricity: 0.1229,
    water: 0.0857,
    gas: 1.2143,
    heat: 34.12,
    cooling: 34.12,
    diesel: 1.4571,
    steam: 0.1286,
    lpg: 1.7143,
    gasoline: 1.4714,
    kerosene: 1.4714,
    coal: 0.7143,
    other: 1,
  }),
});

/** Every coefficient table Jieneng knows, by version. */
export const COEFFICIENT_TABLES: Readonly<Record<string, CoefficientTable>> = Object.freeze({
  [GBT_2589_2020.version]: GBT_2589_2020,
});

/** The table used when configuration names none. */
export const DEFAULT_COEFFICIENT_TABLE = GBT_2589_2020;

/**
 * A versioned table of liquid-fuel densities, in kg per litre, that convert litres (how fuel is
 * bought and how the statistics forms count oil) into the fuels' native kilograms, in which GB/T
 * 2589 gives coefficients.
 */
export interface DensityTable {
  /** Identifier of the table, named beside the units it converts (README, "Manual meters and fuels"). */
  readonly version: string;
  readonly source: string;
  /** Density per liquid fuel, kg/L; an energy without one has no litre unit. */
  readonly kgPerLitre: Readonly<Partial<Record<Energy, number>>>;
}

/**
 * Typical densities at 20 °C, inside the ranges of the product standards: gasoline 0.73 (GB 17930:
 * 720–775 kg/m³), diesel 0.84 (GB 19147: 810–845 kg/m³), kerosene 0.80 (GB 6537: 775–830 kg/m³).
 * **[verify]** against the conversion the statistics system prescribes. A litre reading is stored
 * as received and converted when consumption is derived: a new table takes effect after the
 * `rebuild` job.
 */
export const FUEL_DENSITIES_2026: DensityTable = Object.freeze({
  version: 'Jieneng fuel densities 2026 (typical, 20 °C)',
  source: 'GB 17930, GB 19147, GB 6537 ranges; typical values to be verified (DOMAIN.md)',
  kgPerLitre: Object.freeze({ gasoline: 0.73, diesel: 0.84, kerosene: 0.8 }),
});

/** The density table meter units convert litres with. */
export const DEFAULT_DENSITY_TABLE = FUEL_DENSITIES_2026;

/** Converts a quantity in the energy's native unit to kilograms of standard coal equivalent. */
export function toKgce(
  energy: Energy,
  quantityNative: number,
  table: CoefficientTable = DEFAULT_COEFFICIENT_TABLE,
): number {
  return quantityNative * table.kgcePerUnit[energy];
}

/** The native unit of an energy type, e.g. `kWh` for electricity. */
export function nativeUnitOf(energy: Energy): string {
  return ENERGY_INFO[energy].nativeUnit;
}
