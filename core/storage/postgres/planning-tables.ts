import type { AnomalyEvent, AnomalyStep } from '../../domain/anomalies.js';
import type { Target } from '../../domain/targets.js';
import { anomalyOfRow, reductionTargetOfRow, targetOfRow } from '../metadata-rows.js';
import type { AnomalyFilter } from '../store.js';
import { ASSIGNMENT_COLUMNS, addCaseConditions, selectComments } from './anomaly-case-tables.js';
import { ID, iso, msOf, type Run } from './sql.js';

/**
 * Five-year reduction targets (issue 16, item 6; migrations.ts version 10): a table of their own, so
 * quotas keep theirs unchanged and a target year holds one reduction per unit.
 */
export const REDUCTION_TARGETS_SQL = [
  `CREATE TABLE reduction_targets (scope ${ID} NOT NULL, energy ${ID} NOT NULL, period ${ID} NOT NULL,
     unit ${ID} NOT NULL, base_year INTEGER NOT NULL, reduction_pct DOUBLE PRECISION NOT NULL,
     PRIMARY KEY (scope, energy, period, unit))`,
];

/**
 * Upserts quotas by (scope, energy, period) and reductions by (scope, energy, period, unit). Call
 * inside a transaction (all or none).
 */
export async function upsertTargets(run: Run, targets: readonly Target[]): Promise<void> {
  for (const t of targets) {
    if (t.kind === 'reduction') {
      await run(
        `INSERT INTO reduction_targets (scope, energy, period, unit, base_year, reduction_pct)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (scope, energy, period, unit) DO UPDATE SET base_year = excluded.base_year,
           reduction_pct = excluded.reduction_pct`,
        [t.scope, t.energy, t.period, t.unit, t.baseYear, t.reductionPct],
      );
      continue;
    }
    await run(
      `INSERT INTO targets (scope, energy, period, value, unit) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (scope, energy, period) DO UPDATE SET value = excluded.value, unit = excluded.unit`,
      [t.scope, t.energy, t.period, t.value, t.unit],
    );
  }
}

/** Every target, by scope, energy and period: quotas, then reductions (by unit). */
export async function selectTargets(run: Run): Promise<Target[]> {
  const rows = await run('SELECT * FROM targets ORDER BY scope, energy, period');
  const reductions = await run('SELECT * FROM reduction_targets ORDER BY scope, energy, period, unit');
  return [...rows.map(targetOfRow), ...reductions.map(reductionTargetOfRow)];
}

/**
 * Inserts anomalies, or updates the end, severity, evidence and waste of those already known
 * (same id), keeping their status; returns the new ids. `xmax = 0` tells a row this statement
 * inserted from one it updated, so two processes detecting at once still report each id new once.
 * Call inside a transaction (all or none).
 */
export async function upsertAnomalies(run: Run, events: readonly AnomalyEvent[]): Promise<string[]> {
  const fresh: string[] = [];
  for (const e of events) {
    const [row] = await run(
      `INSERT INTO anomalies (id, type, scope, energy, start_ts, end_ts, severity, evidence, wasted_native, wasted_kgce,
         status, detected_at)
       VALUES ($1, $2, $3, $4, $5::timestamptz, $6::timestamptz, $7, $8::jsonb, $9, $10, 'open', $11::timestamptz)
       ON CONFLICT (id) DO UPDATE SET end_ts = excluded.end_ts, severity = excluded.severity, evidence = excluded.evidence,
         wasted_native = excluded.wasted_native, wasted_kgce = excluded.wasted_kgce
       RETURNING (xmax = 0) AS inserted`,
      [
        e.id,
        e.type,
        e.scope,
        e.energy,
        iso(e.startMs),
        iso(e.endMs),
        e.severity,
        JSON.stringify(e.evidence),
        e.wastedNative,
        e.wastedKgce,
        iso(e.detectedAtMs),
      ],
    );
    if (row?.inserted === true) fresh.push(e.id);
  }
  return fresh;
}

/** Anomalies overlapping [from, to) matching the filter, newest first. */
export async function selectAnomalies(run: Run, f: AnomalyFilter): Promise<AnomalyEvent[]> {
  const params: unknown[] = [iso(f.fromMs), iso(f.toMs)];
  const where = ['end_ts >= $1::timestamptz', 'start_ts < $2::timestamptz'];
  const add = (condition: (p: string) => string, value: unknown) => {
    if (value === undefined) return;
    params.push(value);
    where.push(condition(`$${params.length}`));
  };
  add((p) => `type = ${p}`, f.type);
  add((p) => `status = ${p}`, f.status);
  add((p) => `id = ${p}`, f.id);
  add((p) => `scope = ANY(${p}::text[])`, f.scopes);
  addCaseConditions(add, f);
  const rows = await run(
    `SELECT id, type, scope, energy, severity, evidence, wasted_native, wasted_kgce, status, ack_by, ack_comment,
            resolved_by, resolved_comment, ${msOf('start_ts')} AS start_ms, ${msOf('end_ts')} AS end_ms,
            ${msOf('detected_at')} AS detected_ms, ${msOf('ack_at')} AS ack_ms, ${msOf('resolved_at')} AS resolved_ms,
            ${ASSIGNMENT_COLUMNS}
     FROM anomalies WHERE ${where.join(' AND ')} ORDER BY start_ts DESC, id LIMIT 10000`,
    params,
  );
  const comments = await selectComments(
    run,
    rows.map((r) => String(r.id)),
  );
  return rows.map((r) => anomalyOfRow(r, r.evidence as Record<string, unknown>, comments.get(String(r.id))));
}

/** Moves an anomaly to `acknowledged` or `resolved`, recording who, why and when. */
export async function updateAnomalyStatus(
  run: Run,
  id: string,
  status: 'acknowledged' | 'resolved',
  s: AnomalyStep,
): Promise<void> {
  const prefix = status === 'acknowledged' ? 'ack' : 'resolved';
  await run(
    `UPDATE anomalies SET status = $2, ${prefix}_by = $3, ${prefix}_comment = $4, ${prefix}_at = $5::timestamptz
     WHERE id = $1`,
    [id, status, s.by, s.comment, iso(s.atMs)],
  );
}
