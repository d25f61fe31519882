/**
 * Cumulative registers of simulated meters. A register is a pure function of time:
 * `(initialRegister + consumption since registerOriginMs / multiplier) mod registerModulus`,
 * rounded to the register's decimals. So runs over different ranges (a back-fill today, a live
 * run tomorrow) agree at every instant, and a consumer that diffs consecutive readings gets the
 * consumption of the interval up to the rounding of the two ends, across rollovers too.
 * A scenario's anomalies and register faults (effects.ts) keep that property: their extra
 * consumption has a closed form in time, so the register still includes it at every instant.
 */
import { localDayAt } from './calendar.js';
import { type MeterEffects, meterEffects, rateExtraNative, scaleExtraNative } from './effects.js';
import type { Fleet, SimMeter, SimReading } from './model.js';
import { consumptionSinceMidnight, DEFAULT_TIME_ZONE, dailyConsumption } from './profiles.js';
import type { Scenario } from './scenario.js';

/** Rounds a raw register to the meter's decimals and wraps it into [0, modulus). */
export function displayRegister(meter: SimMeter, raw: number): number {
  const scale = 10 ** meter.registerDecimals;
  const m = meter.registerModulus;
  const wrapped = ((raw % m) + m) % m;
  const shown = Math.round(wrapped * scale) / scale;
  return shown >= m ? 0 : shown;
}

/**
 * Follows one meter's register through time. Cheap when asked for instants in increasing order
 * (the day's prefix sums and the running total are kept); any order gives the same values.
 */
export class RegisterClock {
  readonly meter: SimMeter;
  readonly timeZone: string;
  /** The scenario whose effects this clock applies, if any. */
  readonly scenario: Scenario | undefined;
  readonly #effects: MeterEffects | undefined;
  /** Model (and true) cumulatives at fixed instants: window bounds, the replacement instant. */
  readonly #fixedModel = new Map<number, number>();
  #fixedTrue: number | undefined;
  #extraAtOrigin: number | undefined;
  readonly #originDay: number;
  readonly #originWithinDay: number;
  #dayNumber = Number.NaN;
  #dayStartMs = 0;
  #dayEndMs = 0;
  /** Consumption from the origin to the start of the current day, native unit (negative before the origin). */
  #cumAtDayStart = 0;

  /**
   * A clock for a meter in a time zone (the one whose local days the load model uses), applying a
   * scenario's effects on this meter when one is given.
   */
  constructor(meter: SimMeter, timeZone: string = DEFAULT_TIME_ZONE, scenario?: Scenario) {
    this.meter = meter;
    this.timeZone = timeZone;
    this.scenario = scenario;
    this.#effects = scenario === undefined ? undefined : meterEffects(scenario, meter.id);
    this.#originDay = localDayAt(meter.registerOriginMs, timeZone).dayNumber;
    this.#originWithinDay = consumptionSinceMidnight(meter, meter.registerOriginMs, timeZone);
  }

  /**
   * Consumption from the register origin to an instant, native unit; negative before the origin.
   * Includes the scenario's extra consumption (anomalies), so it is what the meter truly counted.
   */
  cumulativeNative(tMs: number): number {
    const model = this.modelCumulativeNative(tMs);
    const fx = this.#effects;
    if (fx === undefined) return model;
    this.#extraAtOrigin ??= this.#extra(fx, this.meter.registerOriginMs, 0);
    return model + this.#extra(fx, tMs, model) - this.#extraAtOrigin;
  }

  /** The load model's consumption from the register origin to an instant, without any anomaly. */
  modelCumulativeNative(tMs: number): number {
    if (!(tMs >= this.#dayStartMs && tMs < this.#dayEndMs)) this.#moveTo(tMs);
    return this.#cumAtDayStart + consumptionSinceMidnight(this.meter, tMs, this.timeZone);
  }

  /** The unrounded, unwrapped register at an instant (a stuck display is not applied here). */
  rawRegisterAt(tMs: number): number {
    const fx = this.#effects;
    const cum = this.cumulativeNative(tMs);
    const r = fx?.replacement;
    if (r !== undefined && tMs >= r.atMs) {
      // Another clock, so that this one keeps moving forward cheaply.
      this.#fixedTrue ??= new RegisterClock(this.meter, this.timeZone, this.scenario).cumulativeNative(r.atMs);
      return r.newInitial + (cum - this.#fixedTrue) / this.meter.multiplier;
    }
    return this.meter.initialRegister + cum / this.meter.multiplier + (fx?.registerOffset ?? 0);
  }

  /** The register the meter shows at an instant: rounded to its decimals and wrapped at its modulus. */
  registerAt(tMs: number): number {
    const stuck = this.#effects?.stuck;
    if (stuck !== undefined && tMs >= stuck.startMs && tMs < stuck.endMs) return stuck.frozenRegister;
    return displayRegister(this.meter, this.rawRegisterAt(tMs));
  }

  #extra(fx: MeterEffects, tMs: number, modelAtT: number): number {
    const rates = rateExtraNative(fx.rates, tMs);
    return fx.scales.length === 0 ? rates : rates + scaleExtraNative(fx.scales, tMs, modelAtT, (t) => this.#modelAt(t));
  }

  /** The model's cumulative at a fixed instant, from a separate clock and cached. */
  #modelAt(tMs: number): number {
    let value = this.#fixedModel.get(tMs);
    if (value === undefined) {
      value = new RegisterClock(this.meter, this.timeZone).modelCumulativeNative(tMs);
      this.#fixedModel.set(tMs, value);
    }
    return value;
  }

  #moveTo(tMs: number): void {
    const day = localDayAt(tMs, this.timeZone);
    let from = this.#dayNumber;
    let cum = this.#cumAtDayStart;
    if (Number.isNaN(from) || day.dayNumber < from) {
      from = this.#originDay;
      cum = -this.#originWithinDay;
    }
    for (let d = from; d < day.dayNumber; d++) cum += dailyConsumption(this.meter, d);
    for (let d = from - 1; d >= day.dayNumber; d--) cum -= dailyConsumption(this.meter, d);
    this.#dayNumber = day.dayNumber;
    this.#dayStartMs = day.startMs;
    this.#dayEndMs = day.endMs;
    this.#cumAtDayStart = cum;
  }
}

const clocks = new WeakMap<SimMeter, RegisterClock>();

/**
 * The register a meter shows at an instant (rounded, wrapped), with a scenario's effects when one
 * is given. Pure: a per-meter clock is cached only to make sequential calls cheap.
 */
export function registerAt(
  meter: SimMeter,
  tMs: number,
  timeZone: string = DEFAULT_TIME_ZONE,
  scenario?: Scenario,
): number {
  let clock = clocks.get(meter);
  if (clock === undefined || clock.timeZone !== timeZone || clock.scenario !== scenario) {
    clock = new RegisterClock(meter, timeZone, scenario);
    clocks.set(meter, clock);
  }
  return clock.registerAt(tMs);
}

/** The first instant at or after `tMs` on the grid of `intervalS` (aligned to the epoch, so to local hours in whole-hour zones). */
export function alignUp(tMs: number, intervalS: number): number {
  const stepMs = intervalS * 1000;
  return Math.ceil(tMs / stepMs) * stepMs;
}

/**
 * Readings of every meter at each grid instant in [fromMs, toMs): all meters at t, then all at
 * t + interval, and so on. Lazy, so a city-year streams in constant memory. A scenario's register
 * effects are applied; its transport faults are not (the publisher applies those).
 */
export function* readingsBetween(
  source: Fleet | readonly SimMeter[],
  fromMs: number,
  toMs: number,
  intervalS: number,
  timeZone: string = DEFAULT_TIME_ZONE,
  scenario?: Scenario,
): Generator<SimReading, void, undefined> {
  if (!(intervalS > 0)) throw new RangeError(`intervalS must be positive, got ${intervalS}`);
  const meters = 'meters' in source ? source.meters : source;
  const clockList = meters.map((m) => new RegisterClock(m, timeZone, scenario));
  const stepMs = intervalS * 1000;
  for (let t = alignUp(fromMs, intervalS); t < toMs; t += stepMs) {
    for (const clock of clockList) {
      yield { gatewayId: clock.meter.gatewayId, meterId: clock.meter.id, tsMs: t, value: clock.registerAt(t) };
    }
  }
}

/** How many readings `readingsBetween` yields for a number of meters. */
export function readingCount(meterCount: number, fromMs: number, toMs: number, intervalS: number): number {
  const stepMs = intervalS * 1000;
  const first = alignUp(fromMs, intervalS);
  return first >= toMs ? 0 : meterCount * Math.ceil((toMs - first) / stepMs);
}
