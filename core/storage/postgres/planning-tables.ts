import type { AnomalyEvent, AnomalyStep } from '../../domain/anomalies.js';
import type { Target } from '../../domain/targets.js';
import { anomalyOfRow, lastById, reductionTargetOfRow, targetOfRow } from '../metadata-rows.js';
import type { AnomalyFilter } from '../store.js';
import { ASSIGNMENT_COLUMNS, addCaseConditions, selectComments } from './anomaly-case-tables.js';
import { ID, iso, msOf, type Run } from './sql.js';

/** Anomalies per upsert statement (its arrays are parameters: 11 per event). */
const UPSERT_CHUNK = 5000;

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
  // A chunk of events per statement, not one each: an outage makes one `offline` finding per meter
  // (100,000 in a province, issue 19). One statement may not touch a row twice: the last of an id's
  // events stands for it, as a run of single-row upserts would leave it.
  const fresh = new Set<string>();
  const latest = lastById(events);
  for (let i = 0; i < latest.length; i += UPSERT_CHUNK) {
    const chunk = latest.slice(i, i + UPSERT_CHUNK);
    const column = <T>(f: (e: AnomalyEvent) => T) => chunk.map(f);
    const rows = await run(
      `INSERT INTO anomalies (id, type, scope, energy, start_ts, end_ts, severity, evidence, wasted_native, wasted_kgce,
         status, detected_at)
       SELECT id, type, scope, energy, start_ts, end_ts, severity, evidence::jsonb, wasted_native, wasted_kgce, 'open', detected_at
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::text[],
         $8::text[], $9::float8[], $10::float8[], $11::timestamptz[])
         AS e(id, type, scope, energy, start_ts, end_ts, severity, evidence, wasted_native, wasted_kgce, detected_at)
       ON CONFLICT (id) DO UPDATE SET end_ts = excluded.end_ts, severity = excluded.severity, evidence = excluded.evidence,
         wasted_native = excluded.wasted_native, wasted_kgce = excluded.wasted_kgce
       RETURNING id, (xmax = 0) AS inserted`,
      [
        column((e) => e.id),
        column((e) => e.type),
        column((e) => e.scope),
        column((e) => e.energy),
        column((e) => iso(e.startMs)),
        column((e) => iso(e.endMs)),
        column((e) => e.severity),
        column((e) => JSON.stringify(e.evidence)),
        column((e) => e.wastedNative),
        column((e) => e.wastedKgce),
        column((e) => iso(e.detectedAtMs)),
      ],
    );
    for (const row of rows) if (row.inserted === true) fresh.add(String(row.id));
  }
  return latest.filter((e) => fresh.has(e.id)).map((e) => e.id);
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
