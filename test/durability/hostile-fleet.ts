import type { RegistryInput } from '../../core/domain/registry.js';
import { Rng } from '../../simulator/random.js';

/**
 * The hostile-fleet scenario (issue "No device can stop ingest"): three well-behaved gateways with a
 * shuffled backlog, a fourth that sends every kind of garbage a cheap device produces, and an
 * attacker. Pure data: the test files run it against the embedded broker and against Mosquitto.
 */

const STEP_MS = 900_000;
/** Two days of 15-minute readings per meter. */
export const STEPS = 192;

/** Well-behaved gateways and their meters (a rollover on one of them); `gw-h` is the hostile one. */
export function hostileFleetRegistry(): RegistryInput {
  const meter = (id: string, gatewayId: string, extra: Partial<RegistryInput['meters'][number]> = {}) => ({
    id,
    buildingId: `b-${gatewayId.slice(3)}`,
    gatewayId,
    energy: 'electricity' as const,
    subItem: '01A00',
    unit: 'kWh' as const,
    multiplier: 1,
    intervalS: 900,
    ...extra,
  });
  const good = ['gw-a', 'gw-b', 'gw-c'];
  return {
    districts: [
      { id: 'd1', name: '鼓楼区' },
      { id: 'd2', name: '玄武区' },
    ],
    institutions: [
      { id: 'i-a', name: '市行政中心', districtId: 'd1', type: 'office', floorAreaM2: 20000, occupants: 800 },
      { id: 'i-b', name: '第一中学', districtId: 'd1', type: 'school', floorAreaM2: 15000, occupants: 300 },
      { id: 'i-c', name: '人民医院', districtId: 'd2', type: 'hospital', floorAreaM2: 30000, occupants: 900 },
      { id: 'i-h', name: '某机关', districtId: 'd2', type: 'office', floorAreaM2: 5000, occupants: 100 },
    ],
    buildings: ['a', 'b', 'c', 'h'].map((k) => ({
      id: `b-${k}`,
      institutionId: `i-${k}`,
      name: `${k.toUpperCase()} 楼`,
      floorAreaM2: 5000,
    })),
    gateways: [...good, 'gw-h'].map((id) => ({ id, secret: `secret-of-${id}-0123` })),
    meters: [
      ...good.flatMap((gw) => [
        meter(`${gw}-m1`, gw, { multiplier: 80, registerModulus: 100_000 }),
        meter(`${gw}-m2`, gw),
        meter(`${gw}-m3`, gw, { subItem: '01B00' }),
        meter(`${gw}-w`, gw, { energy: 'water', unit: 'm3', subItem: undefined, registerModulus: 10_000 }),
      ]),
      meter('gw-h-m1', 'gw-h'),
      meter('gw-h-w', 'gw-h', { energy: 'water', unit: 'm3', subItem: undefined, registerModulus: 10_000 }),
    ],
  };
}

/** A reading as published. */
export interface FleetReading {
  readonly meter: string;
  readonly ts: number;
  readonly value: number;
}

/** What a meter's stored readings and total must be once every well-behaved message is acknowledged. */
export interface MeterTruth {
  readonly keys: string[];
  readonly total: number;
}

/** The well-behaved backlog: per gateway, shuffled batches (mqtt.js) and single readings (mosquitto_pub). */
export interface Backlog {
  readonly batches: Map<string, string[]>;
  readonly singles: Map<string, string[]>;
  readonly truth: Map<string, MeterTruth>;
}

/**
 * Registers in tenths of a unit (exact): each step adds 0.5–1.5; the register wraps at its modulus
 * (the `m1` meters start 150 below it, so they roll over mid-backlog). The expected total is the
 * consumption after the first reading, × the multiplier.
 */
export function wellBehavedBacklog(registry: RegistryInput, endMs: number, seed: number): Backlog {
  const rng = new Rng(seed);
  const startMs = Math.floor((endMs - STEPS * STEP_MS) / STEP_MS) * STEP_MS;
  const batches = new Map<string, string[]>();
  const singles = new Map<string, string[]>();
  const truth = new Map<string, MeterTruth>();
  for (const gw of registry.gateways.filter((g) => g.id !== 'gw-h')) {
    const readings: FleetReading[] = [];
    for (const m of registry.meters.filter((x) => x.gatewayId === gw.id)) {
      const mod10 = m.registerModulus === undefined ? undefined : m.registerModulus * 10;
      let cum10 = 0;
      const start10 = mod10 === undefined ? 10_000 : mod10 - 1500;
      for (let k = 0; k < STEPS; k++) {
        if (k > 0) cum10 += 5 + ((k * 7) % 11);
        const raw10 = start10 + cum10;
        readings.push({
          meter: m.id,
          ts: startMs + k * STEP_MS,
          value: (mod10 === undefined ? raw10 : raw10 % mod10) / 10,
        });
      }
      const mine = readings.filter((r) => r.meter === m.id);
      truth.set(m.id, { keys: mine.map((r) => `${r.ts}=${r.value}`), total: (cum10 / 10) * (m.multiplier ?? 1) });
    }
    // Shuffled (seeded), then 8 singles and batches of 1–6.
    rng.shuffle(readings);
    singles.set(
      gw.id,
      readings.splice(0, 8).map((r) => JSON.stringify(r)),
    );
    const out: string[] = [];
    while (readings.length > 0) {
      const n = 1 + Math.floor(rng.next() * 6);
      out.push(JSON.stringify({ readings: readings.splice(0, n) }));
    }
    batches.set(gw.id, out);
  }
  return { batches, singles, truth };
}

/** A hostile message and the dead-letter code it must leave. */
export interface HostileMessage {
  readonly what: string;
  readonly payload: string;
  readonly code: string;
}

/** Every class of garbage of the issue, each with the code its dead letter must carry. */
export function hostileMessages(nowMs: number): HostileMessage[] {
  const r = (ts: unknown, value: unknown, meter = 'gw-h-m1') => JSON.stringify({ meter, ts, value });
  return [
    { what: 'a clock reset to 1970', payload: r(0, 1), code: 'too_early' },
    { what: 'year 1', payload: r('0001-01-01T00:00:00Z', 1), code: 'too_early' },
    { what: 'year 9999', payload: r('9999-12-31T23:00:00Z', 1), code: 'future_timestamp' },
    { what: 'a register of 5e12', payload: r(nowMs - 3_600_000, 5e12), code: 'out_of_range' },
    { what: 'a register of 1e308', payload: r(nowMs - 7_200_000, 1e308), code: 'out_of_range' },
    { what: 'a register above the modulus', payload: r(nowMs - 3_600_000, 12_345, 'gw-h-w'), code: 'out_of_range' },
    { what: 'a string register', payload: r(nowMs - 3_600_000, 'lots'), code: 'invalid_reading' },
    { what: '5,000 nested [', payload: '['.repeat(5000), code: 'too_deep' },
    {
      what: 'an 80,000-item array',
      payload: JSON.stringify({ readings: Array.from({ length: 80_000 }, () => 1) }),
      code: 'too_many_readings',
    },
    { what: 'not JSON', payload: '\u0000\u00ff{garbage', code: 'invalid_payload' },
    { what: "another gateway's meter", payload: r(nowMs - 3_600_000, 5, 'gw-a-m2'), code: 'foreign_meter' },
  ];
}

/** A flood: `count` junk readings for unknown meters (each an `unknown_meter` dead letter). */
export function floodMessages(nowMs: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => JSON.stringify({ meter: `nope-${i}`, ts: nowMs - 60_000, value: i }));
}
