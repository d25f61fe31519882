/**
 * The savings-project tests' case: b104's electricity of the shared Cambridge data, 2017 as the
 * baseline and 2018 as the reporting year, the Bedford temperatures, on the buildings' clock; the
 * registry that holds it, and the pure model's answer on the CSV.
 */
import { loadMeters } from '../../bench/savings/data.js';
import type { HourlyConsumption } from '../../core/domain/consumption.js';
import type { RegistryInput } from '../../core/domain/registry.js';
import type { SavingsAdjustment, SavingsAnswer, SavingsProjectDefinition } from '../../core/domain/savings-projects.js';
import { computeSavingsProject } from '../../core/mv/project.js';
import type { HourRecord } from '../../core/mv/series.js';
import type { TestPlatform } from '../helpers/platform.js';

export const TZ = 'Europe/London';
export const STATION = 'bedford';
export const METER = 'b104-electricity';

/** b104's electricity hours of 2017 and 2018 (kWh and °C NaN where the data have a gap). */
export async function b104Hours(): Promise<HourRecord[]> {
  const meter = (await loadMeters()).find((m) => m.building === 'b104' && m.energy === 'electricity');
  if (meter === undefined) throw new Error('no b104 electricity');
  return [...(meter.years.get(2017) ?? []), ...(meter.years.get(2018) ?? [])];
}

/** Two districts: b104 in `cam`, an empty institution in `other`; the Bedford station. */
export function savingsRegistry(secret = 'replay-secret-gw-b104'): RegistryInput {
  return {
    districts: [
      { id: 'cam', name: 'Cambridge' },
      { id: 'other', name: '其他区' },
    ],
    institutions: [
      { id: 'estate', name: '剑桥校产', districtId: 'cam', type: 'school', floorAreaM2: 3214, occupants: 100 },
      { id: 'elsewhere', name: '别处', districtId: 'other', type: 'office', floorAreaM2: 1000, occupants: 10 },
    ],
    buildings: [{ id: 'b104', institutionId: 'estate', name: 'b104', floorAreaM2: 3214 }],
    gateways: [{ id: 'gw-b104', secret }],
    weatherStations: [{ id: STATION, name: 'Bedford' }],
    meters: [
      {
        id: METER,
        buildingId: 'b104',
        gatewayId: 'gw-b104',
        energy: 'electricity',
        unit: 'kWh',
        multiplier: 1,
        intervalS: 3600,
      },
    ],
  };
}

/** The project over b104: baseline 2017, reporting 2018. */
export function b104Project(id: string, model: 'daily' | 'hourly', scope = 'building:b104'): SavingsProjectDefinition {
  return {
    id,
    name: `b104 节能改造 (${model})`,
    scope,
    energy: 'electricity',
    weatherStationId: STATION,
    baselineFrom: '2017-01-01',
    baselineTo: '2018-01-01',
    reportingFrom: '2018-01-01',
    reportingTo: '2019-01-01',
    model,
  };
}

/** The pure model's answer on the CSV hours. */
export function pureAnswer(
  input: SavingsProjectDefinition,
  hours: readonly HourRecord[],
  adjustments: readonly SavingsAdjustment[] = [],
): SavingsAnswer {
  return computeSavingsProject({
    project: { ...input, createdAt: '2026-01-01T00:00:00.000Z', createdBy: 'test' },
    adjustments,
    consumption: hours.map((h) => ({ hourMs: h.hourMs, amount: h.kwh })),
    temperatures: hours
      .filter((h) => Number.isFinite(h.temperatureC))
      .map((h) => ({ tsMs: h.hourMs, temperatureC: h.temperatureC })),
    timeZone: TZ,
    nowMs: Date.parse('2026-12-01T00:00:00Z'),
    conversions: { kgcePerUnit: 0.1229, kgceBasis: 'test' },
  });
}

/** Relative difference |a − b| / max(|a|, |b|, tiny). */
export function relDiff(a: number | null, b: number | null): number {
  if (a === null || b === null) return a === b ? 0 : Number.POSITIVE_INFINITY;
  // A figure that is zero but for rounding (the in-sample NMBE of least squares, ~1e-16) compares absolutely.
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-6);
}

/** Expects the platform's answer to carry the pure model's fit and savings (1e-9 relative). */
export function sameFigures(got: SavingsAnswer, want: SavingsAnswer): string[] {
  const pairs: [string, number | null, number | null][] = [
    ['r2', got.model.fit.r2, want.model.fit.r2],
    ['cvrmse', got.model.fit.cvrmse, want.model.fit.cvrmse],
    ['nmbe', got.model.fit.nmbe, want.model.fit.nmbe],
    ['n', got.model.fit.n, want.model.fit.n],
    ['baseline', got.reporting.baseline, want.reporting.baseline],
    ['actual', got.reporting.actual, want.reporting.actual],
    ['savings', got.reporting.savings, want.reporting.savings],
    ['savingsPct', got.reporting.savingsPct, want.reporting.savingsPct],
    ['fsu90', got.reporting.fsu90, want.reporting.fsu90],
  ];
  return pairs.filter(([, a, b]) => relDiff(a, b) > 1e-9).map(([k, a, b]) => `${k}: ${a} vs ${b}`);
}

/**
 * Puts the registry and b104's hours in a platform: the derived hours as ingest would write them
 * (a gap hour has no row: not complete) and the temperatures through `store.weather`.
 */
export async function seedB104(t: TestPlatform, hours: readonly HourRecord[]): Promise<void> {
  const put = await t.api('PUT', '/api/v1/registry', savingsRegistry());
  if (put.status !== 200) throw new Error(`registry: ${put.status} ${JSON.stringify(put.body)}`);
  const rows: HourlyConsumption[] = hours
    .filter((h) => Number.isFinite(h.kwh))
    .map((h) => ({
      meterId: METER,
      hourStartMs: h.hourMs,
      amountMicro: Math.round(h.kwh * 1e6),
      estimatedMicro: 0,
      quality: 'good',
      readingsCount: 1,
    }));
  const first = hours[0]?.hourMs ?? 0;
  await t.platform.store.replaceHourly(
    [{ meterId: METER, fromMs: first, toMs: first + hours.length * 3_600_000 }],
    rows,
  );
  await t.platform.store.weather.putObservations(
    STATION,
    hours.filter((h) => Number.isFinite(h.temperatureC)).map((h) => ({ tsMs: h.hourMs, temperatureC: h.temperatureC })),
  );
}
