import type { DuckDBConnection } from '@duckdb/node-api';
import { HOUR_MS } from '../../domain/time.js';
import {
  addMeterHour,
  assertWholeMs,
  HOUR_QUALITY,
  hoursIn,
  type MeterHours,
  type MeterHoursQuery,
} from '../meter-hours.js';
import { scopeClauses, spanKey } from './aggregate-sql.js';
import { forEachChunk } from './sql-util.js';

/** `quality` as its `HOUR_QUALITY` code in SQL: an hour row's other qualities (`missing`) are 0. */
const QUALITY_CODE = `CASE h.quality ${HOUR_QUALITY.map((q, code) => (code === 0 ? '' : `WHEN '${q}' THEN ${code} `)).join('')}ELSE 0 END`;

/**
 * SQL of `SeriesStore.meterHours`: each meter's hourly rows of the window where its span is in the
 * filter's scope, with the hour's index in the window and the quality's code.
 */
export function meterHoursSql(q: MeterHoursQuery): { readonly sql: string; readonly params: unknown[] } {
  const params: unknown[] = [q.fromMs, q.toMs];
  const where = [
    'h.hour_start >= make_timestamptz($1::BIGINT * 1000)',
    'h.hour_start < make_timestamptz($2::BIGINT * 1000)',
    ...scopeClauses(q.filter, params),
  ];
  const sql = `
    SELECT h.meter_id AS meter_id, ((epoch_ms(h.hour_start) - $1::BIGINT) // ${HOUR_MS})::INTEGER AS hour,
           h.amount::DOUBLE AS amount, h.readings::DOUBLE AS readings, (${QUALITY_CODE})::INTEGER AS quality
    FROM hourly h
    JOIN meter_spans s ON ${spanKey('hourly')} AND h.hour_start >= s.from_ts AND h.hour_start < s.to_ts
    WHERE ${where.join(' AND ')}`;
  return { sql, params };
}

/**
 * Reads `SeriesStore.meterHours` on `conn`, a streamed chunk at a time into each meter's columns:
 * no object per hour (issue 19).
 */
export async function readMeterHours(conn: DuckDBConnection, q: MeterHoursQuery): Promise<MeterHours> {
  assertWholeMs(q);
  const hours = hoursIn(q);
  const out: MeterHours = new Map();
  if (hours === 0) return out;
  const { sql, params } = meterHoursSql(q);
  const row = { amount: 0, readings: 0, quality: 0 };
  await forEachChunk(conn, sql, params, (chunk) => {
    const [ids, hour, amount, readings, quality] = [0, 1, 2, 3, 4].map((j) => chunk.getColumnVector(j));
    if (
      ids === undefined ||
      hour === undefined ||
      amount === undefined ||
      readings === undefined ||
      quality === undefined
    )
      throw new Error('meterHours: a column is missing');
    for (let k = 0; k < chunk.rowCount; k++) {
      row.amount = Number(amount.getItem(k));
      row.readings = Number(readings.getItem(k));
      row.quality = Number(quality.getItem(k));
      addMeterHour(out, hours, String(ids.getItem(k)), Number(hour.getItem(k)), row);
    }
  });
  return out;
}
