import type { AnomalyAssignment, AnomalyComment, AnomalyEvent, AnomalyStatus } from '../domain/anomalies.js';
import type { MeterEvent } from '../domain/meter-events.js';
import type { ReductionTarget, Target } from '../domain/targets.js';
import type { DeadLetter, TokenRecord } from './metadata-store.js';

/** A row as a SQL driver returns it, with epoch-millisecond columns already selected as numbers. */
type Row = Record<string, unknown>;

const num = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));

/**
 * Metadata records from their table rows, shared by the DuckDB and PostgreSQL metadata stores so
 * both read the same shape (like `registry-rows.ts`). Each backend selects the same column aliases
 * (`ts_ms`, `created_ms`, …) and decodes its own JSON and array columns before calling these.
 */

/**
 * A lifecycle event from `id, meter_id, type, old_final, new_initial, multiplier, building_id,
 * parent_id, created_by, ts_ms, created_ms`.
 */
export function meterEventOfRow(r: Row): MeterEvent {
  const base = {
    id: String(r.id),
    meterId: String(r.meter_id),
    ts: Number(r.ts_ms),
    createdAtMs: Number(r.created_ms),
    createdBy: String(r.created_by),
  };
  if (r.type === 'replace')
    return { ...base, type: 'replace', oldFinal: num(r.old_final) ?? 0, newInitial: num(r.new_initial) ?? 0 };
  if (r.type === 'multiplier') return { ...base, type: 'multiplier', multiplier: num(r.multiplier) ?? 1 };
  if (r.type === 'move') return { ...base, type: 'move', buildingId: String(r.building_id) };
  if (r.type === 'parent')
    return { ...base, type: 'parent', parentId: r.parent_id === null ? null : String(r.parent_id) };

  return { ...base, type: 'decommission' };
}

/** A dead letter from `id, code, recv_ms, reason, raw, gateway_id, topic, meter_id, ts_ms, retried_ms`. */
export function deadLetterOfRow(r: Row): DeadLetter {
  return {
    id: String(r.id),
    code: String(r.code),
    receivedAtMs: Number(r.recv_ms),
    reason: String(r.reason),
    raw: String(r.raw),
    ...(r.gateway_id === null ? {} : { gatewayId: String(r.gateway_id) }),
    ...(r.topic === null ? {} : { topic: String(r.topic) }),
    ...(r.meter_id === null ? {} : { meterId: String(r.meter_id) }),
    ...(r.ts_ms === null ? {} : { tsMs: Number(r.ts_ms) }),
    ...(r.retried_ms === null ? {} : { retriedAtMs: Number(r.retried_ms) }),
  };
}

/** A token from `id, name, role, hash, c, e, r` (created, expires, revoked ms) and its decoded scopes. */
export function tokenOfRow(r: Row, scopes: readonly string[]): TokenRecord {
  return {
    id: String(r.id),
    name: String(r.name),
    role: String(r.role) as TokenRecord['role'],
    hash: String(r.hash),
    createdAtMs: Number(r.c),
    ...(scopes.length === 0 ? {} : { scopes: [...scopes] }),
    ...(r.e === null || r.e === undefined ? {} : { expiresAtMs: Number(r.e) }),
    ...(r.r === null || r.r === undefined ? {} : { revokedAtMs: Number(r.r) }),
  };
}

/** A quota target from its row (`targets`). */
export function targetOfRow(r: Row): Target {
  return {
    scope: String(r.scope),
    energy: String(r.energy) as Target['energy'],
    period: String(r.period),
    value: Number(r.value),
    unit: String(r.unit),
  };
}

/** A reduction target from its row (`reduction_targets`, issue 16 item 6). */
export function reductionTargetOfRow(r: Row): ReductionTarget {
  return {
    scope: String(r.scope),
    energy: String(r.energy) as Target['energy'],
    kind: 'reduction',
    baseYear: Number(r.base_year),
    period: String(r.period),
    reductionPct: Number(r.reduction_pct),
    unit: String(r.unit),
  };
}

const step = (by: unknown, comment: unknown, at: unknown) =>
  by === null || by === undefined ? undefined : { by: String(by), comment: String(comment ?? ''), atMs: Number(at) };

/** The assignment of an anomaly row (`assignee`, `due_day`, `assigned_by`, `assigned_ms`), if any. */
function assignmentOfRow(r: Row): AnomalyAssignment | undefined {
  if (r.assignee === null || r.assignee === undefined) return undefined;
  return {
    assignee: String(r.assignee),
    ...(r.due_day === null || r.due_day === undefined ? {} : { dueDate: String(r.due_day) }),
    by: String(r.assigned_by),
    atMs: Number(r.assigned_ms),
  };
}

/** A comment from `author`, `created_ms`, `body` (issue 17, item 3). */
export function anomalyCommentOfRow(r: Row): AnomalyComment {
  return { text: String(r.body), by: String(r.author), atMs: Number(r.created_ms) };
}

/**
 * An anomaly event from its row (`start_ms`, `end_ms`, `detected_ms`, `ack_ms`, `resolved_ms`, the
 * assignment's columns), its decoded evidence and its comments.
 */
export function anomalyOfRow(
  r: Row,
  evidence: Record<string, unknown>,
  comments: readonly AnomalyComment[] = [],
): AnomalyEvent {
  const acknowledged = step(r.ack_by, r.ack_comment, r.ack_ms);
  const resolved = step(r.resolved_by, r.resolved_comment, r.resolved_ms);
  const assignment = assignmentOfRow(r);
  return {
    id: String(r.id),
    type: String(r.type),
    scope: String(r.scope),
    energy: String(r.energy),
    startMs: Number(r.start_ms),
    endMs: Number(r.end_ms),
    severity: String(r.severity) as AnomalyEvent['severity'],
    evidence,
    wastedNative: Number(r.wasted_native),
    wastedKgce: Number(r.wasted_kgce),
    status: String(r.status) as AnomalyStatus,
    detectedAtMs: Number(r.detected_ms),
    ...(acknowledged ? { acknowledged } : {}),
    ...(resolved ? { resolved } : {}),
    ...(assignment ? { assignment } : {}),
    ...(comments.length === 0 ? {} : { comments: [...comments] }),
  };
}

/**
 * Items with distinct ids, in the order each id first appears, each as its last occurrence: what a
 * run of single-row upserts leaves (a bulk upsert may not touch a row twice in one statement).
 */
export function lastById<T extends { readonly id: string }>(items: readonly T[]): T[] {
  const byId = new Map<string, T>();
  for (const item of items) byId.set(item.id, item);
  return [...byId.values()];
}
