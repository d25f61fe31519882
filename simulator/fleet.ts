/**
 * Builds a simulated city: districts, institutions, buildings, one gateway per building and its
 * meters, as a registry for `PUT /api/v1/registry` plus the load-model parameters of every meter.
 * Pure and seeded: the same options give the same fleet, byte for byte.
 */
import type { Energy } from '../core/domain/energy.js';
import type { Building, District, GatewayInput, Institution, Meter } from '../core/domain/registry.js';
import { SUB_ITEMS } from '../core/domain/sub-items.js';
import {
  CT_RATIOS,
  DIRECT_CONNECT_MAX_A,
  DISTRICTS,
  EXTRA_CLASS_CYCLE,
  type Range,
  type SimInstitutionType,
  type SubItemClass,
  TYPE_SHARES,
  TYPE_SPECS,
} from './fleet-data.js';
import type { Fleet, SimMeter, SimUnit } from './model.js';
import { hash32, Rng } from './random.js';

/** Meters per institution when no target is given: 40 institutions give about 400 meters. */
export const DEFAULT_METERS_PER_INSTITUTION = 10;
/** Register origin of every simulated meter: registers are a function of time from here. */
export const DEFAULT_REGISTER_ORIGIN_MS = Date.parse('2025-01-01T00:00:00+08:00');
/** Reading interval when none is given, seconds. */
export const DEFAULT_INTERVAL_S = 900;

/** Options of `buildFleet`. */
export interface BuildFleetOptions {
  readonly seed: number;
  readonly districts: number;
  readonly institutions: number;
  /**
   * Total meters wanted; extra sub-item meters are added to the largest buildings to reach it.
   * Default `institutions × 10`. A fleet never has fewer meters than its base set (about 9 per
   * institution), so a lower target is not met.
   */
  readonly metersTarget?: number;
  /** Reading interval written on every meter, seconds (default 900). */
  readonly intervalS?: number;
  /** Gateway secret; default a deterministic string derived from seed and gateway id (not secret!). */
  readonly secretFor?: (gatewayId: string) => string;
  /** Instant at which registers show their initial values (default 2025-01-01T00:00+08:00). */
  readonly registerOriginMs?: number;
}

/** The default gateway secret: 20 characters derived from seed and id, for simulation only. */
export function defaultSecret(seed: number, gatewayId: string): string {
  const hex = (n: number) => n.toString(16).padStart(8, '0');
  return `sim-${hex(hash32(seed, 'secret', gatewayId))}${hex(hash32(gatewayId, 'secret', seed))}`;
}

const draw = (rng: Rng, [min, max]: Range) => rng.uniform(min, max);
const round = (x: number, decimals: number) => Math.round(x * 10 ** decimals) / 10 ** decimals;
const roundToStep = (x: number, step: number) => Math.round(x / step) * step;

/** A meter before extras and registers: what each building plans. */
interface PlannedMeter {
  readonly energy: Energy;
  readonly subItem?: SubItemClass;
  readonly label: string;
  /** Weight within its class, or the annual consumption for single meters. */
  weight: number;
}

interface PlannedBuilding {
  readonly building: Building;
  readonly type: SimInstitutionType;
  readonly rng: Rng;
  readonly electricityKwh: number;
  readonly planned: PlannedMeter[];
}

function typeQuota(n: number, rng: Rng): SimInstitutionType[] {
  const types = Object.keys(TYPE_SHARES) as SimInstitutionType[];
  const exact = types.map((t) => TYPE_SHARES[t] * n);
  const counts = exact.map(Math.floor);
  const order = types
    .map((_, i) => i)
    .sort((a, b) => (exact[b] ?? 0) - (counts[b] ?? 0) - ((exact[a] ?? 0) - (counts[a] ?? 0)) || a - b);
  for (let k = 0; counts.reduce((s, c) => s + c, 0) < n; k++) {
    const i = order[k % order.length] ?? 0;
    counts[i] = (counts[i] ?? 0) + 1;
  }
  return rng.shuffle(types.flatMap((t, i) => Array<SimInstitutionType>(counts[i] ?? 0).fill(t)));
}

function makeDistricts(count: number): District[] {
  return Array.from({ length: count }, (_, i) => {
    const base = DISTRICTS[i % DISTRICTS.length] ?? { id: 'd', name: '区' };
    const lap = Math.floor(i / DISTRICTS.length);
    return lap === 0 ? { ...base } : { id: `${base.id}-${lap + 1}`, name: `${base.name}（${lap + 1}）` };
  });
}

function planBuildings(inst: Institution, type: SimInstitutionType, rng: Rng): PlannedBuilding[] {
  const spec = TYPE_SPECS[type];
  const n = inst.floorAreaM2 < 12_000 ? 1 : rng.int(1, 3);
  const weights = Array.from({ length: n }, () => rng.uniform(0.5, 1.5));
  const totalWeight = weights.reduce((s, w) => s + w, 0);
  const hasSpecial = rng.chance(spec.specialChance);
  const hasGas = rng.chance(spec.gasChance) && (type !== 'school' || hasSpecial);
  return weights.map((w, b) => {
    const floorAreaM2 = Math.max(500, roundToStep((inst.floorAreaM2 * w) / totalWeight, 10));
    const id = `${inst.id}-b${b + 1}`;
    const building: Building = {
      id,
      institutionId: inst.id,
      name: `${inst.name}${spec.buildingNames[b] ?? `${b + 1}号楼`}`,
      floorAreaM2,
    };
    const planned: PlannedMeter[] = [
      { energy: 'electricity', subItem: '01A00', label: '', weight: rng.uniform(0.6, 1.4) },
      { energy: 'electricity', subItem: '01B00', label: '', weight: rng.uniform(0.6, 1.4) },
      { energy: 'electricity', subItem: '01C00', label: '', weight: rng.uniform(0.6, 1.4) },
    ];
    // Hospitals meter medical equipment in every building; others have one special use in the first.
    if (type === 'hospital' || (hasSpecial && b === 0)) {
      planned.push({ energy: 'electricity', subItem: '01D00', label: spec.specialLabel, weight: 1 });
    }
    planned.push({ energy: 'water', label: '总水表', weight: floorAreaM2 * draw(rng, spec.waterM3PerM2) });
    if (hasGas && b === 0)
      planned.push({ energy: 'gas', label: '天然气', weight: inst.floorAreaM2 * draw(rng, spec.gasM3PerM2) });
    if (rng.chance(spec.heatChance))
      planned.push({ energy: 'heat', label: '热计量', weight: floorAreaM2 * draw(rng, spec.heatGjPerM2) });
    return { building, type, rng, electricityKwh: floorAreaM2 * draw(rng, spec.electricityKwhPerM2), planned };
  });
}

/** Adds `extra` electricity meters, spread over buildings by floor area (largest remainder). */
function addExtras(buildings: PlannedBuilding[], extra: number): void {
  if (extra <= 0 || buildings.length === 0) return;
  const totalArea = buildings.reduce((s, b) => s + b.building.floorAreaM2, 0);
  const exact = buildings.map((b) => (extra * b.building.floorAreaM2) / totalArea);
  const counts = exact.map(Math.floor);
  let left = extra - counts.reduce((s, c) => s + c, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left-- <= 0) break;
    counts[i] = (counts[i] ?? 0) + 1;
  }
  buildings.forEach((b, i) => {
    for (let k = 0; k < (counts[i] ?? 0); k++) {
      const subItem = EXTRA_CLASS_CYCLE[k % EXTRA_CLASS_CYCLE.length] ?? '01A00';
      b.planned.push({ energy: 'electricity', subItem, label: '', weight: b.rng.uniform(0.6, 1.4) });
    }
  });
}

const UNIT: Readonly<Record<string, SimUnit>> = { electricity: 'kWh', water: 'm3', gas: 'm3', heat: 'GJ' };
const ID_LETTER: Readonly<Record<string, string>> = { electricity: 'e', water: 'w', gas: 'g', heat: 'h' };

function ctRatio(annualKwh: number): number {
  const peakA = (annualKwh / 8760) * 2.5 * 1.52; // peak ≈ 2.5 × mean kW; 400 V three-phase, pf 0.95
  if (peakA <= DIRECT_CONNECT_MAX_A) return 1;
  return CT_RATIOS.find((r) => r * 5 >= peakA * 1.2) ?? CT_RATIOS[CT_RATIOS.length - 1] ?? 1;
}

function materialise(pb: PlannedBuilding, gatewayId: string, seed: number, originMs: number, intervalS: number) {
  const { building, rng } = pb;
  const spec = TYPE_SPECS[pb.type];
  const classes = new Set(pb.planned.flatMap((p) => (p.subItem === undefined ? [] : [p.subItem])));
  const shareSum = [...classes].reduce((s, c) => s + spec.electricityShares[c], 0);
  const classWeight = (c: SubItemClass) => pb.planned.filter((p) => p.subItem === c).reduce((s, p) => s + p.weight, 0);
  const seq: Record<string, number> = {};
  const perClass: Record<string, number> = {};
  const meters: Meter[] = [];
  const sims: SimMeter[] = [];
  for (const p of pb.planned) {
    const letter = ID_LETTER[p.energy] ?? 'x';
    seq[letter] = (seq[letter] ?? 0) + 1;
    const id = `${building.id}-${letter}${String(seq[letter]).padStart(2, '0')}`;
    let annualNative = p.weight;
    let name = p.label;
    if (p.subItem !== undefined) {
      annualNative =
        (((pb.electricityKwh * spec.electricityShares[p.subItem]) / shareSum) * p.weight) / classWeight(p.subItem);
      perClass[p.subItem] = (perClass[p.subItem] ?? 0) + 1;
      name = `${SUB_ITEMS[p.subItem]?.nameZh ?? p.subItem}${p.label === '' ? '' : `（${p.label}）`} ${perClass[p.subItem]}`;
    }
    const electricity = p.energy === 'electricity';
    const multiplier = electricity ? ctRatio(annualNative) : 1;
    const smallRegister = rng.chance(0.1);
    const registerModulus = electricity
      ? smallRegister
        ? 1e6
        : 1e8
      : p.energy === 'water' && smallRegister
        ? 1e5
        : 1e6;
    const registerDecimals = electricity ? 2 : 3;
    const unit = UNIT[p.energy] ?? 'kWh';
    const initialRegister = round(
      ((rng.uniform(0.3, 8) * annualNative) / multiplier) % registerModulus,
      registerDecimals,
    );
    meters.push({
      id,
      name,
      buildingId: building.id,
      gatewayId,
      energy: p.energy,
      ...(p.subItem === undefined ? {} : { subItem: p.subItem }),
      unit,
      multiplier,
      registerModulus,
      intervalS,
    });
    sims.push({
      id,
      buildingId: building.id,
      gatewayId,
      energy: p.energy,
      ...(p.subItem === undefined ? {} : { subItem: p.subItem }),
      unit,
      multiplier,
      registerModulus,
      registerDecimals,
      institutionType: pb.type,
      floorAreaM2: building.floorAreaM2,
      annualNative,
      noiseKey: hash32(seed, id),
      initialRegister,
      registerOriginMs: originMs,
    });
  }
  return { meters, sims };
}

/** Builds a seeded city fleet: the registry and the simulated meters, in a stable order. */
export function buildFleet(opts: BuildFleetOptions): Fleet {
  const { seed, institutions: count } = opts;
  if (!Number.isInteger(opts.districts) || opts.districts < 1) throw new RangeError('districts must be an integer ≥ 1');
  if (!Number.isInteger(count) || count < 0) throw new RangeError('institutions must be an integer ≥ 0');
  const intervalS = opts.intervalS ?? DEFAULT_INTERVAL_S;
  const originMs = opts.registerOriginMs ?? DEFAULT_REGISTER_ORIGIN_MS;
  const secretFor = opts.secretFor ?? ((gw: string) => defaultSecret(seed, gw));
  const rng = new Rng(seed);
  const districts = makeDistricts(opts.districts);
  const types = typeQuota(count, rng.fork('types'));
  const used = new Map<string, number>();
  const institutions: Institution[] = [];
  const planned: PlannedBuilding[] = [];
  types.forEach((type, i) => {
    const district = districts[i % districts.length] ?? { id: 'd', name: '区' };
    const key = `${district.id}|${type}`;
    const k = used.get(key) ?? 0;
    used.set(key, k + 1);
    const spec = TYPE_SPECS[type];
    const stem = spec.names[k % spec.names.length] ?? type;
    const lap = Math.floor(k / spec.names.length);
    const irng = rng.fork(`institution-${i}`);
    const floorAreaM2 = roundToStep(draw(irng, spec.floorAreaM2), 100);
    const inst: Institution = {
      id: `${district.id}-${type}-${String(k + 1).padStart(3, '0')}`,
      name: `${district.name}${stem}${lap === 0 ? '' : `（${lap + 1}）`}`,
      districtId: district.id,
      type,
      floorAreaM2,
      occupants: Math.round(floorAreaM2 / draw(irng, spec.m2PerOccupant)),
    };
    institutions.push(inst);
    planned.push(...planBuildings(inst, type, irng));
  });
  const base = planned.reduce((s, b) => s + b.planned.length, 0);
  addExtras(planned, (opts.metersTarget ?? count * DEFAULT_METERS_PER_INSTITUTION) - base);
  const buildings: Building[] = [];
  const gateways: GatewayInput[] = [];
  const meters: Meter[] = [];
  const sims: SimMeter[] = [];
  for (const pb of planned) {
    const gatewayId = `gw-${pb.building.id}`;
    buildings.push(pb.building);
    gateways.push({ id: gatewayId, name: `${pb.building.name}采集器`, secret: secretFor(gatewayId) });
    const out = materialise(pb, gatewayId, seed, originMs, intervalS);
    meters.push(...out.meters);
    sims.push(...out.sims);
  }
  return { registry: { districts, institutions, buildings, gateways, meters }, meters: sims };
}
