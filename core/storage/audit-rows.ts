import type { AuditFlag, AuditFlagStatus, AuditSignoff } from '../domain/audit-flags.js';

/** A row as a SQL driver returns it, with epoch-millisecond columns already selected as numbers. */
type Row = Record<string, unknown>;

/**
 * An audit flag from `id, year, scope, rule, severity, message, status, resolved_by,
 * resolved_comment, detected_ms, seen_ms, resolved_ms` and its decoded evidence: the DuckDB and
 * PostgreSQL stores read the same shape (as `metadata-rows.ts`).
 */
export function auditFlagOfRow(r: Row, evidence: Record<string, unknown>): AuditFlag {
  const status = String(r.status) as AuditFlagStatus;
  return {
    id: String(r.id),
    year: Number(r.year),
    scope: String(r.scope),
    rule: String(r.rule) as AuditFlag['rule'],
    severity: String(r.severity) as AuditFlag['severity'],
    evidence,
    message: String(r.message),
    status,
    detectedAtMs: Number(r.detected_ms),
    seenAtMs: Number(r.seen_ms),
    ...(status === 'open' || r.resolved_ms === null || r.resolved_ms === undefined
      ? {}
      : {
          resolution: {
            status,
            by: String(r.resolved_by),
            comment: String(r.resolved_comment ?? ''),
            atMs: Number(r.resolved_ms),
          },
        }),
  };
}

/** A sign-off from `year, scope, signed_by, signed_ms, flags`. */
export function auditSignoffOfRow(r: Row): AuditSignoff {
  return {
    year: Number(r.year),
    scope: String(r.scope),
    by: String(r.signed_by),
    atMs: Number(r.signed_ms),
    flags: Number(r.flags),
  };
}
