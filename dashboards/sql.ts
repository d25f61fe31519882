/**
 * The PostgreSQL side of the dashboards and alert rules: SQL over the metadata tables that
 * `METADATA_URL` holds (`core/storage/postgres/migrations.ts`: `anomalies`, `targets`, `meters`,
 * `buildings`, `institutions`). Grafana's PostgreSQL datasource fills in its macros
 * (`$__timeFrom()`, `$__timeTo()`, `$__timeFilter(col)`) and the dashboard's `$variables` (multi-value
 * ones as `'a','b'`) before it sends the query.
 */
import { ZONE } from './schema.js';

/** One SQL query and the columns of its result, in order. */
export interface SqlSpec {
  readonly lang: 'sql';
  readonly text: string;
  readonly columns: readonly string[];
}

/** A SQL query; `columns` are the names the panel (or expression) reads. */
export const sql = (text: string, columns: readonly string[]): SqlSpec => ({
  lang: 'sql',
  text: text.replace(/\s+/g, ' ').trim(),
  columns,
});

/** A timestamptz as a local wall-clock timestamp of the tenant zone. */
export const local = (expr: string): string => `(${expr} AT TIME ZONE '${ZONE}')`;

/** The tenant-local day (a timestamptz at local midnight) of a timestamptz. */
export const localDay = (expr: string): string => `(date_trunc('day', ${local(expr)}) AT TIME ZONE '${ZONE}')`;

/** `YYYY-MM` of the tenant-local month of a timestamptz: a monthly target's period. */
export const localMonth = (expr: string): string => `to_char(${local(expr)}, 'YYYY-MM')`;

/**
 * Anomalies with the institution they concern: from an `institution:` scope, or through the
 * registry for a `meter:` or `building:` scope (null for district and city scopes).
 */
export const ANOMALIES_WITH_INSTITUTION = `(SELECT a.*, coalesce(
    CASE WHEN a.scope LIKE 'institution:%' THEN substr(a.scope, 13) END, b.institution_id) AS institution
  FROM anomalies a
  LEFT JOIN meters m ON a.scope = 'meter:' || m.id
  LEFT JOIN buildings b ON b.id = coalesce(m.building_id, CASE WHEN a.scope LIKE 'building:%' THEN substr(a.scope, 10) END)
) AS a`;

/** Anomalies that overlap the time range, as `GET /api/v1/anomalies` selects them. */
export const anomalyOverlapsRange = 'a.end_ts >= $__timeFrom() AND a.start_ts < $__timeTo()';

/**
 * The condition on `targets t` of the institutions' monthly standard-coal targets (`energy: all`,
 * unit `kgce`) for the local month of `at` (a timestamptz expression).
 */
export const isMonthlyKgceTarget = (at: string): string =>
  `t.scope LIKE 'institution:%' AND t.energy = 'all' AND t.unit = 'kgce' AND t.period = ${localMonth(at)}`;

/** The institution id of a target's `institution:` scope. */
export const targetInstitution = 'substr(t.scope, 13)';

/** Local midnight of a `facts.from_day` (`YYYY-MM-DD` in the tenant zone) as a timestamptz. */
const dayStart = (day: string): string => `((${day})::date::timestamp AT TIME ZONE '${ZONE}')`;

/**
 * The floor area of the institution `$institution` over the dashboard's time range, weighted by
 * the time each value held (issue "The meter model": effective-dated facts, as the platform's
 * intensities use them): the `facts` of the institution by day (of one day's facts the later
 * recorded), each holding until the next; without facts, the registry's value.
 */
export const FLOOR_AREA_WEIGHTED = `WITH steps AS (
    SELECT DISTINCT ON (from_day) from_day, floor_area_m2 AS v FROM facts
    WHERE scope = 'institution:' || '$institution' AND floor_area_m2 IS NOT NULL
    ORDER BY from_day, created_at DESC, id DESC
  ), seg AS (
    SELECT greatest(${dayStart('from_day')}, $__timeFrom()::timestamptz) AS s,
      least(coalesce(${dayStart('lead(from_day) OVER (ORDER BY from_day)')}, 'infinity'::timestamptz),
        $__timeTo()::timestamptz) AS e, v
    FROM steps
  )
  SELECT coalesce(
    (SELECT sum(extract(epoch FROM e - s) * v) / nullif(sum(extract(epoch FROM e - s)), 0) FROM seg WHERE e > s),
    (SELECT floor_area_m2 FROM institutions WHERE id = '$institution')) AS floor_area_m2`;
