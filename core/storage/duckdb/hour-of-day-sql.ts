import type { RollupAlignment } from '../../domain/meter-spans.js';
import { bucketStarts, constantOffsetMs, HOUR_MS } from '../../domain/time.js';
import { segmentOf } from '../hour-of-day.js';
import { seriesSource } from '../series-source.js';
import type { HourOfDayQuery, HourOfDayRow } from '../store.js';
import { scopeClauses, spanKey } from './aggregate-sql.js';
import { HOUR_COLUMNS } from './hourly-tables.js';
import type { Columns } from './sql-util.js';

/** A query of `SeriesStore.hourOfDayAmounts` and how its result columns are read. */
export interface HourOfDayStatement {
  readonly sql: string;
  readonly params: unknown[];
  readonly parse: (columns: Columns) => HourOfDayRow[];
}

/**
 * SQL of `SeriesStore.hourOfDayAmounts`: each meter's own amounts summed by segment and local clock
 * hour, where the meter was in the scope at that hour (`meter_spans`). When every boundary starts a
 * local month (or day) of the rollup's zone, and every dated move or parent change does too, it
 * reads the monthly (or daily) rollup's `a00` … `a23`; else the hourly table, its local hour by
 * arithmetic when the zone's offset is constant over the range (`hour()` under a zone costs ~3× the
 * rest of the query), else by `hour()` under the connection's `TimeZone`. The hours with a non-zero
 * amount are counted only when asked (`counts`): 24 counts cost more than the sums.
 */
export function hourOfDaySql(
  q: HourOfDayQuery,
  rollupZone: string,
  aligned: RollupAlignment = { day: true, month: true },
): HourOfDayStatement {
  const b = q.boundariesMs;
  if (!b.every((ms) => Number.isSafeInteger(ms))) throw new Error('hourOfDaySql: boundaries must be integer ms');
  const counts = q.counts === true;
  // Counting days with consumption needs daily rows: a month's sum cannot tell how many days had some.
  const source = seriesSource(b, q.timeZone, rollupZone, counts ? { ...aligned, month: false } : aligned);
  const rollup = source !== 'hourly';
  const time = { hourly: 'hour_start', daily: 'day_start', monthly: 'month_start' }[source];
  const params: unknown[] = [b[0], b[b.length - 1]];
  const where = [
    `h.${time} >= make_timestamptz($1::BIGINT * 1000)`,
    `h.${time} < make_timestamptz($2::BIGINT * 1000)`,
    ...scopeClauses(q.filter, params),
  ];
  const ts = (ms: number) => `make_timestamptz(${ms}::BIGINT * 1000)`;
  // A rollup row starts a local day or month: each start maps to its segment by equality (a hash
  // join); hours are few enough for a range join on the segments.
  const segments = rollup
    ? bucketStarts(b[0] ?? 0, b[b.length - 1] ?? 0, source === 'monthly' ? 'month' : 'day', rollupZone)
        .map((start) => `(${segmentOf(b, start)}, ${ts(start)})`)
        .join(', ')
    : b
        .slice(0, -1)
        .map((from, i) => `(${i}, ${ts(from)}, ${ts(b[i + 1] ?? from)})`)
        .join(', ');
  const segJoin = rollup
    ? `WITH seg(i, start_ts) AS (VALUES ${segments})`
    : `WITH seg(i, from_ts, to_ts) AS (VALUES ${segments})`;
  const segOn = rollup ? `h.${time} = seg.start_ts` : `h.${time} >= seg.from_ts AND h.${time} < seg.to_ts`;
  let sums: string;
  if (rollup) {
    // A daily row counts as one hour at each local clock hour with consumption.
    const count = (c: string) => (counts ? `, count(*) FILTER (WHERE h.${c} <> 0) AS n_${c}` : '');
    sums = HOUR_COLUMNS.map((c) => `sum(h.${c})::DOUBLE AS ${c}${count(c)}`).join(', ');
  } else {
    const offset = constantOffsetMs(q.timeZone, b[0] ?? 0, b[b.length - 1] ?? 0);
    const hourOfDay =
      offset === undefined ? 'hour(h.hour_start)' : `((epoch_ms(h.hour_start) + ${offset}) // ${HOUR_MS}) % 24`;
    sums = `${hourOfDay} AS hour_of_day, sum(h.amount)::DOUBLE AS amount${counts ? ', count(*) FILTER (WHERE h.amount <> 0) AS hours' : ''}`;
  }
  const sql = `
    ${segJoin}
    SELECT h.meter_id AS meter_id, seg.i AS segment, ${sums}
    FROM ${source} h
    JOIN seg ON ${segOn}
    JOIN meter_spans s ON ${spanKey(source)} AND h.${time} >= s.from_ts AND h.${time} < s.to_ts
    WHERE ${where.join(' AND ')}
    GROUP BY ALL`;
  const parse = (columns: Columns): HourOfDayRow[] => {
    const n = columns.rowCount;
    const meterIds = columns.get('meter_id');
    const segments = columns.get('segment');
    if (rollup) {
      // Plain loops: one row per meter and segment, 24 sums each (a city's year: ~100,000 rows, issue 19).
      const amounts = HOUR_COLUMNS.map((c) => columns.get(c));
      const hours = counts ? HOUR_COLUMNS.map((c) => columns.get(`n_${c}`)) : [];
      const byHour = (of: readonly (readonly unknown[])[], k: number) => {
        const out = new Array<number>(24);
        for (let h = 0; h < 24; h++) out[h] = Number(of[h]?.[k]);
        return out;
      };
      const out = new Array<HourOfDayRow>(n);
      for (let k = 0; k < n; k++) {
        const meterId = String(meterIds[k]);
        const segment = Number(segments[k]);
        out[k] = counts
          ? { meterId, segment, amounts: byHour(amounts, k), hours: byHour(hours, k) }
          : { meterId, segment, amounts: byHour(amounts, k) };
      }
      return out;
    }
    const [hourOf, amountOf, hoursOf] = [columns.get('hour_of_day'), columns.get('amount'), columns.get('hours')];
    const cells = new Map<string, { meterId: string; segment: number; amounts: number[]; hours?: number[] }>();
    for (let k = 0; k < n; k++) {
      const key = `${meterIds[k]}\u0000${segments[k]}`;
      let cell = cells.get(key);
      if (cell === undefined) {
        cell = {
          meterId: String(meterIds[k]),
          segment: Number(segments[k]),
          amounts: new Array<number>(24).fill(0),
          ...(counts ? { hours: new Array<number>(24).fill(0) } : {}),
        };
        cells.set(key, cell);
      }
      const h = Number(hourOf[k]);
      cell.amounts[h] = (cell.amounts[h] ?? 0) + Number(amountOf[k]);
      if (cell.hours !== undefined) cell.hours[h] = (cell.hours[h] ?? 0) + Number(hoursOf[k]);
    }
    return [...cells.values()];
  };
  return { sql, params, parse };
}
