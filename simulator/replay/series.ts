/**
 * Real interval-consumption files (one per meter, like `../shared/data/cambridge-2018/`) turned
 * into what a meter would send: a cumulative register reading at the end of every hour. Pure.
 */
import type { Energy } from '../../core/domain/energy.js';
import type { RegistryInput } from '../../core/domain/registry.js';

/** One file's hourly consumption: `datetime` (hour start, UTC) and the consumption of that hour. */
export interface IntervalSeries {
  /** Meter id derived from the file name, e.g. `b0-electricity`. */
  readonly meterId: string;
  readonly buildingId: string;
  /** What the file measures, from its name (`electricity`, `gas` as heat, `water`, `heat`). */
  readonly kind: string;
  readonly hourStartsMs: number[];
  /** Consumption of each hour in micro-units (1e-6 kWh), integers so that sums are exact. */
  readonly amountsMicro: number[];
}

const FILE = /^(?<building>[A-Za-z0-9]+)_(?<kind>electricity|gas|water|heat)\.csv$/;

/** Whether a file name is one meter's series (`b0_electricity.csv`). */
export function seriesFileName(name: string): { buildingId: string; kind: string } | undefined {
  const m = FILE.exec(name);
  return m?.groups === undefined ? undefined : { buildingId: m.groups.building ?? '', kind: m.groups.kind ?? '' };
}

/** Parses `datetime,value` CSV text (hour-start labels in UTC, a header line). */
export function parseSeriesCsv(text: string, buildingId: string, kind: string): IntervalSeries {
  const hourStartsMs: number[] = [];
  const amountsMicro: number[] = [];
  for (const line of text.split(/\r?\n/).slice(1)) {
    if (line.trim() === '') continue;
    const [when, value] = line.split(',');
    const ms = Date.parse(`${(when ?? '').trim().replace(' ', 'T')}Z`);
    const amount = Number(value);
    if (Number.isNaN(ms) || !Number.isFinite(amount)) throw new Error(`bad line in ${buildingId}_${kind}: ${line}`);
    hourStartsMs.push(ms);
    amountsMicro.push(Math.round(amount * 1e6));
  }
  return { meterId: `${buildingId}-${kind}`, buildingId, kind, hourStartsMs, amountsMicro };
}

/** Parses `Building ID,GIA (m2),...` into floor areas by building id. */
export function parseAreasCsv(text: string): Map<string, number> {
  const areas = new Map<string, number>();
  for (const line of text.split(/\r?\n/).slice(1)) {
    const [id, gia] = line.split(',');
    if (id && Number(gia) > 0) areas.set(id.trim(), Number(gia));
  }
  return areas;
}

/** How each file kind is metered: gas files hold heat in kWh, so they become heat meters counting kWh. */
const METERING: Record<string, { energy: Energy; unit: string }> = {
  electricity: { energy: 'electricity', unit: 'kWh' },
  gas: { energy: 'heat', unit: 'kWh' },
  heat: { energy: 'heat', unit: 'kWh' },
  water: { energy: 'water', unit: 'm3' },
};

/**
 * The registry for replayed series: one institution, a building and a gateway per building. A
 * `rollover` meter gets its register modulus; the others have none (their registers never wrap,
 * and a register above its modulus is refused at ingest).
 */
export function replayRegistry(
  series: readonly IntervalSeries[],
  areas: ReadonlyMap<string, number>,
  opts: { secretFor: (gatewayId: string) => string; rollover?: { meterId: string; modulus: number } },
): RegistryInput {
  const buildings = [...new Set(series.map((s) => s.buildingId))].sort();
  return {
    districts: [{ id: 'replay', name: 'Replay' }],
    institutions: [
      {
        id: 'replay-estate',
        name: 'Replayed estate',
        districtId: 'replay',
        type: 'school',
        floorAreaM2: buildings.reduce((sum, b) => sum + (areas.get(b) ?? 1000), 0),
        occupants: 0,
      },
    ],
    buildings: buildings.map((b) => ({
      id: b,
      institutionId: 'replay-estate',
      name: b,
      floorAreaM2: areas.get(b) ?? 1000,
    })),
    gateways: buildings.map((b) => ({ id: `gw-${b}`, secret: opts.secretFor(`gw-${b}`) })),
    meters: series.map((s) => ({
      id: s.meterId,
      buildingId: s.buildingId,
      gatewayId: `gw-${s.buildingId}`,
      energy: METERING[s.kind]?.energy ?? 'electricity',
      unit: METERING[s.kind]?.unit ?? 'kWh',
      multiplier: 1,
      intervalS: 3600,
      ...(opts.rollover?.meterId === s.meterId ? { registerModulus: opts.rollover.modulus } : {}),
    })),
  };
}
