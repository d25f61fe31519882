import type { DuckDBConnection } from '@duckdb/node-api';
import type {
  AuditFinding,
  AuditFlag,
  AuditFlagFilter,
  AuditResolution,
  AuditSignoff,
} from '../../domain/audit-flags.js';
import { auditFlagOfRow, auditSignoffOfRow } from '../audit-rows.js';
import { query, tsParam, WhereBuilder } from './sql-util.js';

/** The tables of the data audit: flags and sign-offs (issue 16 item 4; a versioned migration, duckdb/migrations.ts). */
export const AUDIT_SQL = [
  `CREATE TABLE IF NOT EXISTS audit_flags (id VARCHAR PRIMARY KEY, year INTEGER NOT NULL, scope VARCHAR NOT NULL,
     rule VARCHAR NOT NULL, severity VARCHAR NOT NULL, evidence VARCHAR NOT NULL, message VARCHAR NOT NULL,
     status VARCHAR NOT NULL, detected_at TIMESTAMPTZ NOT NULL, seen_at TIMESTAMPTZ NOT NULL, resolved_by VARCHAR,
     resolved_comment VARCHAR, resolved_at TIMESTAMPTZ)`,
  `CREATE TABLE IF NOT EXISTS audit_signoffs (year INTEGER NOT NULL, scope VARCHAR NOT NULL, signed_by VARCHAR NOT NULL,
     signed_at TIMESTAMPTZ NOT NULL, flags INTEGER NOT NULL, PRIMARY KEY (year, scope))`,
];

/**
 * Inserts flags `open`, or updates the severity, evidence, message and last-seen time of known ones
 * (same id), keeping their status and resolution. Returns the new ids. Call inside a transaction.
 */
export async function upsertAuditFlags(
  conn: DuckDBConnection,
  flags: readonly AuditFinding[],
  atMs: number,
): Promise<string[]> {
  const fresh: string[] = [];
  for (const f of flags) {
    const [known] = await query(conn, 'SELECT id FROM audit_flags WHERE id = $1', [f.id]);
    if (known === undefined) fresh.push(f.id);
    await conn.run(
      `INSERT INTO audit_flags (id, year, scope, rule, severity, evidence, message, status, detected_at, seen_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', ${tsParam('$8')}, ${tsParam('$8')})
       ON CONFLICT (id) DO UPDATE SET severity = excluded.severity, evidence = excluded.evidence,
         message = excluded.message, seen_at = excluded.seen_at`,
      [f.id, f.year, f.scope, f.rule, f.severity, JSON.stringify(f.evidence), f.message, atMs],
    );
  }
  return fresh;
}

/** Flags matching the filter, by year, scope, rule and id. */
export async function selectAuditFlags(conn: DuckDBConnection, f: AuditFlagFilter): Promise<AuditFlag[]> {
  const where = new WhereBuilder()
    .equals('year', f.year)
    .equals('status', f.status)
    .equals('id', f.id)
    .scopeIn(f.scopes);
  const rows = await query(
    conn,
    `SELECT *, epoch_ms(detected_at) AS detected_ms, epoch_ms(seen_at) AS seen_ms, epoch_ms(resolved_at) AS resolved_ms
     FROM audit_flags WHERE ${where.sql()} ORDER BY year, scope, rule, id`,
    where.params,
  );
  return rows.map((r) => auditFlagOfRow(r, JSON.parse(String(r.evidence)) as Record<string, unknown>));
}

/** Moves an open flag to its resolution; false when there is no open flag of this id. */
export async function updateAuditFlagResolved(
  conn: DuckDBConnection,
  id: string,
  r: AuditResolution,
): Promise<boolean> {
  const rows = await query(
    conn,
    `UPDATE audit_flags SET status = $2, resolved_by = $3, resolved_comment = $4, resolved_at = ${tsParam('$5')}
     WHERE id = $1 AND status = 'open' RETURNING id`,
    [id, r.status, r.by, r.comment, r.atMs],
  );
  return rows.length > 0;
}

/** Records a sign-off, replacing an earlier one of the same year and scope. */
export async function upsertAuditSignoff(conn: DuckDBConnection, s: AuditSignoff): Promise<void> {
  await conn.run(
    `INSERT INTO audit_signoffs VALUES ($1, $2, $3, ${tsParam('$4')}, $5)
     ON CONFLICT (year, scope) DO UPDATE SET signed_by = excluded.signed_by, signed_at = excluded.signed_at,
       flags = excluded.flags`,
    [s.year, s.scope, s.by, s.atMs, s.flags],
  );
}

/** The sign-offs of a year, by scope. */
export async function selectAuditSignoffs(conn: DuckDBConnection, year: number): Promise<AuditSignoff[]> {
  const rows = await query(
    conn,
    'SELECT year, scope, signed_by, epoch_ms(signed_at) AS signed_ms, flags FROM audit_signoffs WHERE year = $1 ORDER BY scope',
    [year],
  );
  return rows.map(auditSignoffOfRow);
}
