import { UNMETERED } from '../../domain/sub-items.js';
import { bucketStarts, nextBucketStart } from '../../domain/time.js';
import { type AggregateCell, addCounts, cellRow, emptyCell } from '../aggregate-cell.js';
import { dailyRollupServes, treeMode } from '../duckdb/aggregate-sql.js';
import type { AggregateQuery, AggregateRow, AggregateSum, GroupBy } from '../store.js';
import { type InfluxHttp, prefixRegex, quoteIdent, quoteString } from './http.js';
import { INFLUX } from './schema.js';
import { msLiteral, queryMany, rowsOf } from './windows.js';

const H = INFLUX.hourly;

const GROUP_TAG: Record<Exclude<GroupBy, 'none'>, string> = {
  district: H.tags.district,
  institution: H.tags.institution,
  building: H.tags.building,
  meter: H.tags.meter,
  parent: H.tags.parent,
};

/** The integer fields each optional sum reads, and the names they are selected as. */
const SUM_FIELDS: Record<AggregateSum, readonly (readonly [string, string])[]> = {
  estimated: [[H.fields.estimatedMicro, 'estimated']],
  readings: [[H.fields.readings, 'readings']],
  qualityHours: [
    [H.fields.qSuspect, 'suspect_hours'],
    [H.fields.qEstimated, 'estimated_hours'],
    [H.fields.qGood, 'good_hours'],
  ],
};
const ALL_SUMS = Object.keys(SUM_FIELDS) as AggregateSum[];
/** The sums of consumption; the others count the data received. */
const AMOUNT_SUMS: readonly AggregateSum[] = ['estimated'];

const sumsFrom = (from: string, amount: boolean, sums: readonly AggregateSum[]) => {
  const fields = [
    ...(amount ? [[H.fields.amountMicro, 'amount'] as const] : []),
    ...ALL_SUMS.filter((s) => sums.includes(s)).flatMap((s) => SUM_FIELDS[s]),
  ];
  return `SELECT ${fields.map(([field, as]) => `sum(${quoteIdent(field)}) AS ${as}`).join(', ')} FROM ${from}`;
};

const tagIs = (tag: string, value: string) => `${quoteIdent(tag)} = ${quoteString(value)}`;

/** The tag conditions of a filter's scope and energy (sub-items aside), on `hourly` or `daily`. */
export function scopeTagFilters(f: Omit<AggregateQuery['filter'], 'subItemPrefix'>): string[] {
  const eq = (tag: string, value: string | undefined) => (value === undefined ? [] : [tagIs(tag, value)]);
  return [
    ...eq(H.tags.district, f.districtId),
    ...eq(H.tags.institution, f.institutionId),
    ...eq(H.tags.building, f.buildingId),
    ...eq(H.tags.meter, f.meterId),
    ...eq(H.tags.energy, f.energy),
  ];
}

function tagFilters(q: AggregateQuery): string[] {
  return [...scopeTagFilters(q.filter), ...(q.groupBy === 'parent' ? [`${quoteIdent(H.tags.parent)} != ''`] : [])];
}

/** The tag conditions of a sub-item (see the DuckDB store's): the meter is of it, or its parent is. */
function subItemTags(prefix: string): { mine: string; parents: string } {
  if (prefix === UNMETERED)
    return {
      mine: tagIs(H.tags.subItem, ''),
      parents: `${quoteIdent(H.tags.parent)} != '' AND ${tagIs(H.tags.parentSubItem, '')}`,
    };
  return {
    mine: `${quoteIdent(H.tags.subItem)} =~ ${prefixRegex(prefix)}`,
    parents: `${quoteIdent(H.tags.parentSubItem)} =~ ${prefixRegex(prefix)}`,
  };
}

/**
 * What a statement's rows add to the answer: `all` every sum; `amounts` amount and estimated;
 * `counts` readings and quality hours; `minus` amount and estimated, subtracted (a sub-item's
 * sub-meters taken out of their parents' remainder).
 */
type Part = 'all' | 'amounts' | 'counts' | 'minus';

/** One part of a query: what it selects and its extra condition. */
interface PartQuery {
  readonly part: Part;
  readonly amount: boolean;
  readonly sums: readonly AggregateSum[];
  readonly where: readonly string[];
}

/** The parts a query reads, by its tree mode (`AggregateQuery`: totals count meters without a parent). */
function partsOf(q: AggregateQuery): PartQuery[] {
  const sums = q.sums ?? ALL_SUMS;
  const mode = treeMode(q);
  const prefix = q.filter.subItemPrefix;
  if (mode === 'own')
    return [{ part: 'all', amount: true, sums, where: prefix === undefined ? [] : [subItemTags(prefix).mine] }];
  const amountSums = sums.filter((s) => AMOUNT_SUMS.includes(s));
  if (mode === 'subItem' && prefix !== undefined) {
    const { mine, parents } = subItemTags(prefix);
    return [
      { part: 'all', amount: true, sums, where: [mine] },
      { part: 'minus', amount: true, sums: amountSums, where: [parents] },
    ];
  }
  const countSums = sums.filter((s) => !AMOUNT_SUMS.includes(s));
  return [
    { part: 'amounts', amount: true, sums: amountSums, where: [tagIs(H.tags.parent, '')] },
    ...(countSums.length === 0 ? [] : [{ part: 'counts' as const, amount: false, sums: countSums, where: [] }]),
  ];
}

/** The daily rollup an aggregate may read: the zone of its days, and its measurement as FROM names it. */
export interface DailyRollup {
  readonly timeZone: string;
  readonly from: string;
}

/** One statement, its part, and when it has no time grouping, the bucket its rows belong to. */
interface Statement {
  readonly sql: string;
  readonly part: Part;
  readonly bucketMs?: number;
}

/**
 * The InfluxQL of an aggregate. Sums the integer micro-unit fields, so totals are exact, and the
 * 0/1 quality fields to count hours. Hours and days group by `time()` (days with `tz()` at local
 * midnight); InfluxQL has no calendar months, so months and years are one statement per bucket.
 * Buckets of whole local days in the zone of the daily `rollup` (undefined while it is rebuilt) are
 * summed from it, ~24× fewer points, with the same fields, tags and answer. Only the fields of the
 * query's `sums` are read: each costs a read per series and shard (issue "Production parity"). A
 * meter tree's totals and sub-items take two parts each (`partsOf`), as InfluxQL has no
 * conditional sums.
 */
export function aggregateStatements(q: AggregateQuery, rollup?: DailyRollup): Statement[] {
  const daily = rollup !== undefined && dailyRollupServes(q, rollup.timeZone);
  const from = daily ? rollup.from : quoteIdent(H.measurement);
  const tags = [H.tags.energy, ...(q.groupBy === 'none' ? [] : [GROUP_TAG[q.groupBy]])].map(quoteIdent);
  const tz = `tz(${quoteString(q.timeZone)})`;
  return partsOf(q).flatMap(({ part, amount, sums, where: extra }) => {
    const select = sumsFrom(from, amount, sums);
    const where = (fromMs: number, toMs: number) =>
      [`time >= ${msLiteral(fromMs)}`, `time < ${msLiteral(toMs)}`, ...tagFilters(q), ...extra].join(' AND ');
    switch (q.interval) {
      case 'hour':
        return [{ part, sql: `${select} WHERE ${where(q.fromMs, q.toMs)} GROUP BY time(1h), ${tags} fill(none)` }];
      case 'day':
        return [
          { part, sql: `${select} WHERE ${where(q.fromMs, q.toMs)} GROUP BY time(1d), ${tags} fill(none) ${tz}` },
        ];
      case 'total':
        return [{ part, sql: `${select} WHERE ${where(q.fromMs, q.toMs)} GROUP BY ${tags}`, bucketMs: q.fromMs }];
      default: {
        const interval = q.interval;
        return bucketStarts(q.fromMs, q.toMs, interval, q.timeZone).map((start) => {
          const end = Math.min(nextBucketStart(start, interval, q.timeZone), q.toMs);
          const sql = `${select} WHERE ${where(Math.max(start, q.fromMs), end)} GROUP BY ${tags}`;
          return { part, sql, bucketMs: start };
        });
      }
    }
  });
}

const num = (v: unknown) => (typeof v === 'number' ? v : 0);

/** Sums hourly consumption by calendar bucket, energy and group, as the embedded store does. */
export async function aggregate(http: InfluxHttp, q: AggregateQuery, rollup?: DailyRollup): Promise<AggregateRow[]> {
  const statements = aggregateStatements(q, rollup);
  const results = await queryMany(
    http,
    statements.map((s) => s.sql),
  );
  const groupTag = q.groupBy === 'none' ? undefined : GROUP_TAG[q.groupBy];
  const cells = new Map<string, AggregateCell>();
  statements.forEach((s, i) => {
    for (const r of rowsOf(results[i]?.series ?? [])) {
      const energy = String(r[H.tags.energy] ?? '');
      // Points of meters the registry did not know when they were written carry no energy.
      if (energy === '') continue;
      const bucketStartMs = s.bucketMs ?? Number(r.time);
      const groupId = groupTag === undefined ? '' : String(r[groupTag] ?? '');
      const key = `${bucketStartMs}\u0000${energy}\u0000${groupId}`;
      let cell = cells.get(key);
      if (cell === undefined) {
        cell = emptyCell(bucketStartMs, energy, groupId);
        cells.set(key, cell);
      }
      const sign = s.part === 'minus' ? -1 : 1;
      if (s.part !== 'counts') {
        cell.amountMicro += sign * num(r.amount);
        cell.estimatedMicro += sign * num(r.estimated);
      }
      if (s.part === 'all' || s.part === 'counts') {
        addCounts(cell, {
          readings: num(r.readings),
          suspectHours: num(r.suspect_hours),
          estimatedHours: num(r.estimated_hours),
          goodHours: num(r.good_hours),
        });
      }
    }
  });
  const out = [...cells.values()].map(cellRow);
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return out.sort((a, b) => a.bucketStartMs - b.bucketStartMs || cmp(a.energy, b.energy) || cmp(a.groupId, b.groupId));
}
