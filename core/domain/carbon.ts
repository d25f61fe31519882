import { z } from 'zod';
import {
  CEC_EQUAL_VALUE_2021_2023,
  type EqualValueTable,
  type FuelFactorTable,
  GRID_REGIONS,
  type GridFactorTable,
  type GridRegion,
  MEE_NBS_GRID_2021_2023,
  NDRC_FUELS_2015,
} from './carbon-factors.js';
import { type CoefficientTable, DEFAULT_COEFFICIENT_TABLE, type Energy } from './energy.js';
import { localParts } from './time.js';

export type { GridRegion } from './carbon-factors.js';

/** A grid region (`national`, `north`, `northeast`, `east`, `central`, `northwest`, `southern`, `southwest`). */
export const GridRegionSchema = z.enum(GRID_REGIONS);

/**
 * The region of an institution without `gridRegion` when `DEFAULT_GRID_REGION` is unset: the
 * national average, because a wrong regional guess (North 0.6361 against South 0.4042 in 2023) errs
 * more than the average does, and the average is what the national statistics use when no region
 * is known.
 */
export const DEFAULT_GRID_REGION: GridRegion = 'national';

/** The carbon tables an answer converts with: grid factors, fuel factors and electricity's 等价值. */
export interface CarbonTables {
  readonly grid: GridFactorTable;
  readonly fuels: FuelFactorTable;
  readonly equalValue: EqualValueTable;
}

/** The tables used when configuration names none. */
export const DEFAULT_CARBON_TABLES: CarbonTables = Object.freeze({
  grid: MEE_NBS_GRID_2021_2023,
  fuels: NDRC_FUELS_2015,
  equalValue: CEC_EQUAL_VALUE_2021_2023,
});

/** A factor as looked up: its value, the table year and region it came from, and why it differs from the asked ones. */
export interface FactorUsed {
  readonly value: number;
  /** The table's year the value belongs to (a later year takes the latest, an earlier one the first). */
  readonly year?: number;
  /** The grid region the value belongs to (a region without a value that year takes `national`). */
  readonly region?: GridRegion;
  readonly note?: string;
}

/** The table year for a calendar year: itself, else the nearest one the table has, with a note. */
function tableYear(years: readonly number[], year: number, what: string): { year: number; note?: string } {
  if (years.includes(year)) return { year };
  const sorted = [...years].sort((a, b) => a - b);
  const first = sorted[0] ?? year;
  const latest = sorted[sorted.length - 1] ?? year;
  const used = year > latest ? latest : first;
  const why = year > latest ? 'latest' : 'earliest';
  return { year: used, note: `${what}: none for ${year}, ${used} used (${why} in the table)` };
}

/** Years of a table keyed by year. */
function yearsOf(record: Readonly<Record<number, unknown>>): number[] {
  return Object.keys(record).map(Number);
}

/**
 * The grid emission factor (kgCO₂/kWh) of a calendar year and region: a year after the table's
 * latest takes the latest, one before its first the first, and a region without a value that year
 * the national average, each with a note.
 */
export function gridFactor(
  year: number,
  region: GridRegion,
  table: GridFactorTable = DEFAULT_CARBON_TABLES.grid,
): FactorUsed {
  const y = tableYear(yearsOf(table.years), year, 'grid factor');
  const row = table.years[y.year];
  if (row === undefined) throw new Error(`grid factor table ${table.version} has no years`);
  const regional = row.kgco2PerKwh[region];
  const notes = y.note === undefined ? [] : [y.note];
  if (regional === undefined) notes.push(`grid factor ${y.year}: none for region ${region}, national average used`);
  return {
    value: regional ?? row.kgco2PerKwh.national,
    year: y.year,
    region: regional === undefined ? 'national' : region,
    ...(notes.length === 0 ? {} : { note: notes.join('; ') }),
  };
}

/**
 * The CO₂ emission factor (kgCO₂ per native unit) of an energy in a calendar year and grid region:
 * electricity by the grid factor, fuels and heat by theirs (not year-dependent); undefined for
 * water, a resource that emits nothing here (issue 16, item 2: water excluded).
 */
export function emissionFactor(
  energy: Energy,
  year: number,
  region: GridRegion,
  tables: CarbonTables = DEFAULT_CARBON_TABLES,
): FactorUsed | undefined {
  if (energy === 'electricity') return gridFactor(year, region, tables.grid);
  if (energy === 'water') return undefined;
  const value = tables.fuels.kgco2PerUnit[energy];
  return value === undefined ? undefined : { value };
}

/** The local calendar year of an instant. */
export function localYear(atMs: number, timeZone: string): number {
  return localParts(atMs, timeZone).year;
}

/** The emission factor of an energy at an instant (its local year) for a region; see `emissionFactor`. */
export function emissionFactorAt(
  energy: Energy,
  atMs: number,
  timeZone: string,
  region: GridRegion,
  tables: CarbonTables = DEFAULT_CARBON_TABLES,
): FactorUsed | undefined {
  return emissionFactor(energy, localYear(atMs, timeZone), region, tables);
}

/**
 * The 等价值 (equal-value) standard coal of an energy in a year, kgce per native unit: electricity
 * by the year's coal consumption of thermal power supply, every other energy keeps its 当量值
 * coefficient (the equal value differs from the calorific one for secondary energy bought from the
 * grid; DOMAIN.md, "Standard coal, two ways").
 */
export function equalValueFactor(
  energy: Energy,
  year: number,
  tables: CarbonTables = DEFAULT_CARBON_TABLES,
  coefficients: CoefficientTable = DEFAULT_COEFFICIENT_TABLE,
): FactorUsed {
  if (energy !== 'electricity') return { value: coefficients.kgcePerUnit[energy] };
  const table = tables.equalValue.electricityKgcePerKwh;
  const y = tableYear(yearsOf(table), year, 'equal value');
  return { value: table[y.year] ?? Number.NaN, year: y.year, ...(y.note === undefined ? {} : { note: y.note }) };
}

/** Converts an amount in an energy's native unit, used in a year and region, to kgCO₂; undefined for water. */
export function toKgco2(
  energy: Energy,
  amountNative: number,
  year: number,
  region: GridRegion,
  tables: CarbonTables = DEFAULT_CARBON_TABLES,
): number | undefined {
  const f = emissionFactor(energy, year, region, tables);
  return f === undefined ? undefined : amountNative * f.value;
}

/**
 * The exact kgCO₂ of an amount given in integer micro-units of its native unit, in integer
 * micro-kgCO₂: `round(amountMicro × factor)` per institution and energy, as kgce is (issue 16,
 * items 2 and 7); null for water, which has no factor.
 */
export function kgco2MicroOf(
  energy: Energy,
  amountMicro: number,
  year: number,
  region: GridRegion,
  tables: CarbonTables = DEFAULT_CARBON_TABLES,
): number | null {
  const kgco2Micro = toKgco2(energy, amountMicro, year, region, tables);
  return kgco2Micro === undefined ? null : Math.round(kgco2Micro);
}

/** Converts an amount in an energy's native unit, used in a year, to kgce by 等价值. */
export function toKgceEv(
  energy: Energy,
  amountNative: number,
  year: number,
  tables: CarbonTables = DEFAULT_CARBON_TABLES,
  coefficients: CoefficientTable = DEFAULT_COEFFICIENT_TABLE,
): number {
  return amountNative * equalValueFactor(energy, year, tables, coefficients).value;
}

/** The grid region of an institution: its valid `gridRegion`, else the default. */
export function regionOf(institution: { readonly gridRegion?: string } | undefined, fallback: GridRegion): GridRegion {
  const parsed = GridRegionSchema.safeParse(institution?.gridRegion);
  return parsed.success ? parsed.data : fallback;
}
