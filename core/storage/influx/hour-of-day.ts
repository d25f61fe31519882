import { MICRO } from '../../domain/consumption.js';
import type { Registry } from '../../domain/registry.js';
import { HOUR_MS } from '../../domain/time.js';
import { foldHourOfDay, type HourOfDayCells } from '../hour-of-day.js';
import { seriesSource } from '../series-source.js';
import type { AggregateQuery, AggregateRow, HourOfDayQuery, HourOfDayRow, MeterFilter } from '../store.js';
import { type DailyRollup, scopeTagFilters } from './aggregate.js';
import { type InfluxHttp, quoteIdent } from './http.js';
import { INFLUX } from './schema.js';
import { msLiteral, queryMany, rowsOf } from './windows.js';

/**
 * Hourly rows per InfluxDB answer when folding hours by local clock hour. A city's year is one row
 * per meter and hour (13 M at 1,500 meters): in one answer, a JSON body of ~300 MB that influxd
 * builds whole and Node cannot parse past 512 MB (issue 19, "Province scale").
 */
export const HOUR_OF_DAY_SLICE_ROWS = 500_000;

/** How many of the registry's meters a filter may match (sub-items aside): the rows per hour of a read. */
export function metersMatching(registry: Registry, filter: Omit<MeterFilter, 'subItemPrefix'>): number {
  if (filter.meterId !== undefined) return 1;
  const buildings = new Map(registry.buildings.map((b) => [b.id, b]));
  const institutions = new Map(registry.institutions.map((i) => [i.id, i]));
  return registry.meters.filter((m) => {
    if (filter.energy !== undefined && m.energy !== filter.energy) return false;
    if (filter.buildingId !== undefined && m.buildingId !== filter.buildingId) return false;
    const institutionId = buildings.get(m.buildingId)?.institutionId;
    if (filter.institutionId !== undefined && institutionId !== filter.institutionId) return false;
    const districtId = institutionId === undefined ? undefined : institutions.get(institutionId)?.districtId;
    return filter.districtId === undefined || districtId === filter.districtId;
  }).length;
}

/**
 * `SeriesStore.hourOfDayAmounts` on InfluxDB (InfluxQL cannot group by local hour of day): the hourly
 * aggregate by meter, read in time slices of about `sliceRows` rows for `meters` meters and folded
 * as each slice arrives, so memory holds one slice. Cells add their hours in time order, as the
 * one-read reference (`hourOfDayFromHourly`) does, so the sums are the same to the last bit.
 */
export async function hourOfDayInSlices(
  aggregate: (q: AggregateQuery) => Promise<AggregateRow[]>,
  q: HourOfDayQuery,
  meters: number,
  sliceRows: number = HOUR_OF_DAY_SLICE_ROWS,
): Promise<HourOfDayRow[]> {
  const b = q.boundariesMs;
  const [firstMs, lastMs] = [b[0] ?? 0, b[b.length - 1] ?? 0];
  if (b.length < 2 || lastMs <= firstMs) return [];
  const sliceMs = Math.max(1, Math.floor(sliceRows / Math.max(1, meters))) * HOUR_MS;
  const cells: HourOfDayCells = new Map();
  for (let fromMs = firstMs; fromMs < lastMs; fromMs += sliceMs) {
    const rows = await aggregate({
      filter: q.filter,
      fromMs,
      toMs: Math.min(lastMs, fromMs + sliceMs),
      interval: 'hour',
      timeZone: q.timeZone,
      groupBy: 'meter',
      sums: [],
    });
    foldHourOfDay(cells, rows, b, q.timeZone);
  }
  return [...cells.values()];
}

const H = INFLUX.hourly;
const A = INFLUX.daily.hourFields;

/**
 * Whether the daily rollup (undefined while it is rebuilt) answers an hour-of-day query: it is
 * built in the query's zone and every boundary starts a local day of it (`seriesSource`). Its days
 * are per hourly series, so a meter moved or re-parented within a day counts each hour where it was.
 */
export function hourOfDayRollupServes(q: HourOfDayQuery, rollup: DailyRollup | undefined): rollup is DailyRollup {
  if (rollup === undefined || q.boundariesMs.length < 2) return false;
  return seriesSource(q.boundariesMs, q.timeZone, rollup.timeZone, { day: true, month: false }) === 'daily';
}

/**
 * The InfluxQL of `SeriesStore.hourOfDayAmounts` on the daily rollup, per segment: the sums of
 * `a00` … `a23` by meter, and with `counts`, per clock hour the days with consumption at it
 * (`count("aHH")` of the days where it is not zero: a condition on a field filters whole points, so
 * one statement per hour). Each statement's segment and hour (undefined: all 24 sums).
 */
export function hourOfDayRollupStatements(
  q: HourOfDayQuery,
  rollup: DailyRollup,
): { sql: string; segment: number; hour?: number }[] {
  const b = q.boundariesMs;
  const groupBy = `GROUP BY ${quoteIdent(H.tags.energy)}, ${quoteIdent(H.tags.meter)}`;
  const out: { sql: string; segment: number; hour?: number }[] = [];
  for (let i = 0; i + 1 < b.length; i++) {
    const [fromMs, toMs] = [b[i] ?? 0, b[i + 1] ?? 0];
    if (toMs <= fromMs) continue;
    const where = [`time >= ${msLiteral(fromMs)}`, `time < ${msLiteral(toMs)}`, ...scopeTagFilters(q.filter)];
    if (q.counts !== true) {
      const sums = A.map((a, h) => `sum(${quoteIdent(a)}) AS s${h}`).join(', ');
      out.push({ sql: `SELECT ${sums} FROM ${rollup.from} WHERE ${where.join(' AND ')} ${groupBy}`, segment: i });
      continue;
    }
    A.forEach((a, h) => {
      const field = quoteIdent(a);
      const select = `SELECT sum(${field}) AS s${h}, count(${field}) AS n${h} FROM ${rollup.from}`;
      out.push({ sql: `${select} WHERE ${[...where, `${field} <> 0`].join(' AND ')} ${groupBy}`, segment: i, hour: h });
    });
  }
  return out;
}

/** `SeriesStore.hourOfDayAmounts` from the daily rollup (`hourOfDayRollupServes`): integer sums, exact. */
export async function hourOfDayFromRollup(
  http: InfluxHttp,
  q: HourOfDayQuery,
  rollup: DailyRollup,
): Promise<HourOfDayRow[]> {
  const statements = hourOfDayRollupStatements(q, rollup);
  const results = await queryMany(
    http,
    statements.map((s) => s.sql),
  );
  const cells = new Map<string, { meterId: string; segment: number; micro: number[]; hours: number[] }>();
  statements.forEach((s, k) => {
    for (const r of rowsOf(results[k]?.series ?? [])) {
      // Points of meters the registry did not know when they were written carry no energy.
      if (String(r[H.tags.energy] ?? '') === '') continue;
      const meterId = String(r[H.tags.meter] ?? '');
      const key = `${meterId}\u0000${s.segment}`;
      let cell = cells.get(key);
      if (cell === undefined) {
        cell = { meterId, segment: s.segment, micro: new Array(24).fill(0), hours: new Array(24).fill(0) };
        cells.set(key, cell);
      }
      for (let h = 0; h < 24; h++) {
        if (s.hour !== undefined && s.hour !== h) continue;
        const sum = r[`s${h}`];
        const n = r[`n${h}`];
        if (typeof sum === 'number') cell.micro[h] = (cell.micro[h] ?? 0) + sum;
        if (typeof n === 'number') cell.hours[h] = (cell.hours[h] ?? 0) + n;
      }
    }
  });
  return [...cells.values()].map((c) => {
    const amounts = c.micro.map((m) => m / MICRO);
    return q.counts === true
      ? { meterId: c.meterId, segment: c.segment, amounts, hours: c.hours }
      : { meterId: c.meterId, segment: c.segment, amounts };
  });
}
