/**
 * The load model: consumption of a simulated meter in any interval, pure and deterministic.
 *
 * Each local day is cut into 96 slots (15 min on a 24 h day) of constant rate, so consumption is
 * additive over any split of an interval. A slot's consumption is
 * `mean × dayFactor × shape × (1 + σ·(u − ū))`: `shape` comes from load-shapes.ts normalised to a
 * yearly mean of 1, `dayFactor` and `u` are hashes of (meter noise key, day or slot start), so the
 * value of an interval never depends on what was generated before, and `ū` is the shape-weighted
 * mean of the day's `u` so that the noise sums to zero over the day: a day's total is known
 * without its slots, which keeps registers at any instant cheap (see registers.ts).
 */
import type { InstitutionType } from '../core/domain/registry.js';
import { dayInfo, localDayAt } from './calendar.js';
import { type LoadKind, loadKindOf, relativeRate } from './load-shapes.js';
import type { SimMeter } from './model.js';
import { unitHash } from './random.js';

/** Time zone of the simulated city. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';
/** Slots of constant rate per local day. */
export const SLOTS_PER_DAY = 96;
/** Amplitude of the per-slot noise, as a share of the rate (0.12 → ±24 % at most). */
export const NOISE_AMPLITUDE = 0.12;
/** Spread of the per-day factor: days vary by up to ±10 %. */
export const DAY_FACTOR_SPREAD = 0.1;
/** Year whose mean shape is scaled to 1, so that `annualNative` is the consumption of a typical year. */
const REFERENCE_YEAR = 2026;
const DAY_MS = 86_400_000;

/** Shapes of one (institution type, load kind): per-day slot values and sums, and the yearly norm. */
class ShapeTable {
  readonly type: InstitutionType;
  readonly kind: LoadKind;
  readonly #days = new Map<number, Float64Array>();
  readonly #sums = new Map<number, number>();
  #norm = 0;

  constructor(type: InstitutionType, kind: LoadKind) {
    this.type = type;
    this.kind = kind;
  }

  /** Raw shape of one local day at slot midpoints. */
  day(dayNumber: number): Float64Array {
    let slots = this.#days.get(dayNumber);
    if (slots === undefined) {
      const info = dayInfo(dayNumber);
      slots = new Float64Array(SLOTS_PER_DAY);
      for (let i = 0; i < SLOTS_PER_DAY; i++) {
        slots[i] = relativeRate(this.type, this.kind, info, ((i + 0.5) * 24) / SLOTS_PER_DAY);
      }
      if (this.#days.size > 512) this.#days.clear();
      this.#days.set(dayNumber, slots);
    }
    return slots;
  }

  /** Sum of the raw shape over one local day's slots. */
  sum(dayNumber: number): number {
    let sum = this.#sums.get(dayNumber);
    if (sum === undefined) {
      sum = 0;
      const info = dayInfo(dayNumber);
      for (let i = 0; i < SLOTS_PER_DAY; i++)
        sum += relativeRate(this.type, this.kind, info, ((i + 0.5) * 24) / SLOTS_PER_DAY);
      if (this.#sums.size > 100_000) this.#sums.clear();
      this.#sums.set(dayNumber, sum);
    }
    return sum;
  }

  /** Mean raw shape per slot over the reference year: the divisor that scales shapes to a mean of 1. */
  norm(): number {
    if (this.#norm === 0) {
      const first = Date.UTC(REFERENCE_YEAR, 0, 1) / DAY_MS;
      const last = Date.UTC(REFERENCE_YEAR + 1, 0, 1) / DAY_MS;
      let sum = 0;
      for (let d = first; d < last; d++) sum += this.sum(d);
      this.#norm = sum / ((last - first) * SLOTS_PER_DAY);
    }
    return this.#norm;
  }
}

const tablesByKey = new Map<string, ShapeTable>();
const tablesByMeter = new WeakMap<SimMeter, ShapeTable>();

function tableOf(meter: SimMeter): ShapeTable {
  let table = tablesByMeter.get(meter);
  if (table === undefined) {
    const kind = loadKindOf(meter.energy, meter.subItem);
    const key = `${meter.institutionType}|${kind}`;
    table = tablesByKey.get(key);
    if (table === undefined) {
      table = new ShapeTable(meter.institutionType, kind);
      tablesByKey.set(key, table);
    }
    tablesByMeter.set(meter, table);
  }
  return table;
}

/** Expected consumption of one slot of an average day, native unit. */
function meanSlotNative(meter: SimMeter): number {
  return meter.annualNative / (365 * SLOTS_PER_DAY);
}

/** The meter's factor for a whole day, in [1 − spread, 1 + spread], triangular around 1. */
export function dayFactor(meter: SimMeter, dayNumber: number): number {
  const a = unitHash(meter.noiseKey ^ 0x0da7f00d, dayNumber);
  const b = unitHash(meter.noiseKey ^ 0x5eed5eed, dayNumber);
  return 1 + DAY_FACTOR_SPREAD * (a + b - 1);
}

/** Consumption of a meter over a whole local day, native unit (the noise sums to zero over a day). */
export function dailyConsumption(meter: SimMeter, dayNumber: number): number {
  const table = tableOf(meter);
  return (meanSlotNative(meter) * dayFactor(meter, dayNumber) * table.sum(dayNumber)) / table.norm();
}

/** One meter's local day: its bounds and the cumulative consumption at each slot boundary. */
interface MeterDay {
  readonly timeZone: string;
  readonly dayNumber: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly slotMs: number;
  /** prefix[i] = consumption from local midnight to the start of slot i; prefix[96] = the day. */
  readonly prefix: Float64Array;
}

const meterDays = new WeakMap<SimMeter, MeterDay[]>();

function buildMeterDay(
  meter: SimMeter,
  day: { dayNumber: number; startMs: number; endMs: number },
  timeZone: string,
): MeterDay {
  const table = tableOf(meter);
  const shape = table.day(day.dayNumber);
  const slotMs = (day.endMs - day.startMs) / SLOTS_PER_DAY;
  const u = new Float64Array(SLOTS_PER_DAY);
  let shapeSum = 0;
  let weighted = 0;
  for (let i = 0; i < SLOTS_PER_DAY; i++) {
    const s = shape[i] ?? 0;
    const ui = 2 * unitHash(meter.noiseKey, Math.round(day.startMs + i * slotMs)) - 1;
    u[i] = ui;
    shapeSum += s;
    weighted += s * ui;
  }
  const uMean = shapeSum > 0 ? weighted / shapeSum : 0;
  const scale = (meanSlotNative(meter) * dayFactor(meter, day.dayNumber)) / table.norm();
  const prefix = new Float64Array(SLOTS_PER_DAY + 1);
  for (let i = 0; i < SLOTS_PER_DAY; i++) {
    // |u − ū| ≤ 2 and σ < 0.5, so a slot is never negative.
    const slot = scale * (shape[i] ?? 0) * (1 + NOISE_AMPLITUDE * ((u[i] ?? 0) - uMean));
    prefix[i + 1] = (prefix[i] ?? 0) + slot;
  }
  return { timeZone, dayNumber: day.dayNumber, startMs: day.startMs, endMs: day.endMs, slotMs, prefix };
}

/** The meter's day containing an instant, from a small per-meter cache (the last two days used). */
function meterDayAt(meter: SimMeter, tMs: number, timeZone: string): MeterDay {
  let cached = meterDays.get(meter);
  if (cached !== undefined) {
    for (const md of cached) {
      if (md.timeZone === timeZone && tMs >= md.startMs && tMs < md.endMs) return md;
    }
  } else {
    cached = [];
    meterDays.set(meter, cached);
  }
  const md = buildMeterDay(meter, localDayAt(tMs, timeZone), timeZone);
  cached.unshift(md);
  if (cached.length > 2) cached.pop();
  return md;
}

/** Consumption from the start of the meter's day to an instant inside it. */
function withinDay(md: MeterDay, tMs: number): number {
  const pos = (tMs - md.startMs) / md.slotMs;
  const i = Math.min(SLOTS_PER_DAY, Math.max(0, Math.floor(pos)));
  const at = md.prefix[i] ?? 0;
  if (i >= SLOTS_PER_DAY) return at;
  return at + ((md.prefix[i + 1] ?? 0) - at) * (pos - i);
}

/** Consumption of a meter from local midnight to an instant, native unit. */
export function consumptionSinceMidnight(meter: SimMeter, tMs: number, timeZone = DEFAULT_TIME_ZONE): number {
  return withinDay(meterDayAt(meter, tMs, timeZone), tMs);
}

/**
 * Consumption of a meter in [startMs, endMs), in its native unit (kWh, m3, GJ), before the
 * multiplier: the register advances by this / multiplier. Never negative; 0 for an empty interval.
 */
export function consumptionInInterval(
  meter: SimMeter,
  startMs: number,
  endMs: number,
  timeZone = DEFAULT_TIME_ZONE,
): number {
  let total = 0;
  let t = startMs;
  while (t < endMs) {
    const md = meterDayAt(meter, t, timeZone);
    const segEnd = Math.min(endMs, md.endMs);
    total += withinDay(md, segEnd) - withinDay(md, t);
    t = segEnd;
  }
  return Math.max(0, total);
}
