import type { DuckDBConnection } from '@duckdb/node-api';
import type { WeatherObservation, WeatherPutOutcome } from '../../domain/weather.js';
import { lastPerInstant } from '../weather-rows.js';
import type { WeatherStore } from '../weather-store.js';
import { appendRows, query, tstz } from './sql-util.js';

/**
 * Weather (issue 18, item 1): schema version 14 of the embedded store. Stations are registry rows
 * (`registry-rows.ts`), institutions and buildings name theirs; observations are one row per
 * station and instant.
 */
export const WEATHER_SQL = [
  'ALTER TABLE institutions ADD COLUMN IF NOT EXISTS weather_station_id VARCHAR',
  'ALTER TABLE buildings ADD COLUMN IF NOT EXISTS weather_station_id VARCHAR',
  'CREATE TABLE IF NOT EXISTS weather_stations (id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, gateway_ids VARCHAR)',
  `CREATE TABLE IF NOT EXISTS weather_observations (station_id VARCHAR NOT NULL, ts TIMESTAMPTZ NOT NULL,
     temperature_c DOUBLE NOT NULL, PRIMARY KEY (station_id, ts))`,
];

/** Runs `fn` on the embedded store's writer (in one transaction when asked) or reader, serialised with its other calls. */
type Use = <T>(fn: (conn: DuckDBConnection) => Promise<T>, transaction?: boolean) => Promise<T>;

/** Rows per UPDATE of changed values. */
const UPDATE_CHUNK = 1000;

/** The embedded store's weather observations: writes through its writer connection, reads through its reader. */
export class DuckDbWeatherStore implements WeatherStore {
  constructor(
    private readonly write: Use,
    private readonly read: Use,
  ) {}

  async putObservations(stationId: string, observations: readonly WeatherObservation[]): Promise<WeatherPutOutcome> {
    const input = lastPerInstant(observations);
    const first = input[0];
    const last = input[input.length - 1];
    if (first === undefined || last === undefined) return { inserted: 0, replaced: 0, unchanged: 0 };
    return this.write(async (conn) => {
      const stored = await query(
        conn,
        `SELECT epoch_ms(ts) AS ts_ms, temperature_c FROM weather_observations
         WHERE station_id = $1 AND ts >= make_timestamptz($2::BIGINT * 1000) AND ts <= make_timestamptz($3::BIGINT * 1000)`,
        [stationId, first.tsMs, last.tsMs],
      );
      const before = new Map(stored.map((r) => [Number(r.ts_ms), Number(r.temperature_c)]));
      const fresh: WeatherObservation[] = [];
      const changed: WeatherObservation[] = [];
      for (const o of input) {
        const was = before.get(o.tsMs);
        if (was === undefined) fresh.push(o);
        else if (was !== o.temperatureC) changed.push(o);
      }
      await appendRows(conn, 'weather_observations', fresh, (a, o) => {
        a.appendVarchar(stationId);
        a.appendTimestamp(tstz(o.tsMs));
        a.appendDouble(o.temperatureC);
      });
      for (let i = 0; i < changed.length; i += UPDATE_CHUNK) {
        // Numbers only (epoch ms and finite °C): safe to write into the statement.
        const values = changed
          .slice(i, i + UPDATE_CHUNK)
          .map((o) => `(${Math.round(o.tsMs)}, ${Number(o.temperatureC)})`)
          .join(', ');
        await conn.run(
          `UPDATE weather_observations SET temperature_c = v.t FROM (VALUES ${values}) AS v(ms, t)
           WHERE station_id = $1 AND ts = make_timestamptz(v.ms::BIGINT * 1000)`,
          [stationId],
        );
      }
      return {
        inserted: fresh.length,
        replaced: changed.length,
        unchanged: input.length - fresh.length - changed.length,
      };
    }, true);
  }

  async observations(stationId: string, fromMs: number, toMs: number): Promise<WeatherObservation[]> {
    const rows = await this.read((conn) =>
      query(
        conn,
        `SELECT epoch_ms(ts) AS ts_ms, temperature_c FROM weather_observations
         WHERE station_id = $1 AND ts >= make_timestamptz($2::BIGINT * 1000) AND ts < make_timestamptz($3::BIGINT * 1000)
         ORDER BY ts`,
        [stationId, Math.round(fromMs), Math.round(toMs)],
      ),
    );
    return rows.map((r) => ({ tsMs: Number(r.ts_ms), temperatureC: Number(r.temperature_c) }));
  }
}
