/**
 * What the demo city shows beyond its steady load (issue 17, item 7): a meter tree whose
 * sub-meters do not add up, a replaced meter, a gateway silent for a day in the back-fill, one that
 * stops for good just before the end of it, and an anomaly of each kind the simulator plants, from
 * its labelled scenarios (simulator/planner.ts). Pure and seeded: the same fleet and window give
 * the same scenario, byte for byte, so a restart resumes the same city.
 */
import type { RegistryInput } from '../core/domain/registry.js';
import { bucketStart, nextBucketStart } from '../core/domain/time.js';
import { formatIsoWithOffset } from '../simulator/calendar.js';
import type { Label, LabelKind } from '../simulator/labels.js';
import type { Fleet, SimMeter } from '../simulator/model.js';
import { planScenario } from '../simulator/planner.js';
import { alignUp, RegisterClock } from '../simulator/registers.js';
import type { Scenario } from '../simulator/scenario.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The share of the tree's main meter that no sub-meter measures: far above `BALANCE_TOLERANCE` (5 %). */
export const DEMO_TREE_UNMETERED_SHARE = 0.2;
/** A back-fill shorter than this gets no planted anomalies: detectors need a few weeks of history. */
export const DEMO_MIN_PLANT_DAYS = 14;
/** The register of the replacement meter when it is installed. */
const NEW_METER_INITIAL = 10;
/** Seed of the planted scenario. */
const PLANT_SEED = 17;

/** The back-fill window of the demo: `[fromMs, toMs)`, on the reading grid. */
export interface DemoWindow {
  readonly fromMs: number;
  readonly toMs: number;
  readonly timeZone: string;
  readonly intervalS: number;
}

/** Where the demo put its showcase: ids the demo and its tests look up. */
export interface DemoShowcase {
  /** The building whose electricity meters form a tree under `mainMeterId`. */
  readonly treeBuildingId: string;
  readonly mainMeterId: string;
  /** The meter replaced mid-back-fill, and when. */
  readonly replaced?: {
    readonly meterId: string;
    readonly atMs: number;
    readonly oldFinal: number;
    readonly newInitial: number;
  };
  /** The gateway silent for a day in the back-fill, and the one silent from just before its end on. */
  readonly gapGatewayId?: string;
  readonly offlineGatewayId?: string;
  /** Planted anomaly kinds, by the meter or institution that has them. */
  readonly planted: readonly { readonly kind: LabelKind; readonly subject: string }[];
  /** The institution whose electricity falls to `factor` from `atMs` (a local midnight) on: a retrofit. */
  readonly retrofit?: { readonly institutionId: string; readonly atMs: number; readonly factor: number };
}

/** Where in the back-fill the retrofit starts, and what share of its electricity is left after it. */
export const DEMO_RETROFIT = { atShare: 0.6, factor: 0.88 } as const;

/**
 * The fleet with a meter tree: the last institution's first building gets an incoming main
 * electricity meter, its other electricity meters become its sub-meters, and the main meter
 * measures `DEMO_TREE_UNMETERED_SHARE` more than they add up to.
 */
export function withMeterTree(fleet: Fleet): { fleet: Fleet; treeBuildingId: string; mainMeterId: string } {
  const institution = fleet.registry.institutions.at(-1);
  const building = fleet.registry.buildings.find((b) => b.institutionId === institution?.id);
  if (building === undefined) throw new RangeError('the demo fleet has no building for its meter tree');
  const subs = fleet.meters.filter((m) => m.buildingId === building.id && m.energy === 'electricity');
  const template = subs[0];
  if (template === undefined) throw new RangeError('the demo meter tree needs electricity meters');
  const mainMeterId = `${building.id}-e00`;
  const subIds = new Set(subs.map((m) => m.id));
  const annualNative = subs.reduce((s, m) => s + m.annualNative, 0) / (1 - DEMO_TREE_UNMETERED_SHARE);
  const { subItem: _subItem, ...rest } = template;
  const main: SimMeter = {
    ...rest,
    id: mainMeterId,
    multiplier: 1,
    registerModulus: 1e8,
    annualNative,
    noiseKey: template.noiseKey ^ 0x5eed,
    initialRegister: Math.round(annualNative * 3),
  };
  const templateEntry = fleet.registry.meters.find((m) => m.id === template.id);
  if (templateEntry === undefined) throw new RangeError('the demo meter tree needs registered meters');
  const { subItem: _code, name: _name, ...entry } = templateEntry;
  const registryMain: RegistryInput['meters'][number] = {
    ...entry,
    id: mainMeterId,
    name: '总进线',
    multiplier: 1,
    registerModulus: 1e8,
  };
  const meters = fleet.registry.meters.flatMap((m) => {
    const own = subIds.has(m.id) ? { ...m, parentId: mainMeterId } : m;
    return m.id === template.id ? [registryMain, own] : [own];
  });
  const sims = fleet.meters.flatMap((m) => (m.id === template.id ? [main, m] : [m]));
  return { fleet: { registry: { ...fleet.registry, meters }, meters: sims }, treeBuildingId: building.id, mainMeterId };
}

/** Which planted kinds go on which meters; after-hours goes on an institution's lighting and HVAC. */
const METER_PLANTS: readonly { kind: LabelKind; energy: SimMeter['energy'] }[] = [
  { kind: 'spike', energy: 'electricity' },
  { kind: 'stuck', energy: 'electricity' },
  { kind: 'step', energy: 'electricity' },
  { kind: 'leak', energy: 'water' },
];

/** The first label of one kind the planner places on a part of the fleet, if any. */
function planOne(fleet: Fleet, kind: LabelKind, window: DemoWindow, fromMs: number, toMs: number): Label | undefined {
  const months = (toMs - fromMs) / (30 * DAY_MS);
  const scenario = planScenario(fleet, {
    seed: PLANT_SEED,
    fromMs,
    toMs,
    anomalyRate: 3 / months, // about 3 events per unit in the window: nearly always one
    kinds: [kind],
    timeZone: window.timeZone,
    intervalS: window.intervalS,
  });
  return scenario.labels[0];
}

/**
 * The demo's scenario over its back-fill window, and where its showcase is. Meters of the tree
 * building and of `keepMeterId`'s building (the one a restart reads to resume) are left alone.
 */
export function demoScenario(
  fleet: Fleet,
  window: DemoWindow,
  showcase: { treeBuildingId: string; mainMeterId: string; keepMeterId: string },
  opts: { readonly retrofit?: boolean } = {},
): { scenario: Scenario; showcase: DemoShowcase } {
  const spanMs = window.toMs - window.fromMs;
  const labels: Label[] = [];
  const iso = (tMs: number) => formatIsoWithOffset(tMs, window.timeZone);
  const keepBuilding = fleet.meters.find((m) => m.id === showcase.keepMeterId)?.buildingId;
  const reserved = new Set([showcase.treeBuildingId, keepBuilding]);
  const planted: { kind: LabelKind; subject: string }[] = [];
  const out = (extra: Partial<DemoShowcase> = {}) => ({
    scenario: { ...window, labels: labels.sort((a, b) => Date.parse(a.start) - Date.parse(b.start)) },
    showcase: { treeBuildingId: showcase.treeBuildingId, mainMeterId: showcase.mainMeterId, planted, ...extra },
  });
  if (spanMs < DEMO_MIN_PLANT_DAYS * DAY_MS) return out();
  const free = () => fleet.meters.filter((m) => !reserved.has(m.buildingId));
  const take = (buildingId: string) => reserved.add(buildingId);

  // Transport: a gateway silent for 30 hours mid-back-fill, one silent from 3 hours before its end on.
  const gapMeter = free()[0];
  if (gapMeter !== undefined) take(gapMeter.buildingId);
  const offlineMeter = free()[0];
  if (offlineMeter !== undefined) take(offlineMeter.buildingId);
  const gapStartMs = alignUp(window.fromMs + spanMs * 0.35, 3600);
  if (gapMeter !== undefined)
    labels.push({
      kind: 'offline',
      gateway: gapMeter.gatewayId,
      start: iso(gapStartMs),
      end: iso(gapStartMs + 30 * HOUR_MS),
    });
  const offlineStartMs = alignUp(window.toMs - 3 * HOUR_MS, window.intervalS);
  if (offlineMeter !== undefined)
    labels.push({
      kind: 'offline',
      gateway: offlineMeter.gatewayId,
      start: iso(offlineStartMs),
      end: iso(offlineStartMs + 3650 * DAY_MS),
    });

  // A replacement mid-back-fill: the new register starts at NEW_METER_INITIAL.
  const replacedMeter = free().find((m) => m.energy === 'electricity');
  let replaced: DemoShowcase['replaced'];
  if (replacedMeter !== undefined) {
    take(replacedMeter.buildingId);
    const atMs = alignUp(window.fromMs + spanMs * 0.6, window.intervalS);
    const oldFinal = new RegisterClock(replacedMeter, window.timeZone).registerAt(atMs);
    labels.push({
      kind: 'replace',
      meter: replacedMeter.id,
      start: iso(atMs),
      end: iso(atMs),
      oldFinal,
      newInitial: NEW_METER_INITIAL,
    });
    replaced = { meterId: replacedMeter.id, atMs, oldFinal, newInitial: NEW_METER_INITIAL };
  }

  // Anomalies in the second half, so that detectors have two weeks of history before them.
  const plantFromMs = alignUp(window.fromMs + spanMs / 2, 3600);
  const plantToMs = window.toMs - DAY_MS;
  for (const { kind, energy } of METER_PLANTS) {
    for (const meter of free().filter((m) => m.energy === energy)) {
      const label = planOne({ registry: fleet.registry, meters: [meter] }, kind, window, plantFromMs, plantToMs);
      if (label === undefined) continue;
      labels.push(label);
      planted.push({ kind, subject: meter.id });
      take(meter.buildingId);
      break;
    }
  }
  const buildingsOf = (institutionId: string) =>
    new Set(fleet.registry.buildings.filter((b) => b.institutionId === institutionId).map((b) => b.id));
  for (const institution of fleet.registry.institutions) {
    const buildings = buildingsOf(institution.id);
    if ([...buildings].some((b) => reserved.has(b))) continue;
    const sub: Fleet = {
      registry: { ...fleet.registry, institutions: [institution] },
      meters: fleet.meters.filter((m) => buildings.has(m.buildingId)),
    };
    const label = planOne(sub, 'after-hours', window, plantFromMs, plantToMs);
    if (label === undefined) continue;
    labels.push(label);
    planted.push({ kind: 'after-hours', subject: institution.id });
    for (const b of buildings) take(b);
    break;
  }
  const retrofit = opts.retrofit === true ? plantRetrofit(fleet, window, reserved, labels) : undefined;
  return out({
    ...(retrofit === undefined ? {} : { retrofit }),
    ...(replaced === undefined ? {} : { replaced }),
    ...(gapMeter === undefined ? {} : { gapGatewayId: gapMeter.gatewayId }),
    ...(offlineMeter === undefined ? {} : { offlineGatewayId: offlineMeter.gatewayId }),
  });
}

/**
 * Plants a retrofit on the first institution none of whose buildings is reserved: its electricity
 * meters use `DEMO_RETROFIT.factor` of their modelled consumption from the local midnight after
 * `DEMO_RETROFIT.atShare` of the window on, for good (live publishing keeps it).
 */
function plantRetrofit(
  fleet: Fleet,
  window: DemoWindow,
  reserved: ReadonlySet<string | undefined>,
  labels: Label[],
): DemoShowcase['retrofit'] {
  const atMs = nextBucketStart(
    bucketStart(window.fromMs + (window.toMs - window.fromMs) * DEMO_RETROFIT.atShare, 'day', window.timeZone),
    'day',
    window.timeZone,
  );
  for (const institution of fleet.registry.institutions) {
    const buildings = new Set(
      fleet.registry.buildings.filter((b) => b.institutionId === institution.id).map((b) => b.id),
    );
    if ([...buildings].some((b) => reserved.has(b))) continue;
    const meters = fleet.meters
      .filter((m) => buildings.has(m.buildingId) && m.energy === 'electricity')
      .map((m) => m.id);
    if (meters.length === 0) continue;
    labels.push({
      kind: 'retrofit',
      institution: institution.id,
      start: formatIsoWithOffset(atMs, window.timeZone),
      end: formatIsoWithOffset(atMs + 3650 * DAY_MS, window.timeZone),
      factor: DEMO_RETROFIT.factor,
      meters,
    });
    return { institutionId: institution.id, atMs, factor: DEMO_RETROFIT.factor };
  }
  return undefined;
}
