import { tokenOfRow } from '../metadata-rows.js';
import type { AuditEntry, TokenRecord } from '../store.js';
import { iso, isoOrNull, msOf, type Row, type Run } from './sql.js';

const TOKEN_COLUMNS = `id, name, role, hash, ${msOf('created_at')} AS c, scopes, ${msOf('expires_at')} AS e,
  ${msOf('revoked_at')} AS r`;

/** Stores an API token record; a known id or hash is refused. */
export async function insertToken(run: Run, t: TokenRecord): Promise<void> {
  await run(
    `INSERT INTO tokens (id, name, role, hash, created_at, scopes, expires_at, revoked_at)
     VALUES ($1, $2, $3, $4, $5::timestamptz, $6::text[], $7::timestamptz, $8::timestamptz)`,
    [
      t.id,
      t.name,
      t.role,
      t.hash,
      iso(t.createdAtMs),
      t.scopes ?? [],
      isoOrNull(t.expiresAtMs),
      isoOrNull(t.revokedAtMs),
    ],
  );
}

/** The token with this hash, if any. */
export async function selectTokenByHash(run: Run, hash: string): Promise<TokenRecord | undefined> {
  const [r] = await run(`SELECT ${TOKEN_COLUMNS} FROM tokens WHERE hash = $1`, [hash]);
  return r === undefined ? undefined : toToken(r);
}

/** Every token, oldest first. */
export async function selectTokens(run: Run): Promise<TokenRecord[]> {
  return (await run(`SELECT ${TOKEN_COLUMNS} FROM tokens ORDER BY created_at, id`)).map(toToken);
}

/** How many tokens exist. */
export async function countTokens(run: Run): Promise<number> {
  const [r] = await run('SELECT count(*)::int AS n FROM tokens');
  return Number(r?.n ?? 0);
}

/** Marks a token revoked (keeps the first revocation time); false when unknown. */
export async function updateTokenRevoked(run: Run, id: string, atMs: number): Promise<boolean> {
  const rows = await run(
    'UPDATE tokens SET revoked_at = coalesce(revoked_at, $2::timestamptz) WHERE id = $1 RETURNING id',
    [id, iso(atMs)],
  );
  return rows.length > 0;
}

/** Appends one audit entry. */
export async function insertAudit(run: Run, a: AuditEntry): Promise<void> {
  await run(
    `INSERT INTO audit_log (changed_at, token_id, token_name, route, entity, before_json, after_json)
     VALUES ($1::timestamptz, $2, $3, $4, $5, $6::jsonb, $7::jsonb)`,
    [
      iso(a.atMs),
      a.tokenId,
      a.tokenName,
      a.route,
      a.entity,
      JSON.stringify(a.before ?? null),
      JSON.stringify(a.after ?? null),
    ],
  );
}

/** Audit entries in [from, to), oldest first (equal times in the order they were added). */
export async function selectAudit(run: Run, fromMs: number, toMs: number): Promise<AuditEntry[]> {
  const rows = await run(
    `SELECT ${msOf('changed_at')} AS at_ms, token_id, token_name, route, entity, before_json, after_json FROM audit_log
     WHERE changed_at >= $1::timestamptz AND changed_at < $2::timestamptz ORDER BY changed_at, seq`,
    [iso(fromMs), iso(toMs)],
  );
  return rows.map((r) => ({
    atMs: Number(r.at_ms),
    tokenId: String(r.token_id),
    tokenName: String(r.token_name),
    route: String(r.route),
    entity: String(r.entity),
    before: r.before_json ?? null,
    after: r.after_json ?? null,
  }));
}

/** A token from its row: scopes are a text[] in PostgreSQL. */
function toToken(r: Row): TokenRecord {
  return tokenOfRow(r, (r.scopes ?? []) as string[]);
}
