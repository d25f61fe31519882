import type { WeatherObservation } from '../domain/weather.js';

/**
 * A batch to store, each instant once with the last of `observations` winning (the rule of
 * `WeatherStore.putObservations`), in time order: shared by the DuckDB and PostgreSQL stores.
 */
export function lastPerInstant(observations: readonly WeatherObservation[]): WeatherObservation[] {
  const byTs = new Map<number, WeatherObservation>();
  for (const o of observations) byTs.set(o.tsMs, o);
  return [...byTs.values()].sort((a, b) => a.tsMs - b.tsMs);
}
