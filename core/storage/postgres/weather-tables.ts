import type pg from 'pg';
import type { WeatherObservation, WeatherPutOutcome } from '../../domain/weather.js';
import { lastPerInstant } from '../weather-rows.js';
import type { WeatherStore } from '../weather-store.js';
import { ID, inTransaction, iso, msOf, runOn } from './sql.js';

/**
 * Weather (issue 18, item 1): schema version 14 of the PostgreSQL metadata. Stations are registry
 * rows (`registry-rows.ts`), institutions and buildings name theirs; observations are one row per
 * station and instant.
 */
export const WEATHER_TABLES_SQL = [
  `ALTER TABLE institutions ADD COLUMN weather_station_id ${ID}`,
  `ALTER TABLE buildings ADD COLUMN weather_station_id ${ID}`,
  `CREATE TABLE weather_stations (id ${ID} PRIMARY KEY, name TEXT NOT NULL, gateway_ids TEXT)`,
  `CREATE TABLE weather_observations (station_id ${ID} NOT NULL, ts TIMESTAMPTZ NOT NULL,
     temperature_c DOUBLE PRECISION NOT NULL, PRIMARY KEY (station_id, ts))`,
];

/** The instants a query is clamped to (years 1 and 9999): ISO 8601 beyond them does not parse as a timestamp. */
const EARLIEST_MS = Date.parse('0001-01-01T00:00:00Z');
const LATEST_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Weather observations in PostgreSQL, shared by every process of a cluster. A put takes a
 * transaction-scoped advisory lock per station, so two processes storing the same hours at once
 * count each instant as inserted once.
 */
export class PostgresWeatherStore implements WeatherStore {
  constructor(private readonly pool: pg.Pool) {}

  async putObservations(stationId: string, observations: readonly WeatherObservation[]): Promise<WeatherPutOutcome> {
    const input = lastPerInstant(observations);
    if (input.length === 0) return { inserted: 0, replaced: 0, unchanged: 0 };
    return inTransaction(this.pool, async (run) => {
      await run(`SELECT pg_advisory_xact_lock(hashtext('jieneng:weather:' || $1))`, [stationId]);
      const [counts] = await run(
        `WITH input AS (SELECT * FROM unnest($2::timestamptz[], $3::float8[]) AS i(ts, t)),
           old AS (SELECT i.ts, i.t, w.temperature_c AS was FROM input i
                   LEFT JOIN weather_observations w ON w.station_id = $1 AND w.ts = i.ts),
           up AS (INSERT INTO weather_observations (station_id, ts, temperature_c) SELECT $1, ts, t FROM input
                  ON CONFLICT (station_id, ts) DO UPDATE SET temperature_c = EXCLUDED.temperature_c
                  WHERE weather_observations.temperature_c IS DISTINCT FROM EXCLUDED.temperature_c RETURNING 1)
         SELECT count(*) FILTER (WHERE was IS NULL)::int AS inserted,
                count(*) FILTER (WHERE was IS NOT NULL AND was <> t)::int AS replaced,
                count(*) FILTER (WHERE was = t)::int AS unchanged,
                (SELECT count(*) FROM up)::int AS written
         FROM old`,
        [stationId, input.map((o) => iso(o.tsMs)), input.map((o) => o.temperatureC)],
      );
      return {
        inserted: Number(counts?.inserted ?? 0),
        replaced: Number(counts?.replaced ?? 0),
        unchanged: Number(counts?.unchanged ?? 0),
      };
    });
  }

  async observations(stationId: string, fromMs: number, toMs: number): Promise<WeatherObservation[]> {
    const rows = await runOn(this.pool)(
      `SELECT ${msOf('ts')} AS ts_ms, temperature_c FROM weather_observations
       WHERE station_id = $1 AND ts >= $2::timestamptz AND ts < $3::timestamptz ORDER BY ts`,
      [stationId, iso(Math.max(fromMs, EARLIEST_MS)), iso(Math.min(toMs, LATEST_MS))],
    );
    return rows.map((r) => ({ tsMs: Number(r.ts_ms), temperatureC: Number(r.temperature_c) }));
  }
}
