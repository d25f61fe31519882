/**
 * Line protocol of the scale bench's InfluxDB city, built by SQL beside the DuckDB rows (a JS string
 * per point cost as much CPU as influxd's parsing of it), in the store's layout: series keys from
 * `hourlySpans` and `hourlySeriesKey`, fields as `hourlyLine` and `dailyLine` write them (checked
 * on a sample by `checkLines` before every load).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Quality } from '../core/domain/consumption.js';
import type { Registry } from '../core/domain/registry.js';
import { appendRows, query } from '../core/storage/duckdb/sql-util.js';
import {
  dailyLine,
  hourlyLine,
  hourlySeriesKey,
  hourlySpans,
  hourlyTagger,
  INFLUX,
} from '../core/storage/influx/schema.js';

const H = INFLUX.hourly;
const D = INFLUX.daily;

/**
 * The meters' spans of attribution (`hourlySpans`) with the series key (measurement and sorted
 * tags, `hourlySeriesKey`) of their hourly and daily points, as the DuckDB table `spans`.
 */
export async function spansTable(conn: DuckDBConnection, registry: Registry): Promise<void> {
  await conn.run(
    'CREATE TEMP TABLE spans (meter_id VARCHAR, from_ms DOUBLE, to_ms DOUBLE, hourly_key VARCHAR, daily_key VARCHAR)',
  );
  const spansOf = hourlySpans(registry);
  const rows = registry.meters.flatMap((m) => spansOf(m.id));
  await appendRows(conn, 'spans', rows, (a, s) => {
    a.appendVarchar(s.tags[H.tags.meter] ?? '');
    a.appendDouble(s.fromMs);
    a.appendDouble(s.toMs);
    a.appendVarchar(hourlySeriesKey(s.tags, H.measurement));
    a.appendVarchar(hourlySeriesKey(s.tags, D.measurement));
  });
}

/** SQL text of a line-protocol integer field. */
const intField = (name: string, sql: string) => `'${name}=' || (${sql})::BIGINT::VARCHAR || 'i'`;
/** SQL text of a float field from a DECIMAL (its exact decimal text, the same double once parsed). */
const floatField = (name: string, sql: string) => `'${name}=' || (${sql})::VARCHAR`;
const fieldsSql = (fields: readonly string[]) => fields.join(` || ',' || `);

/** The hours' lines as `hourlyLine` writes them (checked against it on a sample, `checkLines`). */
export const HOURLY_LINE_SQL = `s.hourly_key || ' ' || ${fieldsSql([
  floatField(H.fields.amount, 'h.amount'),
  floatField(H.fields.estimated, 'h.estimated'),
  `'${H.fields.quality}="' || h.quality || '"'`,
  intField(H.fields.readings, 'h.readings'),
  intField(H.fields.amountMicro, 'h.amount::DECIMAL(38, 6) * 1000000'),
  intField(H.fields.estimatedMicro, 'h.estimated::DECIMAL(38, 6) * 1000000'),
  intField(H.fields.qGood, `h.quality = 'good'`),
  intField(H.fields.qEstimated, `h.quality = 'estimated'`),
  intField(H.fields.qSuspect, `h.quality = 'suspect'`),
])} || ' ' || epoch_ms(h.hour_start)::VARCHAR`;

/** The days' lines as `dailyLine` writes them. */
export const DAILY_LINE_SQL = `s.daily_key || ' ' || ${fieldsSql([
  floatField(D.fields.amount, 'd.amount'),
  intField(D.fields.readings, 'd.readings'),
  intField(D.fields.amountMicro, 'd.amount::DECIMAL(38, 6) * 1000000'),
  intField(D.fields.estimatedMicro, 'd.estimated::DECIMAL(38, 6) * 1000000'),
  intField(D.fields.qGood, 'd.good_hours'),
  intField(D.fields.qEstimated, 'd.estimated_hours'),
  intField(D.fields.qSuspect, 'd.suspect_hours'),
])} || ' ' || epoch_ms(d.day_start)::VARCHAR`;

/** Joins the rows of `alias` to the span that holds their instant `column`. */
export const spanJoin = (alias: string, column: string) =>
  `JOIN spans s ON s.meter_id = ${alias}.meter_id AND epoch_ms(${alias}.${column}) >= s.from_ms AND epoch_ms(${alias}.${column}) < s.to_ms`;

/** A line's series key, time, and fields by name (floats as numbers): equal when InfluxDB stores the same point. */
function parsedLine(line: string): string {
  const timeAt = line.lastIndexOf(' ');
  const fieldsAt = line.lastIndexOf(' ', timeAt - 1);
  const fields = line
    .slice(fieldsAt + 1, timeAt)
    .split(',')
    .map((f) => {
      const [k, v = ''] = f.split('=');
      return `${k}=${v.startsWith('"') || v.endsWith('i') ? v : Number(v)}`;
    })
    .sort();
  return `${line.slice(0, fieldsAt)} ${fields.join(',')} ${line.slice(timeAt + 1)}`;
}

/** Checks the SQL-built lines of a sample of hours and days against the store's `hourlyLine` and `dailyLine`. */
export async function checkLines(conn: DuckDBConnection, registry: Registry): Promise<void> {
  const tagsOf = hourlyTagger(registry);
  const hours = await query(
    conn,
    `SELECT ${HOURLY_LINE_SQL} AS line, h.meter_id, epoch_ms(h.hour_start)::DOUBLE AS t, (h.amount::DECIMAL(38, 6) * 1000000)::DOUBLE AS a,
            (h.estimated::DECIMAL(38, 6) * 1000000)::DOUBLE AS e, h.quality, h.readings FROM hourly h ${spanJoin('h', 'hour_start')} USING SAMPLE 500 ROWS`,
  );
  const days = await query(
    conn,
    `SELECT ${DAILY_LINE_SQL} AS line, d.meter_id, epoch_ms(d.day_start)::DOUBLE AS t, (d.amount::DECIMAL(38, 6) * 1000000)::DOUBLE AS a,
            (d.estimated::DECIMAL(38, 6) * 1000000)::DOUBLE AS e, d.readings::DOUBLE AS r, d.good_hours, d.estimated_hours, d.suspect_hours
     FROM daily d ${spanJoin('d', 'day_start')} USING SAMPLE 500 ROWS`,
  );
  const expected = [
    ...hours.map((r) => ({
      line: String(r.line),
      js: hourlyLine(
        {
          meterId: String(r.meter_id),
          hourStartMs: Number(r.t),
          amountMicro: Number(r.a),
          estimatedMicro: Number(r.e),
          quality: r.quality as Quality,
          readingsCount: Number(r.readings),
        },
        tagsOf(String(r.meter_id), Number(r.t)),
      ),
    })),
    ...days.map((r) => ({
      line: String(r.line),
      js: dailyLine(
        {
          dayStartMs: Number(r.t),
          amountMicro: Number(r.a),
          estimatedMicro: Number(r.e),
          readings: Number(r.r),
          goodHours: Number(r.good_hours),
          estimatedHours: Number(r.estimated_hours),
          suspectHours: Number(r.suspect_hours),
        },
        tagsOf(String(r.meter_id), Number(r.t)),
      ),
    })),
  ];
  const wrong = expected.find((x) => parsedLine(x.line) !== parsedLine(x.js));
  if (wrong !== undefined || hours.length === 0) {
    throw new Error(`the bulk lines differ from the store's: ${wrong?.line}\n  expected ${wrong?.js}`);
  }
}
