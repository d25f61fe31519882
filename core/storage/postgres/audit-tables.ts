import type {
  AuditFinding,
  AuditFlag,
  AuditFlagFilter,
  AuditResolution,
  AuditSignoff,
} from '../../domain/audit-flags.js';
import { auditFlagOfRow, auditSignoffOfRow } from '../audit-rows.js';
import { ID, iso, msOf, type Run } from './sql.js';

/** The tables of the data audit: flags and sign-offs (issue 16 item 4; a versioned migration, postgres/migrations.ts). */
export const AUDIT_TABLES_SQL = [
  `CREATE TABLE audit_flags (id ${ID} PRIMARY KEY, year INTEGER NOT NULL, scope ${ID} NOT NULL, rule ${ID} NOT NULL,
     severity TEXT NOT NULL, evidence JSONB NOT NULL, message TEXT NOT NULL, status TEXT NOT NULL,
     detected_at TIMESTAMPTZ NOT NULL, seen_at TIMESTAMPTZ NOT NULL, resolved_by TEXT, resolved_comment TEXT,
     resolved_at TIMESTAMPTZ)`,
  'CREATE INDEX audit_flags_year_scope ON audit_flags (year, scope)',
  `CREATE TABLE audit_signoffs (year INTEGER NOT NULL, scope ${ID} NOT NULL, signed_by TEXT NOT NULL,
     signed_at TIMESTAMPTZ NOT NULL, flags INTEGER NOT NULL, PRIMARY KEY (year, scope))`,
];

/**
 * Inserts flags `open`, or updates the severity, evidence, message and last-seen time of known ones
 * (same id), keeping their status and resolution. Returns the new ids (`xmax = 0`: inserted by this
 * statement). Call inside a transaction (all or none).
 */
export async function upsertAuditFlags(run: Run, flags: readonly AuditFinding[], atMs: number): Promise<string[]> {
  const fresh: string[] = [];
  for (const f of flags) {
    const [row] = await run(
      `INSERT INTO audit_flags (id, year, scope, rule, severity, evidence, message, status, detected_at, seen_at)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, 'open', $8::timestamptz, $8::timestamptz)
       ON CONFLICT (id) DO UPDATE SET severity = excluded.severity, evidence = excluded.evidence,
         message = excluded.message, seen_at = excluded.seen_at
       RETURNING (xmax = 0) AS inserted`,
      [f.id, f.year, f.scope, f.rule, f.severity, JSON.stringify(f.evidence), f.message, iso(atMs)],
    );
    if (row?.inserted === true) fresh.push(f.id);
  }
  return fresh;
}

/** Flags matching the filter, by year, scope, rule and id. */
export async function selectAuditFlags(run: Run, f: AuditFlagFilter): Promise<AuditFlag[]> {
  const params: unknown[] = [];
  const where: string[] = ['true'];
  const add = (condition: (p: string) => string, value: unknown) => {
    if (value === undefined) return;
    params.push(value);
    where.push(condition(`$${params.length}`));
  };
  add((p) => `year = ${p}`, f.year);
  add((p) => `status = ${p}`, f.status);
  add((p) => `id = ${p}`, f.id);
  add((p) => `scope = ANY(${p}::text[])`, f.scopes);
  const rows = await run(
    `SELECT id, year, scope, rule, severity, evidence, message, status, resolved_by, resolved_comment,
            ${msOf('detected_at')} AS detected_ms, ${msOf('seen_at')} AS seen_ms, ${msOf('resolved_at')} AS resolved_ms
     FROM audit_flags WHERE ${where.join(' AND ')} ORDER BY year, scope, rule, id`,
    params,
  );
  return rows.map((r) => auditFlagOfRow(r, r.evidence as Record<string, unknown>));
}

/** Moves an open flag to its resolution; false when there is no open flag of this id. */
export async function updateAuditFlagResolved(run: Run, id: string, r: AuditResolution): Promise<boolean> {
  const rows = await run(
    `UPDATE audit_flags SET status = $2, resolved_by = $3, resolved_comment = $4, resolved_at = $5::timestamptz
     WHERE id = $1 AND status = 'open' RETURNING id`,
    [id, r.status, r.by, r.comment, iso(r.atMs)],
  );
  return rows.length > 0;
}

/** Records a sign-off, replacing an earlier one of the same year and scope. */
export async function upsertAuditSignoff(run: Run, s: AuditSignoff): Promise<void> {
  await run(
    `INSERT INTO audit_signoffs (year, scope, signed_by, signed_at, flags) VALUES ($1, $2, $3, $4::timestamptz, $5)
     ON CONFLICT (year, scope) DO UPDATE SET signed_by = excluded.signed_by, signed_at = excluded.signed_at,
       flags = excluded.flags`,
    [s.year, s.scope, s.by, iso(s.atMs), s.flags],
  );
}

/** The sign-offs of a year, by scope. */
export async function selectAuditSignoffs(run: Run, year: number): Promise<AuditSignoff[]> {
  const rows = await run(
    `SELECT year, scope, signed_by, ${msOf('signed_at')} AS signed_ms, flags FROM audit_signoffs
     WHERE year = $1 ORDER BY scope`,
    [year],
  );
  return rows.map(auditSignoffOfRow);
}
