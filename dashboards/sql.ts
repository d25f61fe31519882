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
