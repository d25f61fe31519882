import type { HourlyConsumption, Quality } from '../../core/domain/consumption.js';
import type { Registry } from '../../core/domain/registry.js';
import type { AggregateQuery, SeriesStore, StoredReading } from '../../core/storage/store.js';

export const MIN = 60_000;
export const H = 3_600_000;
export const TZ = 'Asia/Shanghai';
/** 2026-11-01 00:00 in Shanghai (16:00 UTC the day before). */
export const T0 = Date.parse('2026-11-01T00:00:00+08:00');
/** The end of time, as the deriver asks for "up to the newest reading". */
export const LAST = Date.parse('2200-01-01T00:00:00Z');

/** Two districts, two institutions, three buildings, four meters (three electricity, one water), by id. */
export const REGISTRY: Registry = {
  districts: [
    { id: 'd1', name: 'D1' },
    { id: 'd2', name: 'D2' },
  ],
  institutions: [
    // creditCode and nature (issue 16, item 3) round-trip through both metadata backends.
    {
      id: 'i1',
      name: 'I1',
      districtId: 'd1',
      type: 'office',
      floorAreaM2: 1000,
      occupants: 10,
      creditCode: '91350100M000100Y43',
      nature: 'government',
    },
    { id: 'i2', name: 'I2', districtId: 'd2', type: 'school', floorAreaM2: 2000, occupants: 20 },
  ],
  buildings: [
    { id: 'b1', institutionId: 'i1', name: 'B1', floorAreaM2: 500 },
    { id: 'b2', institutionId: 'i1', name: 'B2', floorAreaM2: 500 },
    { id: 'b3', institutionId: 'i2', name: 'B3', floorAreaM2: 2000 },
  ],
  gateways: [
    { id: 'g1', secretHash: 'hash-1' },
    { id: 'g2', secretHash: 'hash-2' },
  ],
  meters: [
    {
      id: 'hvac',
      buildingId: 'b2',
      gatewayId: 'g1',
      energy: 'electricity',
      subItem: '01B00',
      unit: 'kWh',
      multiplier: 1,
      intervalS: 900,
    },
    {
      id: 'light',
      buildingId: 'b1',
      gatewayId: 'g1',
      energy: 'electricity',
      subItem: '01A10',
      unit: 'kWh',
      multiplier: 1,
      intervalS: 900,
    },
    {
      id: 'school',
      buildingId: 'b3',
      gatewayId: 'g2',
      energy: 'electricity',
      unit: 'kWh',
      multiplier: 1,
      intervalS: 900,
    },
    { id: 'water', buildingId: 'b1', gatewayId: 'g1', energy: 'water', unit: 'm3', multiplier: 1, intervalS: 900 },
  ],
};

/** A reading `minutes` after T0, received 5 s after its timestamp. */
export function reading(meterId: string, minutes: number, value: number, gatewayId = 'g1'): StoredReading {
  const tsMs = T0 + minutes * MIN;
  return { meterId, tsMs, value, gatewayId, receivedAtMs: tsMs + 5000 };
}

/** An hour of consumption at an instant, in micro-units. */
export function hour(
  meterId: string,
  hourStartMs: number,
  amountMicro: number,
  quality: Quality = 'good',
  estimatedMicro = 0,
  readingsCount = 4,
): HourlyConsumption {
  return { meterId, hourStartMs, amountMicro, estimatedMicro, quality, readingsCount };
}

/** An aggregate over everything from 2026 to 2028, by total, with overrides. */
export function query(overrides: Partial<AggregateQuery> = {}): AggregateQuery {
  return {
    filter: {},
    fromMs: Date.parse('2026-01-01T00:00:00+08:00'),
    toMs: Date.parse('2028-01-01T00:00:00+08:00'),
    interval: 'total',
    timeZone: TZ,
    groupBy: 'none',
    ...overrides,
  };
}

/** `[bucket ISO, energy, group, amount]` of an aggregate, for readable expectations. */
export async function cells(store: SeriesStore, q: AggregateQuery): Promise<[string, string, string, number][]> {
  const rows = await store.aggregate(q);
  return rows.map((r) => [new Date(r.bucketStartMs).toISOString(), r.energy, r.groupId, r.amount]);
}

/** Registers of a meter every 15 minutes from T0: value 100 + i at index i. */
export function quarterHourly(meterId: string, count: number): StoredReading[] {
  return Array.from({ length: count }, (_, i) => reading(meterId, 15 * i, 100 + i));
}

/** The instants (as 15-minute indexes from T0) of a window's readings. */
export const indexes = (readings: readonly { tsMs: number }[]) => readings.map((r) => (r.tsMs - T0) / (15 * MIN));
