import { z } from 'zod';

/** Energy and resource types Jieneng meters, keyed by a stable English name. */
export const EnergySchema = z.enum(['electricity', 'water', 'gas', 'heat', 'cooling', 'diesel', 'steam', 'lpg']);
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
 */
export const GBT_2589_2020: CoefficientTable = Object.freeze({
  version: 'GB/T 2589-2020 (equivalent value)',
  source: 'GB/T 2589-2020 Appendix A; water, gas, cooling and LPG to be verified (DOMAIN.md)',
  kgcePerUnit: Object.freeze({
    electricity: 0.1229,
    water: 0.0857,
    gas: 1.2143,
    heat: 34.12,
    cooling: 34.12,
    diesel: 1.4571,
    steam: 0.1286,
    lpg: 1.7143,
  }),
});

/** Every coefficient table Jieneng knows, by version. */
export const COEFFICIENT_TABLES: Readonly<Record<string, CoefficientTable>> = Object.freeze({
  [GBT_2589_2020.version]: GBT_2589_2020,
});

/** The table used when configuration names none. */
export const DEFAULT_COEFFICIENT_TABLE = GBT_2589_2020;

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
