/**
 * The demo's measurement and verification (issue 17, item 7; issue 18): a weather station whose
 * hourly temperatures are the simulator's own (the ones its heating and cooling loads follow), every
 * institution naming it, and a savings project over the institution the demo scenario retrofits, so
 * that the savings page has a baseline, a saving and its uncertainty on the first visit. Idempotent:
 * observations are stored once per hour (a repeat is `unchanged`), the project only when absent.
 */
import type { RegistryInput } from '../core/domain/registry.js';
import type { SavingsProject } from '../core/domain/savings-projects.js';
import { formatLocalIso, HOUR_MS } from '../core/domain/time.js';
import type { WeatherObservation } from '../core/domain/weather.js';
import type { Store } from '../core/storage/store.js';
import { dayInfo, localDayAt, temperatureC } from '../simulator/calendar.js';
import type { DemoShowcase } from './demo-scenario.js';

/** The demo city's weather station. */
export const DEMO_WEATHER_STATION = { id: 'demo-weather', name: '示范城市气象站' } as const;
/** The id of the demo's savings project. */
export const DEMO_SAVINGS_PROJECT_ID = 'demo-retrofit';
/** A baseline shorter than this (days) gets no project: the platform asks for 30 usable days. */
const MIN_BASELINE_DAYS = 33;
const DAY_MS = 24 * HOUR_MS;

/** The registry with the demo's weather station, named by every institution. */
export function withDemoWeather(registry: RegistryInput): RegistryInput {
  return {
    ...registry,
    weatherStations: [{ ...DEMO_WEATHER_STATION }],
    institutions: registry.institutions.map((i) => ({ ...i, weatherStationId: DEMO_WEATHER_STATION.id })),
  };
}

/** The simulator's outdoor temperature on every whole UTC hour of `[fromMs, toMs)`, rounded to 0.1 °C. */
export function demoTemperatures(fromMs: number, toMs: number, timeZone: string): WeatherObservation[] {
  const out: WeatherObservation[] = [];
  for (let t = Math.ceil(fromMs / HOUR_MS) * HOUR_MS; t < toMs; t += HOUR_MS) {
    const day = localDayAt(t, timeZone);
    const hour = (t - day.startMs) / HOUR_MS;
    out.push({ tsMs: t, temperatureC: Math.round(temperatureC(dayInfo(day.dayNumber), hour) * 10) / 10 });
  }
  return out;
}

/** Stores the demo station's temperatures of `[fromMs, toMs)`; answers how many hours were new. */
export async function putDemoWeather(store: Store, fromMs: number, toMs: number, timeZone: string): Promise<number> {
  const outcome = await store.weather.putObservations(
    DEMO_WEATHER_STATION.id,
    demoTemperatures(fromMs, toMs, timeZone),
  );
  return outcome.inserted;
}

/**
 * The savings project of the scenario's retrofit: the institution's electricity, a daily model, the
 * baseline from the first whole day of the back-fill to the retrofit, the reporting period from it
 * on (open: to today). Undefined when there is no retrofit or too short a baseline.
 */
export function demoSavingsProject(
  showcase: DemoShowcase,
  windowFromMs: number,
  timeZone: string,
  nowMs: number,
): SavingsProject | undefined {
  const r = showcase.retrofit;
  if (r === undefined) return undefined;
  const date = (ms: number) => formatLocalIso(ms, timeZone).slice(0, 10);
  const baselineFrom = date(windowFromMs + DAY_MS);
  const retrofitDay = date(r.atMs);
  if (Date.parse(retrofitDay) - Date.parse(baselineFrom) < MIN_BASELINE_DAYS * DAY_MS) return undefined;
  return {
    id: DEMO_SAVINGS_PROJECT_ID,
    name: '照明与空调节能改造（示范）',
    scope: `institution:${r.institutionId}`,
    energy: 'electricity',
    weatherStationId: DEMO_WEATHER_STATION.id,
    baselineFrom,
    baselineTo: retrofitDay,
    reportingFrom: retrofitDay,
    model: 'daily',
    createdAt: new Date(nowMs).toISOString(),
    createdBy: 'demo',
  };
}

/** Creates the demo's savings project unless one of its id exists; true when it was created. */
export async function ensureDemoSavingsProject(store: Store, project: SavingsProject | undefined): Promise<boolean> {
  if (project === undefined || (await store.savingsProjects.get(project.id)) !== undefined) return false;
  return store.savingsProjects.create(project);
}
