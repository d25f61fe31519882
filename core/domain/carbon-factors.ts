import type { Energy } from './energy.js';

/**
 * Power grid regions whose emission factors the Ministry of Ecology and Environment (MEE) and the
 * National Bureau of Statistics (NBS) publish: the national average and the seven regional grids
 * (华北, 东北, 华东, 华中, 西北, 南方, 西南).
 */
export const GRID_REGIONS = [
  'national',
  'north',
  'northeast',
  'east',
  'central',
  'northwest',
  'southern',
  'southwest',
] as const;
/** A grid region key, e.g. `east` (华东). */
export type GridRegion = (typeof GRID_REGIONS)[number];

/** Chinese names of the grid regions, for reports. */
export const GRID_REGION_NAMES_ZH: Readonly<Record<GridRegion, string>> = Object.freeze({
  national: '全国',
  north: '华北',
  northeast: '东北',
  east: '华东',
  central: '华中',
  northwest: '西北',
  southern: '南方',
  southwest: '西南',
});

/** Grid emission factors of one year, kgCO₂/kWh; a region without one falls back to `national`. */
export interface GridYear {
  readonly kgco2PerKwh: Readonly<Partial<Record<GridRegion, number>>> & { readonly national: number };
  readonly source: string;
}

/** Average CO₂ emission factors of grid electricity, by year and region. */
export interface GridFactorTable {
  readonly version: string;
  readonly source: string;
  readonly years: Readonly<Record<number, GridYear>>;
}

/**
 * MEE/NBS average grid emission factors (location-based, all electricity, not the variant that
 * excludes market-traded non-fossil power, 0.5856 in 2022), as quoted in DOMAIN.md, "Carbon".
 * **[verify]** every value against the announcements. 2021: DOMAIN.md quotes the national average
 * only; the regional 2021 factors of the same announcement are left out until read from the
 * official text, so 2021 regions take the national average (with a note in every answer).
 * 0.5703 (fixed in 2023 for the carbon market's company reports) is deliberately not here.
 */
export const MEE_NBS_GRID_2021_2023: GridFactorTable = Object.freeze({
  version: 'MEE/NBS grid emission factors 2021-2023',
  source:
    'Ministry of Ecology and Environment and National Bureau of Statistics, announced electricity CO2 emission factors (national and regional averages) [verify]',
  years: Object.freeze({
    2021: { kgco2PerKwh: { national: 0.5568 }, source: 'MEE/NBS 2021 factors: national average only here [verify]' },
    2022: {
      kgco2PerKwh: {
        national: 0.5366,
        north: 0.6776,
        northeast: 0.5564,
        east: 0.5617,
        central: 0.5395,
        northwest: 0.5857,
        southern: 0.3869,
        southwest: 0.2268,
      },
      source: 'MEE/NBS 2022 factors (2024 announcement) [verify]',
    },
    2023: {
      kgco2PerKwh: {
        national: 0.5306,
        north: 0.6361,
        northeast: 0.5122,
        east: 0.55,
        central: 0.5271,
        northwest: 0.5543,
        southern: 0.4042,
        southwest: 0.2472,
      },
      source: 'MEE/NBS 2023 factors (2025 announcement) [verify]',
    },
  }),
});

/** CO₂ emission factors of fuels and purchased heat, kgCO₂ per native unit (water has none). */
export interface FuelFactorTable {
  readonly version: string;
  readonly source: string;
  readonly kgco2PerUnit: Readonly<Partial<Record<Exclude<Energy, 'electricity'>, number>>>;
}

/**
 * Default factors of the NDRC accounting guidelines (《公共建筑运营单位（企业）温室气体排放核算方法和
 * 报告指南（试行）》 and the 24 industry guidelines, 2013–2015), each = net calorific value × carbon
 * per unit heat × oxidation rate × 44/12 **[verify all]**:
 * - gas: 389.31 GJ/10⁴ m³ × 15.3 tC/TJ × 0.99 → 2.1622 kgCO₂/m³;
 * - diesel: 42.652 GJ/t × 20.2 tC/TJ × 0.98 → 3.0959 kgCO₂/kg;
 * - gasoline: 43.070 GJ/t × 18.9 tC/TJ × 0.98 → 2.9251 kgCO₂/kg;
 * - kerosene: 43.070 GJ/t × 19.5 tC/TJ × 0.98 → 3.0179 kgCO₂/kg;
 * - LPG: 50.179 GJ/t × 17.2 tC/TJ × 0.98 → 3.1013 kgCO₂/kg;
 * - raw coal: 20.908 GJ/t × 26.37 tC/TJ × 0.94 → 1.9003 kgCO₂/kg;
 * - heat: 0.11 tCO₂/GJ → 110 kgCO₂/GJ; cooling as heat (as the kgce table does) **[verify]**;
 * - steam (0.8 MPa saturated): the guidelines' (enthalpy 2768.3 − 83.74 kJ/kg) × 0.11 kgCO₂/MJ →
 *   0.2953 kgCO₂/kg;
 * - other (entered in kgce): 2.66 kgCO₂/kgce, the coal-dominated mix figure of the NDRC Energy
 *   Research Institute, a rough proxy **[verify]**.
 */
export const NDRC_FUELS_2015: FuelFactorTable = Object.freeze({
  version: 'NDRC GHG accounting guideline defaults (2015)',
  source:
    'NDRC public-building and industry GHG accounting guidelines, default NCV × carbon content × oxidation; heat 0.11 tCO2/GJ; other 2.66 kgCO2/kgce [verify]',
  kgco2PerUnit: Object.freeze({
    gas: 2.1622,
    heat: 110,
    cooling: 110,
    diesel: 3.0959,
    steam: 0.2953,
    lpg: 3.1013,
    gasoline: 2.9251,
    kerosene: 3.0179,
    coal: 1.9003,
    other: 2.66,
  }),
});

/** 等价值 (equal-value) standard coal of electricity by year, kgce/kWh. */
export interface EqualValueTable {
  readonly version: string;
  readonly source: string;
  readonly electricityKgcePerKwh: Readonly<Record<number, number>>;
}

/**
 * Electricity's 等价值: the national average coal consumption of thermal power supply (供电标准煤耗)
 * of 6 MW and larger plants, as reported by the China Electricity Council (CEC) yearly statistics:
 * 2021 302.5, 2022 300.7, 2023 303.6 gce/kWh **[verify all; 2023 least certain]**.
 */
export const CEC_EQUAL_VALUE_2021_2023: EqualValueTable = Object.freeze({
  version: 'CEC coal consumption of thermal power supply 2021-2023 (equal value)',
  source: 'China Electricity Council annual statistics, gce/kWh of 6 MW+ thermal plants [verify]',
  electricityKgcePerKwh: Object.freeze({ 2021: 0.3025, 2022: 0.3007, 2023: 0.3036 }),
});
