/**
 * The shared real data for the savings bench and tests: hourly electricity and gas of three
 * Cambridge buildings for 2017 and 2018 (`cambridge-mv/`) and the hourly Bedford temperature
 * (`cambridge-weather/`), aligned on the hours of each year (UTC). A missing reading or
 * temperature is NaN; in a normally non-zero meter (judged on 2017) a run of ≥ 23 zero hours is
 * missing data, as the data's README says.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type HourRecord, isNormallyNonZero, zeroRunsAsMissing } from '../../core/mv/series.js';

/** Where the shared data sets live, next to the repository. */
export const DEFAULT_DATA_DIR = join(import.meta.dirname, '../../../shared/data');

/** The buildings of `cambridge-mv/`. */
export const BUILDINGS = ['b104', 'b27', 'b36'] as const;
/** The energies each building has. */
export const ENERGIES = ['electricity', 'gas'] as const;
/** Baseline year, then reporting year. */
export const YEARS = [2017, 2018] as const;

/** One meter over the two years. */
export interface MeterYears {
  readonly building: string;
  readonly energy: string;
  /** Whether long zero runs were taken as gaps (the meter is normally non-zero in 2017). */
  readonly zeroRunsAreGaps: boolean;
  /** Hours of 2017 and of 2018, each year complete (8760), kWh and temperature NaN where unknown. */
  readonly years: ReadonlyMap<number, readonly HourRecord[]>;
}

const HOUR_MS = 3_600_000;

/** Parses `datetime,value` text (UTC hour starts, a header line) into hour start → value. */
export function parseHourlyCsv(text: string): Map<number, number> {
  const out = new Map<number, number>();
  const lines = text.split(/\r?\n/);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    const comma = line.indexOf(',');
    const ms = Date.parse(`${line.slice(0, comma).trim().replace(' ', 'T')}Z`);
    const value = Number(line.slice(comma + 1));
    if (Number.isNaN(ms) || !Number.isFinite(value)) throw new Error(`bad line ${i + 1}: ${line}`);
    out.set(ms, value);
  }
  return out;
}

function yearHours(year: number): number[] {
  const from = Date.UTC(year, 0, 1);
  const to = Date.UTC(year + 1, 0, 1);
  return Array.from({ length: (to - from) / HOUR_MS }, (_, i) => from + i * HOUR_MS);
}

/** The raw text of every file the bench reads, so that reading and parsing can be timed apart. */
export interface RawData {
  readonly meters: ReadonlyMap<string, string>;
  readonly weather: ReadonlyMap<number, string>;
}

/** Reads the CSV files (building_energy_year → text, year → weather text). */
export async function readRaw(dataDir = DEFAULT_DATA_DIR): Promise<RawData> {
  const meters = new Map<string, string>();
  const weather = new Map<number, string>();
  for (const year of YEARS) {
    weather.set(year, await readFile(join(dataDir, 'cambridge-weather', `bedford_${year}.csv`), 'utf8'));
    for (const b of BUILDINGS) {
      for (const e of ENERGIES) {
        meters.set(`${b}_${e}_${year}`, await readFile(join(dataDir, 'cambridge-mv', `${b}_${e}_${year}.csv`), 'utf8'));
      }
    }
  }
  return { meters, weather };
}

/** Parses and aligns the raw text into one `MeterYears` per building and energy. */
export function parseRaw(raw: RawData): MeterYears[] {
  const temperature = new Map<number, Map<number, number>>();
  for (const [year, text] of raw.weather) temperature.set(year, parseHourlyCsv(text));
  const out: MeterYears[] = [];
  for (const building of BUILDINGS) {
    for (const energy of ENERGIES) {
      const kwhByYear = new Map<number, number[]>();
      for (const year of YEARS) {
        const values = parseHourlyCsv(raw.meters.get(`${building}_${energy}_${year}`) ?? '');
        kwhByYear.set(
          year,
          yearHours(year).map((ms) => values.get(ms) ?? Number.NaN),
        );
      }
      const zeroRunsAreGaps = isNormallyNonZero(kwhByYear.get(2017) ?? []);
      const years = new Map<number, HourRecord[]>();
      for (const year of YEARS) {
        const raw = kwhByYear.get(year) ?? [];
        const kwh = zeroRunsAreGaps ? zeroRunsAsMissing(raw) : raw;
        const temps = temperature.get(year) ?? new Map<number, number>();
        years.set(
          year,
          yearHours(year).map((hourMs, i) => ({
            hourMs,
            kwh: kwh[i] ?? Number.NaN,
            temperatureC: temps.get(hourMs) ?? Number.NaN,
          })),
        );
      }
      out.push({ building, energy, zeroRunsAreGaps, years });
    }
  }
  return out;
}

/** Reads and parses everything. */
export async function loadMeters(dataDir = DEFAULT_DATA_DIR): Promise<MeterYears[]> {
  return parseRaw(await readRaw(dataDir));
}
