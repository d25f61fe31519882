import type { Role } from '../domain/access.js';
import type { SessionRecord, UserRecord } from './account-store.js';

/** A row as a SQL driver returns it, with epoch-millisecond columns already selected as numbers. */
type Row = Record<string, unknown>;

const present = (v: unknown) => v !== null && v !== undefined;

/**
 * Account records from their table rows, shared by the DuckDB and PostgreSQL stores so both read
 * the same shape (like `metadata-rows.ts`). Each backend selects these column aliases and decodes
 * its own scopes column before calling.
 */

/**
 * A user from `id, username, display_name, role, password_hash, created_ms, updated_ms,
 * password_ms, disabled_ms` and its decoded scopes.
 */
export function userOfRow(r: Row, scopes: readonly string[]): UserRecord {
  return {
    id: String(r.id),
    username: String(r.username),
    displayName: String(r.display_name),
    role: String(r.role) as Role,
    scopes: [...scopes],
    passwordHash: String(r.password_hash),
    createdAtMs: Number(r.created_ms),
    updatedAtMs: Number(r.updated_ms),
    passwordChangedAtMs: Number(r.password_ms),
    ...(present(r.disabled_ms) ? { disabledAtMs: Number(r.disabled_ms) } : {}),
  };
}

/** A session from `id, user_id, hash, created_ms, seen_ms, expires_ms, revoked_ms`. */
export function sessionOfRow(r: Row): SessionRecord {
  return {
    id: String(r.id),
    userId: String(r.user_id),
    hash: String(r.hash),
    createdAtMs: Number(r.created_ms),
    lastSeenAtMs: Number(r.seen_ms),
    expiresAtMs: Number(r.expires_ms),
    ...(present(r.revoked_ms) ? { revokedAtMs: Number(r.revoked_ms) } : {}),
  };
}
