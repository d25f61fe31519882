import { groupBy } from '../collections.js';
import type { AnomalyEvent } from '../domain/anomalies.js';
import { type CarbonTables, type GridRegion, kgco2MicroOf } from '../domain/carbon.js';
import { type CoefficientTable, ENERGY_INFO, type Energy } from '../domain/energy.js';
import { type Fact, institutionDenominators, periodSoFar } from '../domain/facts.js';
import type { MeterEvent } from '../domain/meter-events.js';
import { COMPLETENESS_THRESHOLD } from '../domain/quality.js';
import type { Institution, Registry } from '../domain/registry.js';
import { formatScope, type Scope } from '../domain/scope.js';
import type { Target } from '../domain/targets.js';
import { bucketStarts, formatLocalIso, localParts } from '../domain/time.js';
import type { AggregateRow } from '../storage/store.js';
import { type EnergyFigures, energyFigures } from './energy-figures.js';
import {
  attainment,
  changes,
  denominators,
  intensities,
  kgco2Of,
  qualityOf,
  type RowWithRaw,
  shownLineCostCarbon,
  shownTotalCostCarbon,
  subtotal,
  sumTotalCostCarbon,
} from './figures.js';
import {
  AMOUNT_DECIMALS,
  type EnergyLine,
  type ExactLine,
  fromMicro,
  type InstitutionRow,
  MICRO,
  type ReportModel,
  roundTo,
  toMicro,
} from './model.js';
import type { PeriodRange, ReportPeriod } from './params.js';

/** Everything a report is assembled from: the registry, stored aggregates and the period's events. */
export interface ReportInputs {
  readonly period: ReportPeriod;
  readonly scope: Scope;
  readonly registry: Registry;
  readonly timeZone: string;
  readonly coefficients: CoefficientTable;
  readonly nowMs: number;
  /** The period, `interval: 'total'`, grouped by institution. */
  readonly periodRows: readonly AggregateRow[];
  /** The previous month grouped by institution (monthly reports). */
  readonly previousRows?: readonly AggregateRow[];
  /** The same period last year grouped by institution. */
  readonly lastYearRows: readonly AggregateRow[];
  /** The scope's consumption by month over `trend` (groupBy none). */
  readonly trend: PeriodRange;
  readonly trendRows: readonly AggregateRow[];
  readonly targets: readonly Target[];
  /** Anomaly events overlapping the period. */
  readonly anomalies: readonly AnomalyEvent[];
  /** Every meter lifecycle event (decommissions shorten the expected readings). */
  readonly events: readonly MeterEvent[];
  /** Effective-dated floor areas and occupants (none: the registry's values hold throughout). */
  readonly facts?: readonly Fact[];
  /** What cost and kgCO₂ are computed from; absent (a `figuresOnly` report): neither is. */
  readonly costCarbon?: CostCarbonInputs;
}

/** What a report's cost and kgCO₂ figures are computed from (issue 16, items 1 and 2). */
export interface CostCarbonInputs {
  /** Micro-yuan by institution and energy over the period (`costByInstitution`). */
  readonly costMicro: ReadonlyMap<string, ReadonlyMap<Energy, number>>;
  /** The grid region of an institution: its own, else the default (`regionOf`). */
  readonly regionOf: (institutionId: string) => GridRegion;
  readonly tables: CarbonTables;
}

const ENERGY_ORDER = Object.keys(ENERGY_INFO) as Energy[];

/** The institutions a report scope covers, by district (registry order) then id. */
export function institutionsInScope(registry: Registry, scope: Scope): Institution[] {
  const order = new Map(registry.districts.map((d, i) => [d.id, i]));
  return registry.institutions
    .filter((i) =>
      scope.level === 'city' ? true : scope.level === 'district' ? i.districtId === scope.id : i.id === scope.id,
    )
    .sort((a, b) => (order.get(a.districtId) ?? 0) - (order.get(b.districtId) ?? 0) || a.id.localeCompare(b.id));
}

/** Per (institution, energy): the sum of aggregate rows grouped by institution, in micro-units. */
function byInstitution(rows: readonly AggregateRow[] | undefined): Map<string, Map<Energy, number>> {
  const out = new Map<string, Map<Energy, number>>();
  for (const r of rows ?? []) {
    const m = out.get(r.groupId) ?? new Map<Energy, number>();
    m.set(r.energy, (m.get(r.energy) ?? 0) + toMicro(r.amount));
    out.set(r.groupId, m);
  }
  return out;
}

/** Anomalies per institution: events on the institution or on one of its meters or buildings. */
function anomalyCounts(inputs: ReportInputs): Map<string, number> {
  const { registry } = inputs;
  const counts = new Map<string, number>();
  if (inputs.anomalies.length === 0) return counts;
  const building = new Map(registry.buildings.map((b) => [b.id, b.institutionId]));
  const meter = new Map(registry.meters.map((m) => [m.id, building.get(m.buildingId) ?? '']));
  for (const a of inputs.anomalies) {
    const colon = a.scope.indexOf(':');
    const [level, id] = [a.scope.slice(0, colon), a.scope.slice(colon + 1)];
    const inst =
      level === 'institution' ? id : level === 'meter' ? meter.get(id) : level === 'building' ? building.get(id) : '';
    if (inst) counts.set(inst, (counts.get(inst) ?? 0) + 1);
  }
  return counts;
}

function institutionRow(
  inputs: ReportInputs,
  inst: Institution,
  meters: readonly EnergyFigures[],
  reference: { previous: Map<Energy, number> | undefined; lastYear: Map<Energy, number> | undefined },
  anomalies: number,
  own: { readonly targets: readonly Target[]; readonly facts: readonly Fact[]; readonly districtName: string },
): RowWithRaw {
  const { coefficients: table, period } = inputs;
  const targets = own.targets;
  const monthly = period.kind === 'monthly';
  const scope = `institution:${inst.id}`;
  // In force over the period so far, time-weighted where a fact changes them: intensity = kgce / shown area.
  const w = institutionDenominators(inst, own.facts, periodSoFar(period, inputs.nowMs), inputs.timeZone);
  const d = denominators({ floorAreaM2Micro: toMicro(w.floorAreaM2), occupantsMicro: toMicro(w.occupants) });
  // Exact kgce of an institution's energy, in micro-units: every kgce total is a sum of these (issue 16, item 7).
  const kgceMicroOf = (energy: Energy, micro: number) => Math.round(micro * table.kgcePerUnit[energy]);
  const energies = ENERGY_ORDER.filter((e) => meters.some((m) => m.energy === e));
  // Cost and kgCO₂ exactly as the statistics forms compute them: the period's year, the institution's region.
  const cc = inputs.costCarbon;
  const year = Number(period.period.slice(0, 4));
  const costCarbonOf = (energy: Energy, amountMicro: number) =>
    cc === undefined
      ? {}
      : {
          costMicro: cc.costMicro.get(inst.id)?.get(energy) ?? 0,
          kgco2Micro: kgco2MicroOf(energy, amountMicro, year, cc.regionOf(inst.id), cc.tables),
        };
  const estimatedNative = new Map<Energy, number>();
  const lines: EnergyLine[] = energies.map((energy) => {
    const ms = meters.filter((m) => m.energy === energy);
    const amountMicro = ms.reduce((s, m) => s + m.amountMicro, 0);
    const exact: ExactLine = {
      amountMicro,
      kgceMicro: kgceMicroOf(energy, amountMicro),
      previousMicro: reference.previous?.get(energy) ?? null,
      lastYearMicro: reference.lastYear?.get(energy) ?? null,
      ...costCarbonOf(energy, amountMicro),
    };
    const [native, kgce] = [exact.amountMicro / MICRO, exact.kgceMicro / MICRO];
    const estimated = ms.reduce((s, m) => s + m.estimated, 0);
    estimatedNative.set(energy, estimated);
    return {
      energy,
      unit: ENERGY_INFO[energy].nativeUnit,
      amount: fromMicro(exact.amountMicro, AMOUNT_DECIMALS),
      kgce: fromMicro(exact.kgceMicro, AMOUNT_DECIMALS),
      countsAsEnergy: ENERGY_INFO[energy].countsAsEnergy,
      ...shownLineCostCarbon(exact),
      ...changes(exact.amountMicro, exact.previousMicro, exact.lastYearMicro, monthly),
      ...qualityOf(ms, estimated, native),
      target: attainment(
        targets,
        { scope, energy, period: period.period },
        { native, kgce, kgco2: kgco2Of(exact) },
        d.exact,
      ),
      exact,
    };
  });
  const kgceLines = lines.filter((l) => l.countsAsEnergy);
  // Reference totals in kgce, exactly as the period's own.
  const refKgceMicro = (m: Map<Energy, number> | undefined) => {
    const present = ENERGY_ORDER.filter((e) => ENERGY_INFO[e].countsAsEnergy && m?.get(e) !== undefined);
    return present.length === 0 ? null : present.reduce((s, e) => s + kgceMicroOf(e, m?.get(e) ?? 0), 0);
  };
  const exact = {
    kgceMicro: kgceLines.reduce((s, l) => s + l.exact.kgceMicro, 0),
    floorAreaM2Micro: toMicro(w.floorAreaM2),
    occupantsMicro: toMicro(w.occupants),
    previousKgceMicro: monthly ? refKgceMicro(reference.previous) : null,
    lastYearKgceMicro: refKgceMicro(reference.lastYear),
    ...sumTotalCostCarbon(
      lines.map((l) => l.exact),
      cc !== undefined,
    ),
  };
  const kgce = exact.kgceMicro / MICRO;
  const estimatedKgce = kgceLines.reduce(
    (s, l) => s + (estimatedNative.get(l.energy) ?? 0) * table.kgcePerUnit[l.energy],
    0,
  );
  const row: InstitutionRow = {
    institutionId: inst.id,
    name: inst.name,
    districtId: inst.districtId,
    districtName: own.districtName,
    type: inst.type,
    energies: lines,
    totalKgce: fromMicro(exact.kgceMicro, AMOUNT_DECIMALS),
    ...shownTotalCostCarbon(exact),
    ...d.shown,
    ...intensities(exact),
    ...changes(exact.kgceMicro, exact.previousKgceMicro, exact.lastYearKgceMicro, monthly),
    ...qualityOf(meters, estimatedKgce, kgce),
    target: attainment(
      targets,
      { scope, energy: 'all', period: period.period },
      { kgce, kgco2: kgco2Of(exact) },
      d.exact,
    ),
    anomalies,
    exact,
  };
  return { row, estimatedKgce, estimatedNative };
}

function trendPoints(inputs: ReportInputs) {
  const { trend, timeZone, coefficients: table } = inputs;
  return bucketStarts(trend.fromMs, trend.toMs, 'month', timeZone).map((start) => {
    const p = localParts(start, timeZone);
    const kgce = inputs.trendRows
      .filter((r) => r.bucketStartMs === start && ENERGY_INFO[r.energy].countsAsEnergy)
      .reduce((s, r) => s + r.amount * table.kgcePerUnit[r.energy], 0);
    return { month: `${p.year}-${String(p.month).padStart(2, '0')}`, kgce: roundTo(kgce, AMOUNT_DECIMALS) };
  });
}

/**
 * Assembles a report from stored aggregates: per institution and energy the consumption in native
 * units and kgce, totals (water excluded), intensities, changes, target attainment, completeness,
 * estimated share and anomaly counts; subtotals by district and for the scope that are
 * the sums of their rows' exact figures (integer micro-units), each figure rounded once. Pure.
 */
export function assembleReport(inputs: ReportInputs, generatedAtMs: number): ReportModel {
  const { registry, scope, period, timeZone, coefficients } = inputs;
  const meters = energyFigures(inputs);
  const previous = byInstitution(inputs.previousRows);
  const lastYear = byInstitution(inputs.lastYearRows);
  const anomalies = anomalyCounts(inputs);
  const head = {
    period: period.period,
    monthly: period.kind === 'monthly',
    costCarbon: inputs.costCarbon !== undefined,
  };
  const metersOf = groupBy(meters, (m) => m.institutionId);
  // Each row and subtotal gets its own scope's targets and facts: one pass, not one per institution (issue 19).
  const targetsOf = groupBy(inputs.targets, (t) => t.scope);
  const factsOf = groupBy(inputs.facts ?? [], (f) => f.scope);
  const districtNames = new Map(registry.districts.map((d) => [d.id, d.name]));
  const parts = institutionsInScope(registry, scope).map((inst) =>
    institutionRow(
      inputs,
      inst,
      metersOf.get(inst.id) ?? [],
      { previous: previous.get(inst.id), lastYear: lastYear.get(inst.id) },
      anomalies.get(inst.id) ?? 0,
      {
        targets: targetsOf.get(`institution:${inst.id}`) ?? [],
        facts: factsOf.get(`institution:${inst.id}`) ?? [],
        districtName: districtNames.get(inst.districtId) ?? inst.districtId,
      },
    ),
  );
  const energies = ENERGY_ORDER.filter((e) => meters.some((m) => m.energy === e));
  const partsOf = groupBy(parts, (p) => p.row.districtId);
  const districts = [...partsOf].map(([id, ofDistrict]) =>
    subtotal(
      {
        ...head,
        scope: `district:${id}`,
        name: districtNames.get(id) ?? id,
      },
      ofDistrict,
      energies,
      targetsOf.get(`district:${id}`) ?? [],
    ),
  );
  const scopeText = formatScope(scope);
  const scopeName =
    scope.level === 'city'
      ? ''
      : scope.level === 'district'
        ? (registry.districts.find((d) => d.id === scope.id)?.name ?? scope.id)
        : (registry.institutions.find((i) => i.id === scope.id)?.name ?? scope.id);
  const total = subtotal(
    { ...head, scope: scopeText, name: scopeName },
    parts,
    energies,
    targetsOf.get(scopeText) ?? [],
  );
  const institutions = parts.map((p) => p.row);
  return {
    schema: 'jieneng.report/1',
    kind: period.kind,
    period: period.period,
    scope: scopeText,
    scopeName,
    timeZone,
    from: formatLocalIso(period.fromMs, timeZone),
    to: formatLocalIso(period.toMs, timeZone),
    generatedAt: formatLocalIso(generatedAtMs, timeZone),
    partial: inputs.nowMs < period.toMs,
    coefficients: {
      version: coefficients.version,
      source: coefficients.source,
      kgcePerUnit: Object.fromEntries(energies.map((e) => [e, coefficients.kgcePerUnit[e]])),
    },
    ...(inputs.costCarbon === undefined
      ? {}
      : { carbon: { grid: inputs.costCarbon.tables.grid.version, fuels: inputs.costCarbon.tables.fuels.version } }),
    waterExcludedFromKgce: true,
    completenessThreshold: COMPLETENESS_THRESHOLD,
    energies,
    institutions,
    districts,
    total,
    incomplete: institutions
      .filter((r) => r.completeness !== null && r.completeness < COMPLETENESS_THRESHOLD)
      .map((r) => r.institutionId),
    trend: trendPoints(inputs),
  };
}
