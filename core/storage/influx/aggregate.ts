import { MICRO } from '../../domain/consumption.js';
import { bucketStarts, nextBucketStart } from '../../domain/time.js';
import { dailyRollupServes } from '../duckdb/aggregate-sql.js';
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

const sumsFrom = (from: string, sums: readonly AggregateSum[]) =>
  `SELECT ${[
    [H.fields.amountMicro, 'amount'] as const,
    ...ALL_SUMS.filter((s) => sums.includes(s)).flatMap((s) => SUM_FIELDS[s]),
  ]
    .map(([field, as]) => `sum(${quoteIdent(field)}) AS ${as}`)
    .join(', ')} FROM ${from}`;

function tagFilters(q: AggregateQuery): string[] {
  const f = q.filter;
  const eq = (tag: string, value: string | undefined) =>
    value === undefined ? [] : [`${quoteIdent(tag)} = ${quoteString(value)}`];
  return [
    ...eq(H.tags.district, f.districtId),
    ...eq(H.tags.institution, f.institutionId),
    ...eq(H.tags.building, f.buildingId),
    ...eq(H.tags.meter, f.meterId),
    ...eq(H.tags.energy, f.energy),
    ...(f.subItemPrefix === undefined ? [] : [`${quoteIdent(H.tags.subItem)} =~ ${prefixRegex(f.subItemPrefix)}`]),
  ];
}

/** The daily rollup an aggregate may read: the zone of its days, and its measurement as FROM names it. */
export interface DailyRollup {
  readonly timeZone: string;
  readonly from: string;
}

/** One statement and, when it has no time grouping, the bucket its rows belong to. */
interface Statement {
  readonly sql: string;
  readonly bucketMs?: number;
}

/**
 * The InfluxQL of an aggregate. Sums the integer micro-unit fields, so totals are exact, and the
 * 0/1 quality fields to count hours. Hours and days group by `time()` (days with `tz()` at local
 * midnight); InfluxQL has no calendar months, so months and years are one statement per bucket.
 * Buckets of whole local days in the zone of the daily `rollup` (undefined while it is rebuilt) are
 * summed from it, ~24× fewer points, with the same fields, tags and answer. Only the fields of the
 * query's `sums` are read: each costs a read per series and shard (issue "Production parity").
 */
export function aggregateStatements(q: AggregateQuery, rollup?: DailyRollup): Statement[] {
  const daily = rollup !== undefined && dailyRollupServes(q, rollup.timeZone);
  const select = sumsFrom(daily ? rollup.from : quoteIdent(H.measurement), q.sums ?? ALL_SUMS);
  const tags = [H.tags.energy, ...(q.groupBy === 'none' ? [] : [GROUP_TAG[q.groupBy]])].map(quoteIdent);
  const where = (fromMs: number, toMs: number) =>
    [`time >= ${msLiteral(fromMs)}`, `time < ${msLiteral(toMs)}`, ...tagFilters(q)].join(' AND ');
  const tz = `tz(${quoteString(q.timeZone)})`;
  switch (q.interval) {
    case 'hour':
      return [{ sql: `${select} WHERE ${where(q.fromMs, q.toMs)} GROUP BY time(1h), ${tags} fill(none)` }];
    case 'day':
      return [{ sql: `${select} WHERE ${where(q.fromMs, q.toMs)} GROUP BY time(1d), ${tags} fill(none) ${tz}` }];
    case 'total':
      return [{ sql: `${select} WHERE ${where(q.fromMs, q.toMs)} GROUP BY ${tags}`, bucketMs: q.fromMs }];
    default: {
      const interval = q.interval;
      return bucketStarts(q.fromMs, q.toMs, interval, q.timeZone).map((start) => {
        const end = Math.min(nextBucketStart(start, interval, q.timeZone), q.toMs);
        return { sql: `${select} WHERE ${where(Math.max(start, q.fromMs), end)} GROUP BY ${tags}`, bucketMs: start };
      });
    }
  }
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
  const out: AggregateRow[] = [];
  statements.forEach((s, i) => {
    for (const r of rowsOf(results[i]?.series ?? [])) {
      const energy = String(r[H.tags.energy] ?? '');
      // Points of meters the registry did not know when they were written carry no energy.
      if (energy === '' || r.amount === null || r.amount === undefined) continue;
      out.push({
        bucketStartMs: s.bucketMs ?? Number(r.time),
        energy: energy as AggregateRow['energy'],
        groupId: groupTag === undefined ? '' : String(r[groupTag] ?? ''),
        amount: num(r.amount) / MICRO,
        estimated: num(r.estimated) / MICRO,
        readings: num(r.readings),
        suspectHours: num(r.suspect_hours),
        estimatedHours: num(r.estimated_hours),
        goodHours: num(r.good_hours),
      });
    }
  });
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return out.sort((a, b) => a.bucketStartMs - b.bucketStartMs || cmp(a.energy, b.energy) || cmp(a.groupId, b.groupId));
}
