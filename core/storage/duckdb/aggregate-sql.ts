import type { RollupAlignment } from '../../domain/meter-spans.js';
import { UNMETERED } from '../../domain/sub-items.js';
import { bucketStart } from '../../domain/time.js';
import { type AggregateCell, addCounts, cellRow, emptyCell } from '../aggregate-cell.js';
import { type SeriesSource, seriesSource } from '../series-source.js';
import type { AggregateQuery, AggregateRow, AggregateSum, MeterFilter } from '../store.js';
import type { Columns } from './sql-util.js';

const GROUP_COLUMN = {
  none: `''`,
  district: 's.district_id',
  institution: 's.institution_id',
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
 * SQL conditions of a sub-item over `s` (the meter's span) and `pm` (its parent, LEFT JOINed): `mine`,
 * the meter is of the sub-item; `parents`, its parent is (its amount is then taken out of the
 * parent's remainder). `p` is the parameter holding the code prefix.
 */
function subItemConditions(prefix: string, p: string): { mine: string; parents: string } {
  return prefix === UNMETERED
    ? { mine: 's.sub_item IS NULL', parents: '(s.parent_id IS NOT NULL AND pm.sub_item IS NULL)' }
    : { mine: `starts_with(s.sub_item, ${p})`, parents: `starts_with(pm.sub_item, ${p})` };
}

/** Where a query's sums come from: the hourly table, or a rollup (same sums, ~24× or ~720× fewer rows). */
const SOURCES: Record<SeriesSource, { readonly table: string; readonly time: string }> = {
  hourly: { table: 'hourly', time: 'hour_start' },
  daily: { table: 'daily', time: 'day_start' },
  monthly: { table: 'monthly', time: 'month_start' },
};

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
 * The SQL conditions of a filter's scope and energy over `s` (the meter's span, which carries its
 * energy, institution and district: schema 17) and `h` (the series row), their values appended to `params`.
 */
export function scopeClauses(f: Omit<MeterFilter, 'subItemPrefix'>, params: unknown[]): string[] {
  const where: string[] = [];
  const add = (clause: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  if (f.districtId !== undefined) add((p) => `s.district_id = ${p}`, f.districtId);
  if (f.institutionId !== undefined) add((p) => `s.institution_id = ${p}`, f.institutionId);
  if (f.buildingId !== undefined) add((p) => `s.building_id = ${p}`, f.buildingId);
  if (f.meterId !== undefined) add((p) => `h.meter_id = ${p}`, f.meterId);
  if (f.energy !== undefined) add((p) => `s.energy = ${p}`, f.energy);
  return where;
}

/**
 * How a series row meets its meter's spans: the rollups by the meter's integer key, which their
 * zone maps prune on exactly (`meter-keys.ts`); the hourly table by id.
 */
export const spanKey = (table: string) =>
  table === 'hourly' ? 's.meter_id = h.meter_id' : 's.meter_key = h.meter_key';

/** A query of `SeriesStore.aggregate` and how its result columns are read. */
export interface AggregateStatement {
  readonly sql: string;
  readonly params: unknown[];
  readonly parse: (columns: Columns) => AggregateRow[];
}

/**
 * SQL summing hourly consumption by local calendar bucket, energy and group, from the monthly or
 * daily rollup when one serves the query (`seriesSource`). Each hour counts where the meter was at
 * that hour (`meter_spans`). Buckets use `date_trunc` on TIMESTAMPTZ under the connection's
 * `TimeZone`, which is fast in DuckDB (unlike `time_bucket` with a zone). A scoped question (an
 * institution, building or meter) served by a rollup reads its few rows and sums them here, in
 * integer micro-units: DuckDB's grouping costs ~8 ms however few the rows (issue 19, item 1).
 */
export function aggregateSql(
  q: AggregateQuery,
  rollupZone: string,
  aligned: RollupAlignment = { day: true, month: true },
): AggregateStatement {
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
  const scoped = f.institutionId !== undefined || f.buildingId !== undefined || f.meterId !== undefined;
  const perRow = scoped && source.table !== 'hourly';
  // A sum over the rows where `cond` holds (DECIMAL, exact), or, read per row, the row's share.
  const sum = (column: string, cond?: string) =>
    perRow
      ? cond === undefined
        ? `h.${column}`
        : `CASE WHEN ${cond} THEN h.${column} ELSE 0 END`
      : cond === undefined
        ? `sum(h.${column})`
        : `coalesce(sum(h.${column}) FILTER (WHERE ${cond}), 0)`;
  let sums = (column: string) => sum(column);
  let counted: string | undefined;
  if (f.subItemPrefix !== undefined) {
    if (f.subItemPrefix !== UNMETERED) params.push(f.subItemPrefix);
    const { mine, parents } = subItemConditions(f.subItemPrefix, `$${params.length}`);
    if (mode === 'own') where.push(mine);
    else {
      where.push(`(${mine} OR ${parents})`);
      sums = (column) => `(${sum(column, mine)} - ${sum(column, parents)})`;
      counted = mine;
    }
  } else if (mode === 'roots') sums = (column) => sum(column, 's.parent_id IS NULL');
  if (q.groupBy === 'parent') where.push('s.parent_id IS NOT NULL');
  const counts =
    source.table === 'hourly'
      ? (quality: string) => {
          const cond = `h.quality = '${quality}'${counted === undefined ? '' : ` AND ${counted}`}`;
          return perRow ? `CASE WHEN ${cond} THEN 1 ELSE 0 END` : `count(*) FILTER (WHERE ${cond})`;
        }
      : (quality: string) => sum(`${quality}_hours`, counted);
  const bucket =
    q.interval === 'total'
      ? 'make_timestamptz($1::BIGINT * 1000)'
      : q.interval === 'hour' ||
          (q.interval === 'day' && source.table === 'daily') ||
          (q.interval === 'month' && source.table === 'monthly')
        ? `h.${source.time}`
        : `date_trunc('${q.interval}', h.${source.time})`;
  // Only the sums asked for (`q.sums`; the others are 0); counts as DOUBLE (exact below 2^53), not HUGEINT (a BigInt each in JS).
  const asked = (x: AggregateSum) => q.sums === undefined || q.sums.includes(x);
  const columns: [sql: string, name: string][] = [
    [`${sums('amount')}::DOUBLE`, 'amount'],
    ...(asked('estimated') ? [[`${sums('estimated')}::DOUBLE`, 'estimated'] as [string, string]] : []),
    ...(asked('readings') ? [[`(${sum('readings', counted)})::DOUBLE`, 'readings'] as [string, string]] : []),
    ...(asked('qualityHours')
      ? (['suspect', 'estimated', 'good'] as const).map((k): [string, string] => [
          `(${counts(k)})::DOUBLE`,
          `${k}_hours`,
        ])
      : []),
  ];
  const select = `
    SELECT epoch_ms(${bucket})::DOUBLE AS bucket_ms, s.energy AS energy, ${GROUP_COLUMN[q.groupBy]} AS group_id,
           ${columns.map(([sql, name]) => `${sql} AS ${name}`).join(', ')}
    FROM ${source.table} h
    JOIN meter_spans s ON ${spanKey(source.table)} AND h.${source.time} >= s.from_ts AND h.${source.time} < s.to_ts
    ${mode === 'subItem' ? 'LEFT JOIN meters pm ON pm.id = s.parent_id' : ''}
    WHERE ${where.join(' AND ')}`;
  if (perRow) return { sql: select, params, parse: sumRows };
  if (!MANY_GROUPS.has(q.groupBy))
    return {
      sql: `${select}\n    GROUP BY ALL\n    ORDER BY bucket_ms, energy, group_id`,
      params,
      parse: aggregateRows,
    };
  // Many groups (a city's ~10,000 institutions): one row per bucket and energy, the groups' ids in one
  // text and their sums in lists, ordered by id. Reading 25,000 rows' ids one by one cost as much as the query.
  const sql = `
    SELECT bucket_ms, energy, string_agg(coalesce(group_id, ''), chr(10) ORDER BY group_id) AS group_ids,
           ${columns.map(([, n]) => `list(${n} ORDER BY group_id) AS ${n}`).join(', ')}
    FROM (${select}
    GROUP BY ALL)
    GROUP BY bucket_ms, energy
    ORDER BY bucket_ms, energy`;
  return { sql, params, parse: listedRows };
}

/** Groupings with a group per institution, building or meter: read as lists (`listedRows`). */
const MANY_GROUPS: ReadonlySet<AggregateQuery['groupBy']> = new Set(['institution', 'building', 'meter', 'parent']);

const COUNTS = ['readings', 'suspect_hours', 'estimated_hours', 'good_hours'] as const;

/** The grouped result (`GROUP BY ALL`, ordered) as aggregate rows; a sum not read (`AggregateQuery.sums`) is 0. */
function aggregateRows(c: Columns): AggregateRow[] {
  const [bucket, energy, group, amount] = ['bucket_ms', 'energy', 'group_id', 'amount'].map((name) =>
    c.get(name),
  ) as unknown[][] as [unknown[], unknown[], unknown[], unknown[]];
  const [estimated, readings, suspect, estimatedHours, good] = ['estimated', ...COUNTS].map((name) =>
    c.get(name),
  ) as unknown[][] as [unknown[], unknown[], unknown[], unknown[], unknown[]];
  const value = (column: unknown[], k: number) => (column.length === 0 ? 0 : Number(column[k]));
  const out: AggregateRow[] = new Array(c.rowCount);
  for (let k = 0; k < c.rowCount; k++)
    out[k] = {
      bucketStartMs: Number(bucket[k]),
      energy: String(energy[k]) as AggregateRow['energy'],
      groupId: String(group[k] ?? ''),
      amount: Number(amount[k]),
      estimated: value(estimated, k),
      readings: value(readings, k),
      suspectHours: value(suspect, k),
      estimatedHours: value(estimatedHours, k),
      goodHours: value(good, k),
    };
  return out;
}

/**
 * The grouped result read as lists (one row per bucket and energy, ids joined by line feeds, which
 * no id holds) as the aggregate rows `aggregateRows` gives, in the same order.
 */
function listedRows(c: Columns): AggregateRow[] {
  const [bucket, energy, ids, amount] = ['bucket_ms', 'energy', 'group_ids', 'amount'].map((name) =>
    c.get(name),
  ) as unknown[][] as [unknown[], unknown[], unknown[], unknown[]];
  const items = (column: unknown[], k: number): readonly unknown[] =>
    column.length === 0 ? [] : (column[k] as { items: readonly unknown[] }).items;
  const [estimated, readings, suspect, estimatedHours, good] = ['estimated', ...COUNTS].map((name) => c.get(name));
  const out: AggregateRow[] = [];
  for (let k = 0; k < c.rowCount; k++) {
    const groups = String(ids[k]).split('\n');
    const amounts = items(amount, k);
    if (groups.length !== amounts.length) throw new Error('an aggregate group id holds a line feed');
    const [e, r, sh, eh, gh] = [estimated, readings, suspect, estimatedHours, good].map((col) =>
      items(col as unknown[], k),
    ) as [readonly unknown[], readonly unknown[], readonly unknown[], readonly unknown[], readonly unknown[]];
    const value = (list: readonly unknown[], j: number) => (list.length === 0 ? 0 : Number(list[j]));
    const bucketStartMs = Number(bucket[k]);
    const energyOf = String(energy[k]) as AggregateRow['energy'];
    for (let j = 0; j < groups.length; j++)
      out.push({
        bucketStartMs,
        energy: energyOf,
        groupId: groups[j] as string,
        amount: Number(amounts[j]),
        estimated: value(e, j),
        readings: value(r, j),
        suspectHours: value(sh, j),
        estimatedHours: value(eh, j),
        goodHours: value(gh, j),
      });
  }
  return out;
}

/**
 * Rows read one by one (a scoped question) summed by bucket, energy and group as `GROUP BY` would:
 * amounts in integer micro-units (each row's DOUBLE of a DECIMAL(18,6) is exact to the micro-unit
 * below 2^51), so the sums are exact and their DOUBLE is the one DuckDB's DECIMAL sum gives.
 */
function sumRows(c: Columns): AggregateRow[] {
  const cells = new Map<string, AggregateCell>();
  for (const r of aggregateRows(c)) {
    const key = `${r.bucketStartMs}\u0000${r.energy}\u0000${r.groupId}`;
    let cell = cells.get(key);
    if (cell === undefined) {
      cell = emptyCell(r.bucketStartMs, r.energy, r.groupId);
      cells.set(key, cell);
    }
    cell.amountMicro += Math.round(r.amount * 1e6);
    cell.estimatedMicro += Math.round(r.estimated * 1e6);
    addCounts(cell, r);
  }
  const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...cells.values()]
    .sort((a, b) => a.bucketStartMs - b.bucketStartMs || text(a.energy, b.energy) || text(a.groupId, b.groupId))
    .map(cellRow);
}
