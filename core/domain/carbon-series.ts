import { z } from 'zod';
import {
  type CarbonTables,
  DEFAULT_CARBON_TABLES,
  emissionFactor,
  equalValueFactor,
  type FactorUsed,
  type GridRegion,
  GridRegionSchema,
  gridFactor,
  localYear,
  regionOf,
} from './carbon.js';
import { type CoefficientTable, DEFAULT_COEFFICIENT_TABLE } from './energy.js';
import type { Registry } from './registry.js';
import type { Scope } from './scope.js';
import type { EnergyCell } from './series.js';

/** Units whose factor depends on the year (and, for CO₂, the grid region): kgCO₂ and 等价值 kgce. */
export const CARBON_UNITS = ['kgco2', 'kgce_ev'] as const;
/** `kgco2` or `kgce_ev`. */
export type CarbonUnit = (typeof CARBON_UNITS)[number];

/** Whether a unit is converted per year (and region) by the carbon tables. */
export function isCarbonUnit(unit: string): unit is CarbonUnit {
  return (CARBON_UNITS as readonly string[]).includes(unit);
}

/**
 * How a scope's figures meet their regions: a scope inside one institution (institution, building,
 * meter) has one region and is aggregated as it is; a district or the city is aggregated by
 * institution (`groupBy: 'institution'`, which counts a meter tree as the total does) so that each
 * institution's electricity takes its own region's factor.
 */
export interface CarbonPlan {
  readonly groupBy: 'none' | 'institution';
  /** The region of an aggregate row, by its group id (an institution id, or '' for `none`). */
  readonly regionOfGroup: (groupId: string) => GridRegion;
  /** The distinct regions of the scope's institutions, sorted. */
  readonly regions: readonly GridRegion[];
}

/** The institution ids a scope lies in (a building or meter: its building's institution). */
function institutionIds(scope: Scope, registry: Registry): string[] {
  switch (scope.level) {
    case 'city':
      return registry.institutions.map((i) => i.id);
    case 'district':
      return registry.institutions.filter((i) => i.districtId === scope.id).map((i) => i.id);
    case 'institution':
      return [scope.id];
    case 'building':
    case 'meter': {
      const buildingId =
        scope.level === 'building' ? scope.id : registry.meters.find((m) => m.id === scope.id)?.buildingId;
      const id = registry.buildings.find((b) => b.id === buildingId)?.institutionId;
      return id === undefined ? [] : [id];
    }
  }
}

/** The plan of a scope; institutions without a valid `gridRegion` take `defaultRegion`. */
export function carbonPlan(scope: Scope, registry: Registry, defaultRegion: GridRegion): CarbonPlan {
  const ids = institutionIds(scope, registry);
  const byId = new Map(
    registry.institutions.filter((i) => ids.includes(i.id)).map((i) => [i.id, regionOf(i, defaultRegion)]),
  );
  const regions = [...new Set(byId.values())].sort();
  const single = scope.level !== 'city' && scope.level !== 'district';
  const one = regions[0] ?? defaultRegion;
  return {
    groupBy: single ? 'none' : 'institution',
    regionOfGroup: single ? () => one : (groupId) => byId.get(groupId) ?? defaultRegion,
    regions: regions.length === 0 ? [defaultRegion] : regions,
  };
}

/** The conversion an answer asks for, with the tables it uses. */
export interface CarbonConversion {
  readonly unit: CarbonUnit;
  readonly timeZone: string;
  readonly tables?: CarbonTables;
  readonly coefficients?: CoefficientTable;
}

/** The factor of a row's energy in its bucket's local year and its group's region; undefined for water in kgCO₂. */
function factorOf(cell: EnergyCell, region: GridRegion, c: CarbonConversion): FactorUsed | undefined {
  const year = localYear(cell.bucketStartMs, c.timeZone);
  const tables = c.tables ?? DEFAULT_CARBON_TABLES;
  return c.unit === 'kgco2'
    ? emissionFactor(cell.energy, year, region, tables)
    : equalValueFactor(cell.energy, year, tables, c.coefficients ?? DEFAULT_COEFFICIENT_TABLE);
}

/**
 * Converts aggregate rows (native units, per bucket and group) into cells in kgCO₂ or 等价值 kgce:
 * each row by the factor of its bucket's year and its group's region. A bucket (hour to year) lies
 * in one calendar year, so a range over a year boundary is converted year by year; a `total`
 * aggregate must therefore not span years (ask by `year` and add up). Estimated amounts are
 * converted alike, so an estimated share stays a share of the converted figure. Water rows drop
 * out of kgCO₂.
 */
export function convertCells<R extends EnergyCell & { readonly groupId: string }>(
  rows: readonly R[],
  plan: Pick<CarbonPlan, 'regionOfGroup'>,
  c: CarbonConversion,
): EnergyCell[] {
  const out: EnergyCell[] = [];
  for (const row of rows) {
    const f = factorOf(row, plan.regionOfGroup(row.groupId), c);
    if (f === undefined) continue;
    out.push({
      bucketStartMs: row.bucketStartMs,
      energy: row.energy,
      amount: row.amount * f.value,
      estimated: row.estimated * f.value,
    });
  }
  return out;
}

/** What an answer names about its conversion: the tables, the table years and regions used, and fallbacks. */
export const FactorsUsedSchema = z.object({
  table: z.string().describe("the year-dependent table: grid factors (kgCO₂) or electricity's 等价值 (kgce_ev)"),
  fuels: z.string().optional().describe('kgCO₂: the fuel factor table'),
  coefficients: z.string().optional().describe('kgce_ev: the 当量值 table other energies keep'),
  years: z.array(z.number()).describe('table years used, ascending'),
  regions: z.array(GridRegionSchema).optional().describe("kgCO₂: the grid regions of the scope's institutions"),
  notes: z
    .array(z.string())
    .optional()
    .describe('why a year or region differs from the one asked (a later year, a region without a value)'),
});

/** What an answer names about its conversion. */
export type FactorsUsed = z.infer<typeof FactorsUsedSchema>;

/** The factors an answer over these buckets and the plan's regions used. */
export function factorsUsed(
  bucketStartsMs: readonly number[],
  plan: Pick<CarbonPlan, 'regions'>,
  c: CarbonConversion,
): FactorsUsed {
  const tables = c.tables ?? DEFAULT_CARBON_TABLES;
  const calendarYears = [...new Set(bucketStartsMs.map((ms) => localYear(ms, c.timeZone)))];
  const years = new Set<number>();
  const notes = new Set<string>();
  const add = (f: FactorUsed) => {
    if (f.year !== undefined) years.add(f.year);
    if (f.note !== undefined) notes.add(f.note);
  };
  for (const year of calendarYears) {
    if (c.unit === 'kgce_ev') add(equalValueFactor('electricity', year, tables));
    else for (const region of plan.regions) add(gridFactor(year, region, tables.grid));
  }
  const base =
    c.unit === 'kgco2'
      ? { table: tables.grid.version, fuels: tables.fuels.version, regions: [...plan.regions] }
      : {
          table: tables.equalValue.version,
          coefficients: (c.coefficients ?? DEFAULT_COEFFICIENT_TABLE).version,
        };
  return {
    ...base,
    years: [...years].sort((a, b) => a - b),
    ...(notes.size === 0 ? {} : { notes: [...notes] }),
  };
}

/** The unit label of a carbon answer, e.g. `kgco2`, `kgco2/m2`, `kgce_ev/capita`. */
export function carbonUnitLabel(unit: CarbonUnit, per: 'm2' | 'capita' | undefined): string {
  return per === undefined ? unit : `${unit}/${per}`;
}
