/**
 * InfluxDB points for the dashboard tests, from the simulator: a small seeded city, its registers
 * every 15 minutes over the last days up to now, and the hourly consumption derived from them
 * (register deltas × multiplier, across rollovers), tagged from the registry as the InfluxDB
 * store writes them. One gateway stops reporting 3 hours ago; a few intervals are estimated or
 * suspect; some readings are flagged invalid; a few dead letters and anomalies are added.
 */
import type { Energy } from '../../core/domain/energy.js';
import { buildFleet } from '../../simulator/fleet.js';
import type { Fleet } from '../../simulator/model.js';
import { readingsBetween } from '../../simulator/registers.js';

const HOUR_MS = 3_600_000;
const INTERVAL_S = 900;
const DAYS = 3;
/** kgce per native unit (GB/T 2589-2020), written out here rather than taken from the code under test. */
export const KGCE_PER_UNIT_EXPECTED: Readonly<Partial<Record<Energy, number>>> = {
  electricity: 0.1229,
  gas: 1.2143,
  heat: 34.12,
};

/** One hourly row as written. */
export interface HourlyRow {
  readonly meter: string;
  readonly energy: Energy;
  readonly institution: string;
  readonly district: string;
  readonly startMs: number;
  readonly amount: number;
  readonly quality: 'good' | 'estimated' | 'suspect' | 'missing';
  readonly readings: number;
}

export interface Fixture {
  readonly fleet: Fleet;
  readonly lines: readonly string[];
  readonly nowMs: number;
  /** Start of the first hour written. */
  readonly startMs: number;
  readonly hourly: readonly HourlyRow[];
  /** The institution with the most energy types: the one the single-institution dashboard shows. */
  readonly focusInstitution: string;
  readonly floorAreaM2: ReadonlyMap<string, number>;
  readonly offlineGateway: string;
  readonly offlineMeters: readonly string[];
  readonly invalidReadings: number;
}

const tag = (v: string) => v.replace(/[,= ]/g, (c) => `\\${c}`);
const str = (v: string) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`;
const line = (measurement: string, tags: Record<string, string | undefined>, fields: string, tsMs: number) =>
  `${measurement},${Object.entries(tags)
    .filter(([, v]) => v !== undefined && v !== '')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${tag(v ?? '')}`)
    .join(',')} ${fields} ${tsMs}`;

/** Builds the points for a city observed up to `nowMs`. */
export function buildFixture(nowMs: number): Fixture {
  const fleet = buildFleet({ seed: 7, districts: 2, institutions: 4, intervalS: INTERVAL_S });
  const { registry } = fleet;
  const buildingOf = new Map(registry.buildings.map((b) => [b.id, b]));
  const institutionOf = new Map(registry.institutions.map((i) => [i.id, i]));
  const energiesOf = (inst: string) =>
    new Set(fleet.meters.filter((m) => buildingOf.get(m.buildingId)?.institutionId === inst).map((m) => m.energy));
  const focusInstitution = [...registry.institutions].sort((a, b) => energiesOf(b.id).size - energiesOf(a.id).size)[0]
    ?.id as string;
  const offlineGateway = `gw-${registry.buildings.find((b) => b.institutionId === focusInstitution)?.id}`;
  const offlineMeters = fleet.meters.filter((m) => m.gatewayId === offlineGateway).map((m) => m.id);

  const hourEndMs = Math.floor(nowMs / HOUR_MS) * HOUR_MS;
  const startMs = hourEndMs - DAYS * 24 * HOUR_MS;
  const offlineFromMs = hourEndMs - 3 * HOUR_MS;
  const lastGridMs = Math.floor(nowMs / (INTERVAL_S * 1000)) * INTERVAL_S * 1000;

  const lines: string[] = [];
  const registers = new Map<string, Map<number, number>>();
  let invalidReadings = 0;
  let n = 0;
  for (const r of readingsBetween(fleet, startMs, lastGridMs + 1, INTERVAL_S)) {
    const byTime = registers.get(r.meterId) ?? new Map<number, number>();
    registers.set(r.meterId, byTime);
    byTime.set(r.tsMs, r.value);
    if (r.gatewayId === offlineGateway && r.tsMs >= offlineFromMs) continue;
    const invalid = n++ % 97 === 0;
    if (invalid) invalidReadings++;
    const fields = `value=${r.value},received_ms=${r.tsMs + 2_000 + (n % 50) * 100},invalid=${invalid}`;
    lines.push(line('readings', { meter: r.meterId, gateway: r.gatewayId }, fields, r.tsMs));
  }

  const hourly: HourlyRow[] = [];
  fleet.meters.forEach((meter, index) => {
    const building = buildingOf.get(meter.buildingId);
    const institution = institutionOf.get(building?.institutionId ?? '');
    if (building === undefined || institution === undefined) throw new Error(`unwired meter ${meter.id}`);
    const regs = registers.get(meter.id) ?? new Map<number, number>();
    for (let h = startMs, k = 0; h < hourEndMs; h += HOUR_MS, k++) {
      const offline = meter.gatewayId === offlineGateway && h >= offlineFromMs;
      const r0 = regs.get(h) ?? 0;
      const r1 = regs.get(h + HOUR_MS) ?? 0;
      const m = meter.registerModulus;
      const amount = offline ? 0 : ((((r1 - r0) % m) + m) % m) * meter.multiplier;
      let quality: HourlyRow['quality'] = offline ? 'missing' : 'good';
      if (!offline && index % 7 === 1 && k % 11 === 0) quality = 'estimated';
      if (!offline && index % 7 === 2 && k % 13 === 0) quality = 'suspect';
      const readings = offline ? 0 : 4;
      const row: HourlyRow = {
        meter: meter.id,
        energy: meter.energy,
        institution: institution.id,
        district: institution.districtId,
        startMs: h,
        amount,
        quality,
        readings,
      };
      hourly.push(row);
      const estimated = quality === 'estimated' ? amount : 0;
      lines.push(
        line(
          'hourly',
          {
            meter: meter.id,
            energy: meter.energy,
            sub_item: meter.subItem,
            building: building.id,
            institution: institution.id,
            district: institution.districtId,
          },
          `amount=${amount},estimated=${estimated},quality=${str(quality)},readings=${readings}i`,
          h,
        ),
      );
    }
  });

  const reasons = [
    ['unknown_meter', 'meter: not in the registry'],
    ['bad_json', 'payload: not JSON'],
    ['clock_skew', 'ts: more than 600 s in the future'],
  ] as const;
  for (let i = 0; i < 9; i++) {
    const [label, reason] = reasons[i % reasons.length] ?? reasons[0];
    const gateway = registry.gateways[i % registry.gateways.length]?.id ?? 'gw';
    const raw = `{"meter":"m-x${i}","ts":"2026-11-01T08:00:00+08:00","value":"a\\b"}`;
    const fields = `reason=${str(reason)},meter=${str(`m-x${i}`)},raw=${str(raw)}`;
    lines.push(line('dead_letters', { gateway, reason_label: label }, fields, startMs + i * 7 * HOUR_MS + 60_000));
  }

  const anomalyInstitutions = registry.institutions.slice(0, 2).map((i) => i.id);
  anomalyInstitutions.forEach((inst, i) => {
    const meter = fleet.meters.find((m) => buildingOf.get(m.buildingId)?.institutionId === inst)?.id ?? 'm';
    for (const [j, type] of ['after_hours_base_load', 'spike'].entries()) {
      const tags = {
        type,
        institution: inst,
        meter,
        severity: j === 0 ? 'high' : 'medium',
        status: i === 0 ? 'open' : 'resolved',
      };
      const fields = `wasted_kgce=${12.5 * (j + 1)},wasted_native=${101.7 * (j + 1)},evidence=${str(`night load ${3 + j}× the day's`)}`;
      lines.push(line('anomalies', tags, fields, startMs + (10 + 20 * j + i) * HOUR_MS));
    }
  });

  return {
    fleet,
    lines,
    nowMs,
    startMs,
    hourly,
    focusInstitution,
    floorAreaM2: new Map(registry.institutions.map((i) => [i.id, i.floorAreaM2])),
    offlineGateway,
    offlineMeters,
    invalidReadings,
  };
}

/** kgce of rows (water and other energies without a coefficient count 0). */
export function kgceOf(rows: readonly HourlyRow[]): number {
  return rows.reduce((s, r) => s + r.amount * (KGCE_PER_UNIT_EXPECTED[r.energy] ?? 0), 0);
}
