import type { DuckDBConnection } from '@duckdb/node-api';
import type { AnomalyEvent } from '../../domain/anomalies.js';
import type { Target } from '../../domain/targets.js';
import { anomalyOfRow, lastById, reductionTargetOfRow, targetOfRow } from '../metadata-rows.js';
import type { AnomalyFilter } from '../store.js';
import { ASSIGNMENT_COLUMNS, selectComments, whereCase } from './anomaly-case-tables.js';
import { appendRows, query, tsParam, tstz, WhereBuilder } from './sql-util.js';

/** Tables of targets and anomaly events. */
export const PLANNING_SQL = [
  `CREATE TABLE IF NOT EXISTS targets (scope VARCHAR NOT NULL, energy VARCHAR NOT NULL, period VARCHAR NOT NULL,
     value DOUBLE NOT NULL, unit VARCHAR NOT NULL, PRIMARY KEY (scope, energy, period))`,
  `CREATE TABLE IF NOT EXISTS anomalies (id VARCHAR PRIMARY KEY, type VARCHAR NOT NULL, scope VARCHAR NOT NULL,
     energy VARCHAR NOT NULL, start_ts TIMESTAMPTZ NOT NULL, end_ts TIMESTAMPTZ NOT NULL, severity VARCHAR NOT NULL,
     evidence VARCHAR NOT NULL, wasted_native DOUBLE NOT NULL, wasted_kgce DOUBLE NOT NULL, status VARCHAR NOT NULL,
     detected_at TIMESTAMPTZ NOT NULL, ack_by VARCHAR, ack_comment VARCHAR, ack_at TIMESTAMPTZ,
     resolved_by VARCHAR, resolved_comment VARCHAR, resolved_at TIMESTAMPTZ)`,
];

/**
 * Five-year reduction targets (issue 16, item 6; migrations.ts version 9): a table of their own, so
 * quotas keep theirs unchanged and a target year holds one reduction per unit.
 */
export const REDUCTION_TARGETS_SQL = [
  `CREATE TABLE IF NOT EXISTS reduction_targets (scope VARCHAR NOT NULL, energy VARCHAR NOT NULL, period VARCHAR NOT NULL,
     unit VARCHAR NOT NULL, base_year INTEGER NOT NULL, reduction_pct DOUBLE NOT NULL,
     PRIMARY KEY (scope, energy, period, unit))`,
];

/** Upserts quotas by (scope, energy, period) and reductions by (scope, energy, period, unit). */
export async function upsertTargets(conn: DuckDBConnection, targets: readonly Target[]): Promise<void> {
  for (const t of targets) {
    if (t.kind === 'reduction') {
      await conn.run(
        `INSERT INTO reduction_targets VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (scope, energy, period, unit) DO UPDATE SET base_year = excluded.base_year,
           reduction_pct = excluded.reduction_pct`,
        [t.scope, t.energy, t.period, t.unit, t.baseYear, t.reductionPct],
      );
      continue;
    }
    await conn.run(
      `INSERT INTO targets VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (scope, energy, period) DO UPDATE SET value = excluded.value, unit = excluded.unit`,
      [t.scope, t.energy, t.period, t.value, t.unit],
    );
  }
}

/** Every target, by scope, energy and period: quotas, then reductions (by unit). */
export async function selectTargets(conn: DuckDBConnection): Promise<Target[]> {
  const rows = await query(conn, 'SELECT * FROM targets ORDER BY scope, energy, period');
  const reductions = await query(conn, 'SELECT * FROM reduction_targets ORDER BY scope, energy, period, unit');
  return [...rows.map(targetOfRow), ...reductions.map(reductionTargetOfRow)];
}

/**
 * Inserts anomalies, or updates the end, severity, evidence and waste of those already known
 * (same id), keeping their status: re-running detection never duplicates. Returns the new ids.
 */
export async function upsertAnomalies(conn: DuckDBConnection, events: readonly AnomalyEvent[]): Promise<string[]> {
  // One statement for the lot, not one per event: an outage makes one `offline` finding per meter
  // (100,000 in a province), and 100,000 single-row upserts in one transaction ran DuckDB out of
  // memory while holding ingest's write lock (issue 19).
  const latest = lastById(events);
  if (latest.length === 0) return [];
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE anomaly_staging (id VARCHAR, type VARCHAR, scope VARCHAR, energy VARCHAR,
       start_ts TIMESTAMPTZ, end_ts TIMESTAMPTZ, severity VARCHAR, evidence VARCHAR, wasted_native DOUBLE,
       wasted_kgce DOUBLE, detected_at TIMESTAMPTZ)`,
  );
  await appendRows(conn, 'anomaly_staging', latest, (a, e) => {
    a.appendVarchar(e.id);
    a.appendVarchar(e.type);
    a.appendVarchar(e.scope);
    a.appendVarchar(e.energy);
    a.appendTimestamp(tstz(e.startMs));
    a.appendTimestamp(tstz(e.endMs));
    a.appendVarchar(e.severity);
    a.appendVarchar(JSON.stringify(e.evidence));
    a.appendDouble(e.wastedNative);
    a.appendDouble(e.wastedKgce);
    a.appendTimestamp(tstz(e.detectedAtMs));
  });
  const known = await query(conn, 'SELECT s.id FROM anomaly_staging s JOIN anomalies a USING (id)');
  const knownIds = new Set(known.map((r) => String(r.id)));
  await conn.run(
    `INSERT INTO anomalies (id, type, scope, energy, start_ts, end_ts, severity, evidence, wasted_native, wasted_kgce, status, detected_at)
     SELECT id, type, scope, energy, start_ts, end_ts, severity, evidence, wasted_native, wasted_kgce, 'open', detected_at
     FROM anomaly_staging
     ON CONFLICT (id) DO UPDATE SET end_ts = excluded.end_ts, severity = excluded.severity, evidence = excluded.evidence,
       wasted_native = excluded.wasted_native, wasted_kgce = excluded.wasted_kgce`,
  );
  await conn.run('DROP TABLE anomaly_staging');
  return latest.filter((e) => !knownIds.has(e.id)).map((e) => e.id);
}

/** Anomalies overlapping [from, to) matching the filter, newest first, with their cases. */
export async function selectAnomalies(conn: DuckDBConnection, f: AnomalyFilter): Promise<AnomalyEvent[]> {
  const base = new WhereBuilder([f.fromMs, f.toMs], [`end_ts >= ${tsParam('$1')}`, `start_ts < ${tsParam('$2')}`])
    .equals('type', f.type)
    .equals('status', f.status)
    .equals('id', f.id)
    .scopeIn(f.scopes);
  const where = whereCase(base, f);
  const rows = await query(
    conn,
    `SELECT *, epoch_ms(start_ts) AS start_ms, epoch_ms(end_ts) AS end_ms, epoch_ms(detected_at) AS detected_ms,
            epoch_ms(ack_at) AS ack_ms, epoch_ms(resolved_at) AS resolved_ms, ${ASSIGNMENT_COLUMNS}
     FROM anomalies WHERE ${where.sql()} ORDER BY start_ts DESC, id LIMIT 10000`,
    where.params,
  );
  const comments = rows.length === 0 ? new Map() : await selectComments(conn, where);
  return rows.map((r) => anomalyOfRow(r, JSON.parse(String(r.evidence)), comments.get(String(r.id))));
}

/** Moves an anomaly to `acknowledged` or `resolved`, recording who, why and when. */
export async function updateAnomalyStatus(
  conn: DuckDBConnection,
  id: string,
  status: 'acknowledged' | 'resolved',
  s: { by: string; comment: string; atMs: number },
): Promise<void> {
  const prefix = status === 'acknowledged' ? 'ack' : 'resolved';
  await conn.run(
    `UPDATE anomalies SET status = $2, ${prefix}_by = $3, ${prefix}_comment = $4, ${prefix}_at = ${tsParam('$5')} WHERE id = $1`,
    [id, status, s.by, s.comment, s.atMs],
  );
}
