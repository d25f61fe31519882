/**
 * The synthetic city the `mv` bench fits baselines on, and its weather: the simulator's own
 * temperatures (simulator/calendar.ts), which the city's load follows, so the models have a real
 * temperature response to find.
 */
import { access, cp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DailyObservation, HourlyObservation } from '../core/mv/index.js';
import type { AggregateRow } from '../core/storage/store.js';
import { dayInfo, localDayAt, temperatureC } from '../simulator/calendar.js';
import { buildFleet } from '../simulator/fleet.js';
import type { Fleet } from '../simulator/model.js';
import { type CitySize, cityStore } from './city-store.js';
import { progress } from './harness.js';
import { makeTempDir } from './proc.js';

const HOUR_MS = 3_600_000;

/** A private copy of a cached city store, its fleet and the period it holds. */
export interface MvCity {
  readonly dataDir: string;
  readonly fleet: Fleet;
  readonly size: CitySize;
  readonly toMs: number;
}

/**
 * Opens a copy of the cached city of this size. A cache built by an older store schema is reused
 * as it is (the store migrates the copy on open: schema changes add tables, the hourly rows are the
 * same), where `cityStore` would rebuild it (~12 min for a city-year, and it deletes the old one).
 */
export async function mvCity(size: CitySize): Promise<MvCity> {
  const toMs = size.fromMs + size.hours * HOUR_MS;
  const fleet = buildFleet({
    seed: size.seed,
    districts: size.districts,
    institutions: size.institutions,
    metersTarget: size.metersTarget,
  });
  const cacheDir = join(import.meta.dirname, '.cache');
  const stem = `city-${fleet.meters.length}m-${size.hours}h-from${size.fromMs}-seed${size.seed}-schema`;
  for (const dir of (await readdir(cacheDir).catch(() => [])).filter((d) => d.startsWith(stem)).sort()) {
    const complete = await access(join(cacheDir, dir, 'complete.txt')).then(
      () => true,
      () => false,
    );
    if (!complete) continue;
    progress(`mv: reusing bench/.cache/${dir} (a private copy)`);
    const dataDir = await makeTempDir('jieneng-bench-mv-');
    await cp(join(cacheDir, dir, 'jieneng.duckdb'), join(dataDir, 'jieneng.duckdb'));
    return { dataDir, fleet, size, toMs };
  }
  const built = await cityStore(size);
  return { dataDir: built.dataDir, fleet: built.fleet, size, toMs };
}

/** The simulator's air temperature, °C, in the hour starting at `hourMs` (at its midpoint). */
export function hourTemperatureC(hourMs: number, timeZone: string): number {
  const day = localDayAt(hourMs, timeZone);
  return temperatureC(dayInfo(day.dayNumber), (hourMs - day.startMs) / HOUR_MS + 0.5);
}

/** A local day's mean temperature, °C (the diurnal cosine averages out). */
export function dayTemperatureC(dayStartMs: number, timeZone: string): number {
  return dayInfo(localDayAt(dayStartMs, timeZone).dayNumber).meanTempC;
}

/** Memoised temperatures: a batch asks for the same hours and days once per meter. */
export function weatherOf(timeZone: string): {
  hour: (hourMs: number) => number;
  day: (dayStartMs: number) => number;
} {
  const hours = new Map<number, number>();
  const days = new Map<number, number>();
  return {
    hour: (ms) => {
      let t = hours.get(ms);
      if (t === undefined) {
        t = hourTemperatureC(ms, timeZone);
        hours.set(ms, t);
      }
      return t;
    },
    day: (ms) => {
      let t = days.get(ms);
      if (t === undefined) {
        t = dayTemperatureC(ms, timeZone);
        days.set(ms, t);
      }
      return t;
    },
  };
}

/** Aggregate rows grouped by meter, each meter's rows in time order. */
export function byMeter(rows: readonly AggregateRow[]): Map<string, AggregateRow[]> {
  const out = new Map<string, AggregateRow[]>();
  for (const r of rows) {
    let list = out.get(r.groupId);
    if (list === undefined) {
      list = [];
      out.set(r.groupId, list);
    }
    list.push(r);
  }
  for (const list of out.values()) list.sort((a, b) => a.bucketStartMs - b.bucketStartMs);
  return out;
}

/** One meter's hourly rows as the hourly model's observations. */
export function hourlyObservations(rows: readonly AggregateRow[], hour: (ms: number) => number): HourlyObservation[] {
  return rows.map((r) => ({ hourMs: r.bucketStartMs, temperatureC: hour(r.bucketStartMs), kwh: r.amount }));
}

/** One meter's daily rows (local days) as the daily model's observations. */
export function dailyObservations(rows: readonly AggregateRow[], day: (ms: number) => number): DailyObservation[] {
  return rows.map((r) => ({ dayMs: r.bucketStartMs, temperatureC: day(r.bucketStartMs), kwh: r.amount }));
}
