import type { RollupAlignment } from '../../domain/meter-spans.js';
import { UNMETERED } from '../../domain/sub-items.js';
import { bucketStart } from '../../domain/time.js';
import type { AggregateQuery, AggregateRow, MeterFilter } from '../store.js';

const GROUP_COLUMN = {
  none: `''`,
  district: 'i.district_id',
  institution: 'b.institution_id',
  building: 's.building_id',
  meter: 'h.meter_id',
  parent: 's.parent_id',
} as const;

/**
 * How a query counts a meter tree (see `AggregateQuery`): each meter its own amount, the meters
 * without a parent, or each meter's remainder under a sub-item.
 */
export type TreeMode = 'own' | 'roots' | 'subItem';

/** The tree mode of a query. */
export function treeMode(q: AggregateQuery): TreeMode {
  if (q.groupBy === 'meter' || q.groupBy === 'parent' || q.filter.meterId !== undefined) return 'own';
  return q.filter.subItemPrefix === undefined ? 'roots' : 'subItem';
}

/**
 * SQL conditions of a sub-item over `m` (the meter) and `pm` (its parent, LEFT JOINed): `mine`,
 * the meter is of the sub-item; `parents`, its parent is (its amount is then taken out of the
 * parent's remainder). `p` is the parameter holding the code prefix.
 */
function subItemConditions(prefix: string, p: string): { mine: string; parents: string } {
  return prefix === UNMETERED
    ? { mine: 'm.sub_item IS NULL', parents: '(s.parent_id IS NOT NULL AND pm.sub_item IS NULL)' }
    : { mine: `starts_with(m.sub_item, ${p})`, parents: `starts_with(pm.sub_item, ${p})` };
}

/** Where a query's sums come from: the hourly table, or the daily rollup (same sums, ~24× fewer rows). */
const SOURCES = {
  hourly: {
    table: 'hourly',
    time: 'hour_start',
    counts: (and: string) => `count(*) FILTER (WHERE h.quality = 'suspect'${and}) AS suspect_hours,
           count(*) FILTER (WHERE h.quality = 'estimated'${and}) AS estimated_hours,
           count(*) FILTER (WHERE h.quality = 'good'${and}) AS good_hours`,
  },
  daily: { table: 'daily', time: 'day_start', counts: rollupCounts },
  monthly: { table: 'monthly', time: 'month_start', counts: rollupCounts },
} as const;

/** A series table a query reads: `hourly`, or a rollup of whole local days or months. */
export type SeriesSource = keyof typeof SOURCES;

/** The quality counts of a rollup: sums of its per-row counts. */
function rollupCounts(and: string): string {
  const f = and === '' ? '' : ` FILTER (WHERE TRUE${and})`;
  return `coalesce(sum(h.suspect_hours)${f}, 0) AS suspect_hours,
           coalesce(sum(h.estimated_hours)${f}, 0) AS estimated_hours,
           coalesce(sum(h.good_hours)${f}, 0) AS good_hours`;
}

/**
 * The coarsest table that answers sums over [fromMs, toMs) cut at `cuts` exactly: the monthly
 * rollup when every instant starts a local month of the rollup's zone (and every dated move or
 * parent change does, `aligned.month`), the daily one likewise for days, else the hourly table.
 */
export function seriesSource(
  instantsMs: readonly number[],
  timeZone: string,
  rollupZone: string,
  aligned: RollupAlignment,
): SeriesSource {
  if (timeZone !== rollupZone) return 'hourly';
  const at = (interval: 'day' | 'month') => instantsMs.every((t) => bucketStart(t, interval, rollupZone) === t);
  if (aligned.month && at('month')) return 'monthly';
  return aligned.day && at('day') ? 'daily' : 'hourly';
}

/** Whether the query's buckets are whole local months or longer. */
const monthBuckets = (q: AggregateQuery) => q.interval === 'month' || q.interval === 'year' || q.interval === 'total';

/**
 * Whether the daily rollup (kept in `rollupZone`) answers a query exactly: buckets of days or longer
 * in that zone, over whole local days.
 */
export function dailyRollupServes(q: AggregateQuery, rollupZone: string): boolean {
  if (q.interval === 'hour' || q.timeZone !== rollupZone) return false;
  return bucketStart(q.fromMs, 'day', rollupZone) === q.fromMs && bucketStart(q.toMs, 'day', rollupZone) === q.toMs;
}

/**
 * The SQL conditions of a filter's scope and energy over `i` (institution), `b` (building), `s`
 * (the meter's span), `h` (the series row) and `m` (the meter), their values appended to `params`.
 */
export function scopeClauses(f: Omit<MeterFilter, 'subItemPrefix'>, params: unknown[]): string[] {
  const where: string[] = [];
  const add = (clause: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  if (f.districtId !== undefined) add((p) => `i.district_id = ${p}`, f.districtId);
  if (f.institutionId !== undefined) add((p) => `b.institution_id = ${p}`, f.institutionId);
  if (f.buildingId !== undefined) add((p) => `s.building_id = ${p}`, f.buildingId);
  if (f.meterId !== undefined) add((p) => `h.meter_id = ${p}`, f.meterId);
  if (f.energy !== undefined) add((p) => `m.energy = ${p}`, f.energy);
  return where;
}

/**
 * SQL summing hourly consumption by local calendar bucket, energy and group, from the monthly or
 * daily rollup when one serves the query (`seriesSource`). Each hour counts where the meter was at that hour (`meter_spans`). Buckets use `date_trunc` on TIMESTAMPTZ under the connection's
 * `TimeZone`, which is fast in DuckDB (unlike `time_bucket` with a zone).
 */
export function aggregateSql(
  q: AggregateQuery,
  rollupZone: string,
  aligned: RollupAlignment = { day: true, month: true },
): { sql: string; params: unknown[] } {
  const source =
    SOURCES[
      q.interval === 'hour'
        ? 'hourly'
        : seriesSource(
            [q.fromMs, q.toMs],
            q.timeZone,
            rollupZone,
            monthBuckets(q) ? aligned : { ...aligned, month: false },
          )
    ];
  const params: unknown[] = [q.fromMs, q.toMs];
  const where = [
    `h.${source.time} >= make_timestamptz($1::BIGINT * 1000)`,
    `h.${source.time} < make_timestamptz($2::BIGINT * 1000)`,
  ];
  where.push(...scopeClauses(q.filter, params));
  const f = q.filter;
  const mode = treeMode(q);
  // Sums of `amount`/`estimated` (DECIMAL, exact), and the filter of the data counts.
  let sums = (column: string) => `sum(h.${column})`;
  let counted = '';
  if (f.subItemPrefix !== undefined) {
    if (f.subItemPrefix !== UNMETERED) params.push(f.subItemPrefix);
    const { mine, parents } = subItemConditions(f.subItemPrefix, `$${params.length}`);
    if (mode === 'own') where.push(mine);
    else {
      where.push(`(${mine} OR ${parents})`);
      sums = (column) =>
        `(coalesce(sum(h.${column}) FILTER (WHERE ${mine}), 0) - coalesce(sum(h.${column}) FILTER (WHERE ${parents}), 0))`;
      counted = ` AND ${mine}`;
    }
  } else if (mode === 'roots') sums = (column) => `coalesce(sum(h.${column}) FILTER (WHERE s.parent_id IS NULL), 0)`;
  if (q.groupBy === 'parent') where.push('s.parent_id IS NOT NULL');
  const readings = counted === '' ? 'sum(h.readings)' : `coalesce(sum(h.readings) FILTER (WHERE TRUE${counted}), 0)`;
  const bucket =
    q.interval === 'total'
      ? 'make_timestamptz($1::BIGINT * 1000)'
      : q.interval === 'hour' ||
          (q.interval === 'day' && source.table === 'daily') ||
          (q.interval === 'month' && source.table === 'monthly')
        ? `h.${source.time}`
        : `date_trunc('${q.interval}', h.${source.time})`;
  const sql = `
    SELECT epoch_ms(${bucket}) AS bucket_ms, m.energy AS energy, ${GROUP_COLUMN[q.groupBy]} AS group_id,
           ${sums('amount')}::DOUBLE AS amount, ${sums('estimated')}::DOUBLE AS estimated, ${readings} AS readings,
           ${source.counts(counted)}
    FROM ${source.table} h
    JOIN meter_spans s ON s.meter_id = h.meter_id AND h.${source.time} >= s.from_ts AND h.${source.time} < s.to_ts
    JOIN meters m ON m.id = h.meter_id${mode === 'subItem' ? '\n    LEFT JOIN meters pm ON pm.id = s.parent_id' : ''}
    JOIN buildings b ON b.id = s.building_id
    JOIN institutions i ON i.id = b.institution_id
    WHERE ${where.join(' AND ')}
    GROUP BY ALL
    ORDER BY bucket_ms, energy, group_id`;
  return { sql, params };
}

/** An `aggregateSql` result row as an `AggregateRow`. */
export function aggregateRowOf(r: Record<string, unknown>): AggregateRow {
  return {
    bucketStartMs: Number(r.bucket_ms),
    energy: String(r.energy) as AggregateRow['energy'],
    groupId: String(r.group_id ?? ''),
    amount: Number(r.amount),
    estimated: Number(r.estimated),
    readings: Number(r.readings),
    suspectHours: Number(r.suspect_hours),
    estimatedHours: Number(r.estimated_hours),
    goodHours: Number(r.good_hours),
  };
}
