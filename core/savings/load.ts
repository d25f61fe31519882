/**
 * What a savings project is computed from (issue 18, item 3), read from the platform: the scope's
 * hourly consumption from the store's aggregates with its completeness, the station's hourly
 * temperatures from `store.weather`, and the conversions of savings into kgce (the coefficient
 * table in force), kgCO₂ (the emission factors of each month's year and the institution's grid
 * region) and yuan (each month's average price of the scope's metered use, from bills and
 * tariffs).
 */

import { scopeCost } from '../cost/scope-cost.js';
import {
  DEFAULT_CARBON_TABLES,
  DEFAULT_GRID_REGION,
  emissionFactor,
  type GridRegion,
  regionOf,
} from '../domain/carbon.js';
import { type CoefficientTable, nativeUnitOf } from '../domain/energy.js';
import type { MeterEventInput } from '../domain/meter-events.js';
import { activeSpan, metersInScope } from '../domain/quality.js';
import { meterKind, type Registry } from '../domain/registry.js';
import type { SavingsAdjustment, SavingsProject } from '../domain/savings-projects.js';
import { parseScope, type Scope } from '../domain/scope.js';
import { bucketStarts, HOUR_MS, localParts } from '../domain/time.js';
import {
  type ConsumptionHour,
  projectPeriods,
  type SavingsConversions,
  type SavingsProjectData,
} from '../mv/project.js';
import type { MeterFilter, Store } from '../storage/store.js';

/** What the loader reads with. */
export interface SavingsSource {
  readonly store: Store;
  readonly registry: Registry;
  readonly timeZone: string;
  readonly coefficients: CoefficientTable;
  readonly defaultGridRegion?: GridRegion;
  /** A meter's lifecycle events (install, decommission …): when it was expected to report. */
  readonly eventsOf: (meterId: string) => readonly MeterEventInput[];
  readonly nowMs: number;
}

const pad = (n: number) => String(n).padStart(2, '0');
const monthOf = (ms: number, timeZone: string) => {
  const p = localParts(ms, timeZone);
  return `${p.year}-${pad(p.month)}`;
};

/** The store's meter filter of a project's scope. */
function filterOf(scope: Scope, energy: SavingsProject['energy']): MeterFilter {
  if (scope.level === 'meter') return { meterId: scope.id, energy };
  if (scope.level === 'building') return { buildingId: scope.id, energy };
  if (scope.level === 'institution') return { institutionId: scope.id, energy };
  throw new Error(`a savings project's scope is a meter, building or institution, not ${scope.level}`);
}

/** What reading a scope's hourly consumption needs (weather-normalised comparisons use it too, issue 18 item 4). */
export type ConsumptionSource = Pick<SavingsSource, 'store' | 'registry' | 'timeZone' | 'eventsOf' | 'nowMs'>;

/**
 * The scope's hourly use over [fromMs, toMs) (a meter, building or institution): an hour is complete when every meter of the scope
 * and energy that was expected to report then (installed, not decommissioned; virtual meters
 * aside) has a good hour — missing, estimated (spread over a gap) and suspect hours are not.
 */
export async function scopeConsumptionHours(
  source: ConsumptionSource,
  scope: Scope,
  energy: SavingsProject['energy'],
  fromMs: number,
  toMs: number,
): Promise<ConsumptionHour[]> {
  const meters = metersInScope(source.registry, scope, { energy }).filter((m) => meterKind(m) !== 'virtual');
  const spans = meters.map((m) => activeSpan(m, source.eventsOf(m.id), fromMs, toMs, source.nowMs));
  const rows = await source.store.aggregate({
    filter: filterOf(scope, energy),
    fromMs,
    toMs,
    interval: 'hour',
    timeZone: source.timeZone,
    groupBy: 'none',
    sums: ['qualityHours'],
  });
  const out: ConsumptionHour[] = [];
  for (const r of rows) {
    const h = r.bucketStartMs;
    const expected = spans.filter((s) => s.fromMs <= h && h + HOUR_MS <= s.toMs).length;
    const complete = expected > 0 && r.goodHours >= expected && r.estimatedHours === 0 && r.suspectHours === 0;
    out.push({ hourMs: h, amount: complete ? r.amount : Number.NaN });
  }
  return out;
}

/** kgce, kgCO₂ and yuan per native unit for a project. */
async function conversionsOf(
  source: SavingsSource,
  scope: Scope,
  project: SavingsProject,
  reporting: { fromMs: number; toMs: number },
): Promise<SavingsConversions> {
  const { registry, coefficients } = source;
  const energy = project.energy;
  const kgcePerUnit = coefficients.kgcePerUnit[energy];
  const id = scope.level === 'city' ? '' : scope.id;
  const buildingId = scope.level === 'building' ? id : registry.meters.find((m) => m.id === id)?.buildingId;
  const institutionId =
    scope.level === 'institution' ? id : registry.buildings.find((b) => b.id === buildingId)?.institutionId;
  const region = regionOf(
    registry.institutions.find((i) => i.id === institutionId),
    source.defaultGridRegion ?? DEFAULT_GRID_REGION,
  );
  const hasCarbon = emissionFactor(energy, 2023, region) !== undefined;
  const carbonTable = energy === 'electricity' ? DEFAULT_CARBON_TABLES.grid : DEFAULT_CARBON_TABLES.fuels;
  const prices = await monthlyPrices(source, scope, project, reporting);
  return {
    kgcePerUnit,
    kgceBasis: `${coefficients.version}: ${kgcePerUnit} kgce per ${nativeUnitOf(energy)}`,
    ...(hasCarbon
      ? {
          kgco2PerUnit: (month: string) => emissionFactor(energy, Number(month.slice(0, 4)), region)?.value,
          kgco2Basis: `${carbonTable.version}${energy === 'electricity' ? `, grid region ${region}, factor of each month's year` : ''}`,
        }
      : {}),
    ...(prices === undefined
      ? {}
      : {
          yuanPerUnit: (month: string) => prices.get(month),
          yuanBasis:
            "each month's average price of the scope's metered use (bills where they cover it, else tariffs × consumption)",
        }),
  };
}

/**
 * Yuan per native unit by reporting month: the month's cost of the scope (`scopeCost`) over its
 * metered use. Undefined when any of the period's use is priced by nothing (no bill, no tariff).
 */
async function monthlyPrices(
  source: SavingsSource,
  scope: Scope,
  project: SavingsProject,
  reporting: { fromMs: number; toMs: number },
): Promise<Map<string, number> | undefined> {
  if (reporting.toMs <= reporting.fromMs) return undefined;
  const starts = bucketStarts(reporting.fromMs, reporting.toMs, 'month', source.timeZone);
  const cost = await scopeCost(source.store, source.registry, {
    scope,
    energy: project.energy,
    fromMs: reporting.fromMs,
    toMs: reporting.toMs,
    bucketStartsMs: starts,
    timeZone: source.timeZone,
  });
  if (cost.uncosted.length > 0 || cost.micro === 0) return undefined;
  const used = await source.store.aggregate({
    filter: filterOf(scope, project.energy),
    fromMs: reporting.fromMs,
    toMs: reporting.toMs,
    interval: 'month',
    timeZone: source.timeZone,
    groupBy: 'none',
    sums: [],
  });
  const quantity = new Map(used.map((r) => [r.bucketStartMs, r.amount]));
  const out = new Map<string, number>();
  for (const b of cost.buckets) {
    const q = quantity.get(b.startMs) ?? 0;
    if (q > 0) out.set(monthOf(b.startMs, source.timeZone), b.micro / 1e6 / q);
  }
  return out;
}

/** Reads everything `computeSavingsProject` needs for a project and its adjustments. */
export async function loadSavingsProjectData(
  source: SavingsSource,
  project: SavingsProject,
  adjustments: readonly SavingsAdjustment[],
): Promise<SavingsProjectData> {
  const scope = parseScope(project.scope);
  if (scope === undefined) throw new Error(`bad scope ${project.scope}`);
  const periods = projectPeriods(project, source.timeZone, source.nowMs);
  const fromMs = periods.baselineFromMs;
  const toMs = periods.reportingToMs;
  const [consumption, temperatures, conversions] = await Promise.all([
    scopeConsumptionHours(source, scope, project.energy, fromMs, toMs),
    source.store.weather.observations(project.weatherStationId, fromMs, toMs),
    conversionsOf(source, scope, project, { fromMs: periods.reportingFromMs, toMs }),
  ]);
  return {
    project,
    adjustments,
    consumption,
    temperatures,
    timeZone: source.timeZone,
    nowMs: source.nowMs,
    conversions,
  };
}
