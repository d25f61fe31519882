/**
 * Outdoor weather (issue 18, item 1): stations in the registry and their hourly temperatures, the
 * input of weather-normalised baselines (`core/mv/`). An observation is one station's outdoor
 * temperature at one instant; gaps are reported, never invented.
 */
import { z } from 'zod';

/** The lowest and highest outdoor temperature accepted (°C): outside them a value is garbage. */
export const TEMPERATURE_C_MIN = -90;
export const TEMPERATURE_C_MAX = 60;

/** One hourly outdoor temperature of a station, at an instant (epoch ms, UTC). */
export interface WeatherObservation {
  readonly tsMs: number;
  readonly temperatureC: number;
}

/** An observation as the API and MQTT accept it: `ts` an ISO instant with offset, `temperatureC` in °C. */
export const WeatherObservationInputSchema = z.object({
  ts: z.iso.datetime({ offset: true }).describe('ISO 8601 instant with offset, e.g. 2018-01-01T00:00:00Z'),
  temperatureC: z.number().finite().min(TEMPERATURE_C_MIN).max(TEMPERATURE_C_MAX).describe('outdoor temperature, °C'),
});
export type WeatherObservationInput = z.infer<typeof WeatherObservationInputSchema>;

/** What storing a batch of observations did: new instants, changed values, repeats left alone. */
export interface WeatherPutOutcome {
  readonly inserted: number;
  readonly replaced: number;
  readonly unchanged: number;
}

/** An hour in ms: observations are hourly, on the whole UTC hour. */
const HOUR_MS = 3_600_000;

/** Whether an instant is on a whole UTC hour, as hourly observations are (SYNOP, MIDAS). */
export function isWholeHour(tsMs: number): boolean {
  return Number.isInteger(tsMs) && tsMs % HOUR_MS === 0;
}

/**
 * A run of missing hours: `from` the first missing hour, `to` the next hour that is not missing
 * (exclusive), `hours` how many; instants in epoch ms, UTC.
 */
export interface WeatherGap {
  readonly fromMs: number;
  readonly toMs: number;
  readonly hours: number;
}

/**
 * The runs of whole UTC hours in [fromMs, toMs) without an observation, in time order. Only what is
 * missing is reported: nothing is filled in (issue 18: "gaps are reported, not invented").
 */
export function weatherGaps(observations: readonly WeatherObservation[], fromMs: number, toMs: number): WeatherGap[] {
  const seen = new Set(observations.map((o) => o.tsMs));
  const gaps: WeatherGap[] = [];
  let start: number | undefined;
  const first = Math.ceil(fromMs / HOUR_MS) * HOUR_MS;
  for (let h = first; h <= toMs; h += HOUR_MS) {
    const missing = h < toMs && !seen.has(h);
    if (missing && start === undefined) start = h;
    if (!missing && start !== undefined) {
      gaps.push({ fromMs: start, toMs: h, hours: (h - start) / HOUR_MS });
      start = undefined;
    }
  }
  return gaps;
}

// Kept apart from zod so that the web page can resolve a scope's station without bundling zod.
export { effectiveWeatherStationId } from './weather-station.js';
