/**
 * The steps (local days or hours) of a savings project's periods (issue 18, item 3): consumption
 * and outdoor temperature side by side on the building's clock, each step kept or left out with
 * its reason. Nothing is filled in: a step without a temperature or without complete consumption
 * is counted and excluded (reported, not invented).
 */
import type { StepCounts } from '../domain/savings-projects.js';
import { HOUR_MS, localParts, nextBucketStart } from '../domain/time.js';
import type { WeatherObservation } from '../domain/weather.js';

/** One hour of a scope's consumption, native units; NaN when not complete (a meter-hour missing, estimated or suspect). */
export interface ConsumptionHour {
  readonly hourMs: number;
  readonly amount: number;
}

/** One step of a period: its start, its local day and month, use and temperature (NaN when unknown). */
export interface ProjectStep {
  readonly startMs: number;
  /** Local day `YYYY-MM-DD` the step belongs to (a daily step is that day). */
  readonly day: string;
  /** Local month `YYYY-MM`. */
  readonly month: string;
  /** Hours in the step's local day (23, 24 or 25): a constant adjustment per day is spread over them. */
  readonly hoursInDay: number;
  readonly amount: number;
  readonly temperatureC: number;
}

/** Share of a day's hours that need a temperature for its mean to count (CalTRACK, as `dailyFromHourly`). */
export const DAILY_TEMPERATURE_COVERAGE = 0.9;

const pad = (n: number) => String(n).padStart(2, '0');

/** Mean temperature of each UTC hour with observations, by hour start. */
export function hourlyTemperatures(observations: readonly WeatherObservation[]): Map<number, number> {
  const sums = new Map<number, { sum: number; n: number }>();
  for (const o of observations) {
    if (!Number.isFinite(o.temperatureC)) continue;
    const h = Math.floor(o.tsMs / HOUR_MS) * HOUR_MS;
    const s = sums.get(h) ?? { sum: 0, n: 0 };
    s.sum += o.temperatureC;
    s.n++;
    sums.set(h, s);
  }
  return new Map([...sums].map(([h, s]) => [h, s.sum / s.n]));
}

/** The local days of [fromMs, toMs) (local midnights), each with its hours. */
function localDays(
  fromMs: number,
  toMs: number,
  timeZone: string,
): { startMs: number; day: string; month: string; hours: number[] }[] {
  const out: { startMs: number; day: string; month: string; hours: number[] }[] = [];
  for (let d = fromMs; d < toMs; ) {
    const next = Math.min(nextBucketStart(d, 'day', timeZone), toMs);
    const p = localParts(d, timeZone);
    const hours: number[] = [];
    for (let h = d; h < next; h += HOUR_MS) hours.push(h);
    out.push({ startMs: d, day: `${p.year}-${pad(p.month)}-${pad(p.day)}`, month: `${p.year}-${pad(p.month)}`, hours });
    d = next;
  }
  return out;
}

/**
 * The steps of [fromMs, toMs) (local midnights): one per local day, or one per hour. A day's use
 * is the sum of its hours when every hour is complete; its temperature the mean of its hours with
 * one when they cover at least 90 % of the day.
 */
export function projectSteps(
  granularity: 'daily' | 'hourly',
  fromMs: number,
  toMs: number,
  timeZone: string,
  consumption: ReadonlyMap<number, number>,
  temperatures: ReadonlyMap<number, number>,
): ProjectStep[] {
  const steps: ProjectStep[] = [];
  for (const d of localDays(fromMs, toMs, timeZone)) {
    const base = { day: d.day, month: d.month, hoursInDay: d.hours.length };
    if (granularity === 'hourly') {
      for (const h of d.hours)
        steps.push({
          ...base,
          startMs: h,
          amount: consumption.get(h) ?? Number.NaN,
          temperatureC: temperatures.get(h) ?? Number.NaN,
        });
      continue;
    }
    let amount = 0;
    let tSum = 0;
    let tHours = 0;
    for (const h of d.hours) {
      amount += consumption.get(h) ?? Number.NaN;
      const t = temperatures.get(h);
      if (t !== undefined && Number.isFinite(t)) {
        tSum += t;
        tHours++;
      }
    }
    const temperatureC = tHours >= DAILY_TEMPERATURE_COVERAGE * d.hours.length ? tSum / tHours : Number.NaN;
    steps.push({ ...base, startMs: d.startMs, amount, temperatureC });
  }
  return steps;
}

/** Whether a step has both a use and a temperature. */
export const usable = (s: ProjectStep): boolean => Number.isFinite(s.amount) && Number.isFinite(s.temperatureC);

/** Counts of a period's steps: used (`usedSteps`) and left out by reason (a step may lack both). */
export function stepCounts(steps: readonly ProjectStep[], usedSteps: number, unpredictable = 0): StepCounts {
  return {
    used: usedSteps,
    missingTemperature: steps.filter((s) => !Number.isFinite(s.temperatureC)).length,
    incompleteConsumption: steps.filter((s) => !Number.isFinite(s.amount)).length,
    unpredictable,
  };
}
