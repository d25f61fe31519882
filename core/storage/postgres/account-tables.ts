import type pg from 'pg';
import { sessionOfRow, userOfRow } from '../account-rows.js';
import type { AccountStore, SessionRecord, UserRecord } from '../account-store.js';
import { ID, iso, isoOrNull, msOf, type Row, type Run, runOn } from './sql.js';

/** Users and sessions (issue 17, item 1): schema version 11 of the PostgreSQL metadata. */
export const ACCOUNTS_TABLES_SQL = [
  `CREATE TABLE users (id ${ID} PRIMARY KEY, username ${ID} NOT NULL UNIQUE, display_name TEXT NOT NULL,
     role TEXT NOT NULL, scopes TEXT[] NOT NULL DEFAULT '{}', password_hash TEXT NOT NULL,
     created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL, password_changed_at TIMESTAMPTZ NOT NULL,
     disabled_at TIMESTAMPTZ)`,
  `CREATE TABLE sessions (id ${ID} PRIMARY KEY, user_id ${ID} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
     hash TEXT NOT NULL UNIQUE, created_at TIMESTAMPTZ NOT NULL, last_seen_at TIMESTAMPTZ NOT NULL,
     expires_at TIMESTAMPTZ NOT NULL, revoked_at TIMESTAMPTZ)`,
  'CREATE INDEX sessions_user ON sessions (user_id)',
];

const USER_COLUMNS = `id, username, display_name, role, scopes, password_hash, ${msOf('created_at')} AS created_ms,
  ${msOf('updated_at')} AS updated_ms, ${msOf('password_changed_at')} AS password_ms,
  ${msOf('disabled_at')} AS disabled_ms`;
const SESSION_COLUMNS = `id, user_id, hash, ${msOf('created_at')} AS created_ms, ${msOf('last_seen_at')} AS seen_ms,
  ${msOf('expires_at')} AS expires_ms, ${msOf('revoked_at')} AS revoked_ms`;

/** A user from its row: scopes are a text[] in PostgreSQL. */
const toUser = (r: Row) => userOfRow(r, (r.scopes ?? []) as string[]);

/** The user's columns after its id, as parameters $2… (the username is left to `addUser`). */
const userValues = (u: UserRecord) => [
  u.displayName,
  u.role,
  [...u.scopes],
  u.passwordHash,
  iso(u.createdAtMs),
  iso(u.updatedAtMs),
  iso(u.passwordChangedAtMs),
  isoOrNull(u.disabledAtMs),
];

/**
 * Users and sessions in PostgreSQL, shared by every process of a cluster. Nothing is cached by
 * the API (a session is looked up per request), so a revocation made by one process holds at
 * once on every other without a notification.
 */
export class PostgresAccountStore implements AccountStore {
  private readonly run: Run;

  constructor(pool: pg.Pool) {
    this.run = runOn(pool);
  }

  async addUser(u: UserRecord): Promise<boolean> {
    const rows = await this.run(
      `INSERT INTO users (id, username, display_name, role, scopes, password_hash, created_at, updated_at,
         password_changed_at, disabled_at)
       VALUES ($1, $10, $2, $3, $4::text[], $5, $6::timestamptz, $7::timestamptz, $8::timestamptz, $9::timestamptz)
       ON CONFLICT (username) DO NOTHING RETURNING id`,
      [u.id, ...userValues(u), u.username],
    );
    return rows.length > 0;
  }

  async updateUser(u: UserRecord): Promise<boolean> {
    const rows = await this.run(
      `UPDATE users SET display_name = $2, role = $3, scopes = $4::text[], password_hash = $5,
         created_at = $6::timestamptz, updated_at = $7::timestamptz, password_changed_at = $8::timestamptz,
         disabled_at = $9::timestamptz
       WHERE id = $1 RETURNING id`,
      [u.id, ...userValues(u)],
    );
    return rows.length > 0;
  }

  async user(id: string): Promise<UserRecord | undefined> {
    const [r] = await this.run(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
    return r === undefined ? undefined : toUser(r);
  }

  async userByUsername(username: string): Promise<UserRecord | undefined> {
    const [r] = await this.run(`SELECT ${USER_COLUMNS} FROM users WHERE username = $1`, [username]);
    return r === undefined ? undefined : toUser(r);
  }

  async users(): Promise<UserRecord[]> {
    return (await this.run(`SELECT ${USER_COLUMNS} FROM users ORDER BY username`)).map(toUser);
  }

  async countUsers(): Promise<number> {
    const [r] = await this.run('SELECT count(*)::int AS n FROM users');
    return Number(r?.n ?? 0);
  }

  async deleteUser(id: string): Promise<boolean> {
    // Its sessions go with it (ON DELETE CASCADE), in the same statement.
    return (await this.run('DELETE FROM users WHERE id = $1 RETURNING id', [id])).length > 0;
  }

  async addSession(s: SessionRecord): Promise<void> {
    await this.run(
      `INSERT INTO sessions (id, user_id, hash, created_at, last_seen_at, expires_at, revoked_at)
       VALUES ($1, $2, $3, $4::timestamptz, $5::timestamptz, $6::timestamptz, $7::timestamptz)`,
      [s.id, s.userId, s.hash, iso(s.createdAtMs), iso(s.lastSeenAtMs), iso(s.expiresAtMs), isoOrNull(s.revokedAtMs)],
    );
  }

  async sessionByHash(hash: string): Promise<SessionRecord | undefined> {
    const [r] = await this.run(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE hash = $1`, [hash]);
    return r === undefined ? undefined : sessionOfRow(r);
  }

  async sessionsOf(userId: string): Promise<SessionRecord[]> {
    const rows = await this.run(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE user_id = $1 ORDER BY created_at, id`, [
      userId,
    ]);
    return rows.map(sessionOfRow);
  }

  async touchSession(id: string, atMs: number): Promise<void> {
    await this.run('UPDATE sessions SET last_seen_at = greatest(last_seen_at, $2::timestamptz) WHERE id = $1', [
      id,
      iso(atMs),
    ]);
  }

  async revokeSession(id: string, atMs: number): Promise<boolean> {
    const rows = await this.run(
      'UPDATE sessions SET revoked_at = coalesce(revoked_at, $2::timestamptz) WHERE id = $1 RETURNING id',
      [id, iso(atMs)],
    );
    return rows.length > 0;
  }

  async revokeSessionsOf(userId: string, atMs: number): Promise<number> {
    const rows = await this.run(
      'UPDATE sessions SET revoked_at = $2::timestamptz WHERE user_id = $1 AND revoked_at IS NULL RETURNING id',
      [userId, iso(atMs)],
    );
    return rows.length;
  }

  async pruneSessions(beforeMs: number): Promise<number> {
    const rows = await this.run(
      'DELETE FROM sessions WHERE expires_at < $1::timestamptz OR revoked_at < $1::timestamptz RETURNING id',
      [iso(beforeMs)],
    );
    return rows.length;
  }
}
