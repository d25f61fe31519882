/**
 * The data the anomaly bench scores detectors on: a seeded fleet, a scenario of labelled
 * anomalies, and the hourly consumption of every meter derived by core's counter rules from the
 * simulated registers (exactly what the platform would store), summed per institution and energy.
 */
import { deriveHourly, MICRO, type RegisterReading } from '../../core/domain/consumption.js';
import type { DetectorContext, HourPoint } from '../../core/domain/detectors/types.js';
import { makeIsWorkday } from '../../core/domain/detectors/workdays.js';
import type { Energy } from '../../core/domain/energy.js';
import { localParts, localToEpochMs, parseLocalDateTime } from '../../core/domain/time.js';
import { buildFleet } from '../../simulator/fleet.js';
import type { Fleet } from '../../simulator/model.js';
import { planScenario } from '../../simulator/planner.js';
import { consumptionInInterval } from '../../simulator/profiles.js';
import { RegisterClock } from '../../simulator/registers.js';
import type { Scenario } from '../../simulator/scenario.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Options of a bench run. */
export interface SimulateOptions {
  readonly seed: number;
  readonly institutions: number;
  /** Days of data, warm-up included. */
  readonly days: number;
  /** Days of clean history before the window in which anomalies are planned. */
  readonly warmupDays: number;
  /** Anomalies per 30 days per meter and per institution (planScenario's anomalyRate). */
  readonly anomalyRate: number;
  /** First local day of the window anomalies are planned in, `YYYY-MM-DD`; the data starts `warmupDays` earlier. */
  readonly labelFrom: string;
  /** Target of an institution-month = the anomaly-free model's month total × this. */
  readonly targetFactor: number;
  readonly timeZone: string;
}

/** Everything the detectors run on and the scorer matches against. */
export interface BenchData {
  readonly fleet: Fleet;
  readonly scenario: Scenario;
  readonly ctx: DetectorContext;
  readonly fromMs: number;
  readonly toMs: number;
  /** Start of the window anomalies were planned in. */
  readonly labelFromMs: number;
  readonly meterSeries: ReadonlyMap<string, HourPoint[]>;
  /** Keyed `institutionId|energy`. */
  readonly institutionSeries: ReadonlyMap<string, HourPoint[]>;
  readonly institutionOf: ReadonlyMap<string, string>;
  /** Targets keyed `institutionId|energy|monthStartMs`, native unit. */
  readonly targets: ReadonlyMap<string, number>;
  /** Month starts (local) whose whole month-to-date lies in the data. */
  readonly monthStarts: readonly number[];
  /**
   * True month totals (every anomaly included, the whole month even past the data's end) keyed
   * like `targets`: whether a month really ends over its target, whatever the cause.
   */
  readonly actualTotals: ReadonlyMap<string, number>;
}

/** Hourly points of one meter over [fromMs, toMs) from its simulated registers. */
function meterHours(fleet: Fleet, index: number, scenario: Scenario, fromMs: number, toMs: number): HourPoint[] {
  const sim = fleet.meters[index];
  const meter = fleet.registry.meters[index];
  if (sim === undefined || meter === undefined) return [];
  const clock = new RegisterClock(sim, scenario.timeZone, scenario);
  const stepMs = meter.intervalS * 1000;
  const readings: RegisterReading[] = [];
  for (let t = fromMs - 3 * stepMs; t <= toMs + 3 * stepMs; t += stepMs)
    readings.push({ tsMs: t, value: clock.registerAt(t) });
  return deriveHourly(meter, readings, fromMs, toMs).map((h) => ({
    hourStartMs: h.hourStartMs,
    amount: h.amountMicro / MICRO,
    quality: h.quality,
    readings: h.readingsCount,
  }));
}

function addInto(
  target: Map<number, { amount: number; quality: HourPoint['quality']; readings: number }>,
  p: HourPoint,
) {
  const rank = { good: 0, estimated: 1, suspect: 2, missing: 3 } as const;
  const s = target.get(p.hourStartMs);
  if (s === undefined) target.set(p.hourStartMs, { amount: p.amount, quality: p.quality, readings: p.readings });
  else {
    s.amount += p.amount;
    s.readings += p.readings;
    if (rank[p.quality] > rank[s.quality]) s.quality = p.quality;
  }
}

/** Month starts from the first whole month in [fromMs, toMs) to the last month touched. */
function months(fromMs: number, toMs: number, timeZone: string): number[] {
  const out: number[] = [];
  const p = localParts(fromMs, timeZone);
  for (let k = 0; ; k++) {
    const m0 = p.month - 1 + k;
    const start = localToEpochMs(timeZone, p.year + Math.floor(m0 / 12), (m0 % 12) + 1);
    if (start >= toMs) break;
    if (start >= fromMs) out.push(start);
  }
  return out;
}

/** Builds fleet, scenario and series for one run. */
export function simulate(opts: SimulateOptions): BenchData {
  const tz = opts.timeZone;
  const labelFromMs = parseLocalDateTime(opts.labelFrom, tz);
  if (labelFromMs === undefined) throw new RangeError(`bad date ${opts.labelFrom}`);
  const fromMs = labelFromMs - opts.warmupDays * DAY_MS;
  const toMs = fromMs + opts.days * DAY_MS;
  if (!(toMs > labelFromMs)) throw new RangeError('days must exceed warmupDays');
  const fleet = buildFleet({ seed: opts.seed, districts: 3, institutions: opts.institutions });
  const scenario = planScenario(fleet, {
    seed: opts.seed,
    fromMs: labelFromMs,
    toMs,
    anomalyRate: opts.anomalyRate,
    faultRate: 0,
    timeZone: tz,
  });
  const institutionOf = new Map<string, string>();
  const buildingInstitution = new Map(fleet.registry.buildings.map((b) => [b.id, b.institutionId]));
  const meterSeries = new Map<string, HourPoint[]>();
  const sums = new Map<string, Map<number, { amount: number; quality: HourPoint['quality']; readings: number }>>();
  fleet.registry.meters.forEach((m, i) => {
    const inst = buildingInstitution.get(m.buildingId) ?? '';
    institutionOf.set(m.id, inst);
    const series = meterHours(fleet, i, scenario, fromMs, toMs);
    meterSeries.set(m.id, series);
    const key = `${inst}|${m.energy}`;
    const sum = sums.get(key) ?? new Map();
    sums.set(key, sum);
    for (const p of series) addInto(sum, p);
  });
  const institutionSeries = new Map<string, HourPoint[]>();
  for (const [key, sum] of sums)
    institutionSeries.set(
      key,
      [...sum.entries()].sort(([a], [b]) => a - b).map(([hourStartMs, s]) => ({ hourStartMs, ...s })),
    );
  const monthStarts = months(fromMs, toMs, tz);
  const targets = new Map<string, number>();
  const actualTotals = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, x: number) => map.set(key, (map.get(key) ?? 0) + x);
  for (const start of monthStarts) {
    const p = localParts(start, tz);
    const end = localToEpochMs(tz, p.year + Math.floor(p.month / 12), (p.month % 12) + 1);
    for (const sim of fleet.meters) {
      const key = `${institutionOf.get(sim.id)}|${sim.energy as Energy}|${start}`;
      add(targets, key, consumptionInInterval(sim, start, end, tz) * opts.targetFactor);
      const clock = new RegisterClock(sim, tz, scenario);
      add(actualTotals, key, clock.cumulativeNative(end) - clock.cumulativeNative(start));
    }
  }
  const ctx: DetectorContext = { timeZone: tz, nowMs: toMs, isWorkday: makeIsWorkday(tz) };
  return {
    fleet,
    scenario,
    ctx,
    fromMs,
    toMs,
    labelFromMs,
    meterSeries,
    institutionSeries,
    institutionOf,
    targets,
    monthStarts,
    actualTotals,
  };
}

export { DAY_MS, HOUR_MS };
