/**
 * Weather observations (issue 18, item 1): a store of its own, one concern, reached as
 * `MetadataStore.weather` and implemented beside the metadata by DuckDB (`duckdb/`) and
 * PostgreSQL (`postgres/`); one contract suite runs against both. A station has one value per
 * instant: hourly data for a city's handful of stations is small (8,760 rows a station-year).
 */
import type { WeatherObservation, WeatherPutOutcome } from '../domain/weather.js';

/** Each call is atomic on its own. */
export interface WeatherStore {
  /**
   * Stores observations of `stationId`. An instant already stored with the same value is left
   * alone (`unchanged`: a duplicate after an outage); with another value it is replaced (a
   * corrected observation). Within one call the last observation of an instant wins.
   */
  putObservations(stationId: string, observations: readonly WeatherObservation[]): Promise<WeatherPutOutcome>;
  /** The observations of `stationId` in [fromMs, toMs), ascending by instant; empty if none. */
  observations(stationId: string, fromMs: number, toMs: number): Promise<WeatherObservation[]>;
}
