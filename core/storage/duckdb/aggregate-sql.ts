import { bucketStart } from '../../domain/time.js';
import type { AggregateQuery } from '../store.js';

const GROUP_COLUMN = {
  none: `''`,
  district: 'i.district_id',
  institution: 'b.institution_id',
  building: 'm.building_id',
  meter: 'h.meter_id',
} as const;

/** Where a query's sums come from: the hourly table, or the daily rollup (same sums, ~24× fewer rows). */
const SOURCES = {
  hourly: {
    table: 'hourly',
    time: 'hour_start',
    counts: `count(*) FILTER (WHERE h.quality = 'suspect') AS suspect_hours,
           count(*) FILTER (WHERE h.quality = 'estimated') AS estimated_hours,
           count(*) FILTER (WHERE h.quality = 'good') AS good_hours`,
  },
  daily: {
    table: 'daily',
    time: 'day_start',
    counts: `sum(h.suspect_hours) AS suspect_hours, sum(h.estimated_hours) AS estimated_hours,
           sum(h.good_hours) AS good_hours`,
  },
} as const;

/**
 * Whether the daily rollup (kept in `rollupZone`) answers a query exactly: buckets of days or longer
 * in that zone, over whole local days.
 */
export function dailyRollupServes(q: AggregateQuery, rollupZone: string): boolean {
  if (q.interval === 'hour' || q.timeZone !== rollupZone) return false;
  return bucketStart(q.fromMs, 'day', rollupZone) === q.fromMs && bucketStart(q.toMs, 'day', rollupZone) === q.toMs;
}

/**
 * SQL summing hourly consumption by local calendar bucket, energy and group, from the daily rollup
 * when it serves the query. Buckets use `date_trunc` on TIMESTAMPTZ under the connection's
 * `TimeZone`, which is fast in DuckDB (unlike `time_bucket` with a zone).
 */
export function aggregateSql(q: AggregateQuery, rollupZone: string): { sql: string; params: unknown[] } {
  const source = SOURCES[dailyRollupServes(q, rollupZone) ? 'daily' : 'hourly'];
  const params: unknown[] = [q.fromMs, q.toMs];
  const where = [
    `h.${source.time} >= make_timestamptz($1::BIGINT * 1000)`,
    `h.${source.time} < make_timestamptz($2::BIGINT * 1000)`,
  ];
  const add = (clause: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  const f = q.filter;
  if (f.districtId !== undefined) add((p) => `i.district_id = ${p}`, f.districtId);
  if (f.institutionId !== undefined) add((p) => `b.institution_id = ${p}`, f.institutionId);
  if (f.buildingId !== undefined) add((p) => `m.building_id = ${p}`, f.buildingId);
  if (f.meterId !== undefined) add((p) => `h.meter_id = ${p}`, f.meterId);
  if (f.energy !== undefined) add((p) => `m.energy = ${p}`, f.energy);
  if (f.subItemPrefix !== undefined) add((p) => `starts_with(m.sub_item, ${p})`, f.subItemPrefix);
  const bucket =
    q.interval === 'total'
      ? 'make_timestamptz($1::BIGINT * 1000)'
      : q.interval === 'hour' || (q.interval === 'day' && source.table === 'daily')
        ? `h.${source.time}`
        : `date_trunc('${q.interval}', h.${source.time})`;
  const sql = `
    SELECT epoch_ms(${bucket}) AS bucket_ms, m.energy AS energy, ${GROUP_COLUMN[q.groupBy]} AS group_id,
           sum(h.amount)::DOUBLE AS amount, sum(h.estimated)::DOUBLE AS estimated, sum(h.readings) AS readings,
           ${source.counts}
    FROM ${source.table} h
    JOIN meters m ON m.id = h.meter_id
    JOIN buildings b ON b.id = m.building_id
    JOIN institutions i ON i.id = b.institution_id
    WHERE ${where.join(' AND ')}
    GROUP BY ALL
    ORDER BY bucket_ms, energy, group_id`;
  return { sql, params };
}
