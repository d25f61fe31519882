import type { DuckDBConnection } from '@duckdb/node-api';
import { tokenOfRow } from '../metadata-rows.js';
import type { AuditEntry, TokenRecord } from '../store.js';
import { query, type Row, tsParam } from './sql-util.js';

const TOKEN_COLUMNS = `id, name, role, hash, epoch_ms(created_at) AS c, scopes,
  epoch_ms(expires_at) AS e, epoch_ms(revoked_at) AS r`;

/** Stores an API token record. */
export async function insertToken(conn: DuckDBConnection, t: TokenRecord): Promise<void> {
  await conn.run(
    `INSERT INTO tokens (id, name, role, hash, created_at, scopes, expires_at, revoked_at)
     VALUES ($1, $2, $3, $4, ${tsParam('$5')}, $6, ${tsParam('$7')}, ${tsParam('$8')})`,
    [
      t.id,
      t.name,
      t.role,
      t.hash,
      t.createdAtMs,
      t.scopes === undefined || t.scopes.length === 0 ? null : JSON.stringify(t.scopes),
      t.expiresAtMs ?? null,
      t.revokedAtMs ?? null,
    ],
  );
}

/** The token with this hash, if any. */
export async function selectTokenByHash(conn: DuckDBConnection, hash: string): Promise<TokenRecord | undefined> {
  const [r] = await query(conn, `SELECT ${TOKEN_COLUMNS} FROM tokens WHERE hash = $1`, [hash]);
  return r === undefined ? undefined : toToken(r);
}

/** Every token, oldest first. */
export async function selectTokens(conn: DuckDBConnection): Promise<TokenRecord[]> {
  return (await query(conn, `SELECT ${TOKEN_COLUMNS} FROM tokens ORDER BY created_at, id`)).map(toToken);
}

/** Marks a token revoked (keeps the first revocation time); false when unknown. */
export async function updateTokenRevoked(conn: DuckDBConnection, id: string, atMs: number): Promise<boolean> {
  const rows = await query(
    conn,
    `UPDATE tokens SET revoked_at = coalesce(revoked_at, ${tsParam('$2')}) WHERE id = $1 RETURNING id`,
    [id, atMs],
  );
  return rows.length > 0;
}

/** Appends one audit entry. */
export async function insertAudit(conn: DuckDBConnection, a: AuditEntry): Promise<void> {
  await conn.run(`INSERT INTO audit_log VALUES (${tsParam('$1')}, $2, $3, $4, $5, $6, $7)`, [
    a.atMs,
    a.tokenId,
    a.tokenName,
    a.route,
    a.entity,
    JSON.stringify(a.before ?? null),
    JSON.stringify(a.after ?? null),
  ]);
}

/** Audit entries in [from, to), oldest first. */
export async function selectAudit(conn: DuckDBConnection, fromMs: number, toMs: number): Promise<AuditEntry[]> {
  const rows = await query(
    conn,
    `SELECT epoch_ms(changed_at) AS at_ms, token_id, token_name, route, entity, before_json, after_json FROM audit_log
     WHERE changed_at >= ${tsParam('$1')} AND changed_at < ${tsParam('$2')} ORDER BY changed_at`,
    [fromMs, toMs],
  );
  return rows.map((r) => ({
    atMs: Number(r.at_ms),
    tokenId: String(r.token_id),
    tokenName: String(r.token_name),
    route: String(r.route),
    entity: String(r.entity),
    before: JSON.parse(String(r.before_json ?? 'null')),
    after: JSON.parse(String(r.after_json ?? 'null')),
  }));
}

/** A token from its row: scopes are a JSON list in DuckDB. */
function toToken(r: Row): TokenRecord {
  return tokenOfRow(r, r.scopes === null || r.scopes === undefined ? [] : (JSON.parse(String(r.scopes)) as string[]));
}
