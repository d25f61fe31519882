import { groupBy } from '../collections.js';
import type { Energy } from '../domain/energy.js';
import type { MeterEvent } from '../domain/meter-events.js';
import { expectedReadings, metersInScope } from '../domain/quality.js';
import { type Meter, meterKind, type Registry } from '../domain/registry.js';
import type { Scope } from '../domain/scope.js';
import type { AggregateRow } from '../storage/store.js';
import { type Quality, toMicro } from './model.js';

/** Per institution and energy: its amount, estimated amount and readings, and its meters' expected readings. */
export interface EnergyFigures extends Quality {
  readonly energy: Energy;
  readonly institutionId: string;
  readonly amountMicro: number;
  readonly estimated: number;
}

/** What the figures are computed from: the registry, the scope and period, the store's rows by institution. */
export interface EnergyFigureInputs {
  readonly registry: Registry;
  readonly scope: Scope;
  readonly period: { readonly fromMs: number; readonly toMs: number };
  readonly nowMs: number;
  /** The period, `interval: 'total'`, grouped by institution. */
  readonly periodRows: readonly AggregateRow[];
  /** Every meter lifecycle event (decommissions shorten the expected readings). */
  readonly events: readonly MeterEvent[];
}

/** The meters of one institution and energy, in registry order. */
interface MeterGroup {
  readonly institutionId: string;
  readonly energy: Energy;
  readonly meters: readonly Meter[];
  /** Each meter's class (`MeterGroups.classes`): meters of a class without events expect the same. */
  readonly classes: readonly number[];
  /** Its place in `MeterGroups.positionOf`. */
  readonly position: number;
}

/** Meter groups with their classes (meters of a class without events expect the same). */
interface MeterGroups {
  readonly groups: readonly MeterGroup[];
  /** One meter of each class (kind, interval and installation). */
  readonly classes: readonly Meter[];
  /** Each group's position by institution and energy (< `size`): a stored row finds its group with one lookup. */
  readonly positionOf: ReadonlyMap<string, ReadonlyMap<Energy, number>>;
  readonly size: number;
}

/**
 * Meters grouped by institution (order of each one's first meter), then energy (order of its first
 * meter there): the order a scope's figures come in.
 */
function groupMeters(meters: readonly Meter[], registry: Registry): MeterGroups {
  const institutionOf = new Map(registry.buildings.map((b) => [b.id, b.institutionId]));
  const classOf = new Map<string, number>();
  const classes: Meter[] = [];
  const byInstitution = new Map<string, Map<Energy, { meters: Meter[]; classes: number[] }>>();
  for (const m of meters) {
    const institutionId = institutionOf.get(m.buildingId) ?? '';
    let byEnergy = byInstitution.get(institutionId);
    if (byEnergy === undefined) {
      byEnergy = new Map();
      byInstitution.set(institutionId, byEnergy);
    }
    let group = byEnergy.get(m.energy);
    if (group === undefined) {
      group = { meters: [], classes: [] };
      byEnergy.set(m.energy, group);
    }
    const key = `${meterKind(m)}|${m.intervalS}|${m.installedAt ?? ''}`;
    let cls = classOf.get(key);
    if (cls === undefined) {
      cls = classes.length;
      classOf.set(key, cls);
      classes.push(m);
    }
    group.meters.push(m);
    group.classes.push(cls);
  }
  const groups = [...byInstitution].flatMap(([institutionId, byEnergy]) =>
    [...byEnergy].map(([energy, g]) => ({ institutionId, energy, meters: g.meters, classes: g.classes })),
  );
  const positionOf = new Map<string, Map<Energy, number>>();
  const positioned = groups.map((g, position) => {
    let byEnergy = positionOf.get(g.institutionId);
    if (byEnergy === undefined) {
      byEnergy = new Map();
      positionOf.set(g.institutionId, byEnergy);
    }
    byEnergy.set(g.energy, position);
    return { ...g, position };
  });
  return { groups: positioned, classes, positionOf, size: groups.length };
}

/** The city's meter groups of a registry, with the arrays they were made from. */
interface CityGroups extends MeterGroups {
  readonly meters: Registry['meters'];
  readonly buildings: Registry['buildings'];
  readonly institutions: Registry['institutions'];
}

/** One per registry (a registry is replaced, not changed): a city's report walks its ~100,000 meters without a key per meter (issue 19). */
const cityGroups = new WeakMap<Registry, CityGroups>();

/**
 * A scope's meter groups: a district's or an institution's are the city's groups of its
 * institutions (every meter of an institution is in them, so the order is the same as of the
 * scope's own meters).
 */
function scopeGroups(registry: Registry, scope: Scope): MeterGroups {
  if (scope.level === 'building' || scope.level === 'meter')
    return groupMeters(metersInScope(registry, scope), registry);
  let city = cityGroups.get(registry);
  if (
    city === undefined ||
    city.meters !== registry.meters ||
    city.buildings !== registry.buildings ||
    city.institutions !== registry.institutions
  ) {
    const meters = metersInScope(registry, { level: 'city' });
    city = {
      ...groupMeters(meters, registry),
      meters: registry.meters,
      buildings: registry.buildings,
      institutions: registry.institutions,
    };
    cityGroups.set(registry, city);
  }
  if (scope.level === 'city') return city;
  const institution = new Map(registry.institutions.map((i) => [i.id, i]));
  const wanted =
    scope.level === 'district'
      ? (id: string) => institution.get(id)?.districtId === scope.id
      : (id: string) => id === scope.id && institution.has(id);
  return { ...city, groups: city.groups.filter((g) => wanted(g.institutionId)) };
}

/** One institution and energy's figures (`EnergyFigures`), given without an object each. */
export type FigureVisitor = (
  institutionId: string,
  energy: Energy,
  amountMicro: number,
  estimated: number,
  meters: number,
  expectedReadings: number,
  receivedReadings: number,
) => void;

/**
 * The period's figures per (institution, energy) that the registry gives the scope a meter of:
 * amounts and readings from the store's rows by institution, expected readings from the registry's
 * meters and their events (meters without events that share a kind, an interval and an
 * installation expect the same, computed once). Stored consumption of an energy the institution has
 * no meter of (any more) is left out, as a meter the registry no longer lists is. In the order of
 * the scope's meters: institutions by their first meter, energies by their first meter there.
 */
export function energyFigures(inputs: EnergyFigureInputs): EnergyFigures[] {
  const out: EnergyFigures[] = [];
  visitEnergyFigures(inputs, (institutionId, energy, amountMicro, estimated, meters, expected, received) => {
    out.push({
      energy,
      institutionId,
      amountMicro,
      estimated,
      meters,
      expectedReadings: expected,
      receivedReadings: received,
      completeness: null,
      estimatedShare: 0,
    });
  });
  return out;
}

/** `energyFigures` given one by one, in the same order: a city's ranking makes no object per figure (issue 19). */
export function visitEnergyFigures(inputs: EnergyFigureInputs, visit: FigureVisitor): void {
  const { registry, scope, period, nowMs } = inputs;
  const { groups, classes, positionOf, size } = scopeGroups(registry, scope);
  // Each stored row at its group's position (the last of a repeated one): no map per call (issue 19).
  const rowAt: (AggregateRow | undefined)[] = new Array(size);
  for (const r of inputs.periodRows) {
    const position = positionOf.get(r.groupId)?.get(r.energy);
    if (position !== undefined) rowAt[position] = r;
  }
  const events = groupBy(inputs.events, (e) => e.meterId);
  const classValues: (number | undefined)[] = new Array(classes.length);
  const classValue = (m: Meter, cls: number) => {
    let value = classValues[cls];
    if (value === undefined) {
      value = expectedReadings(m, [], period.fromMs, period.toMs, nowMs);
      classValues[cls] = value;
    }
    return value;
  };
  for (const g of groups) {
    let expected = 0;
    for (let k = 0; k < g.meters.length; k++) {
      const m = g.meters[k] as Meter;
      const own = events.size === 0 ? undefined : events.get(m.id);
      expected +=
        own === undefined
          ? classValue(m, g.classes[k] as number)
          : expectedReadings(m, own, period.fromMs, period.toMs, nowMs);
    }
    const r = rowAt[g.position];
    visit(
      g.institutionId,
      g.energy,
      toMicro(r?.amount ?? 0),
      r?.estimated ?? 0,
      g.meters.length,
      expected,
      r?.readings ?? 0,
    );
  }
}
