import type { DuckDBConnection } from '@duckdb/node-api';
import { sessionOfRow, userOfRow } from '../account-rows.js';
import type { AccountStore, SessionRecord, UserRecord } from '../account-store.js';
import { query, type Row, tsParam } from './sql-util.js';

/** Users and sessions (issue 17, item 1): schema version 10 of the embedded store. */
export const ACCOUNTS_SQL = [
  `CREATE TABLE IF NOT EXISTS users (id VARCHAR PRIMARY KEY, username VARCHAR NOT NULL UNIQUE,
     display_name VARCHAR NOT NULL, role VARCHAR NOT NULL, scopes VARCHAR NOT NULL, password_hash VARCHAR NOT NULL,
     created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL, password_changed_at TIMESTAMPTZ NOT NULL,
     disabled_at TIMESTAMPTZ)`,
  // No index on user_id: DuckDB rewrites an indexed row on UPDATE, and the table stays small (pruned).
  `CREATE TABLE IF NOT EXISTS sessions (id VARCHAR PRIMARY KEY, user_id VARCHAR NOT NULL, hash VARCHAR NOT NULL UNIQUE,
     created_at TIMESTAMPTZ NOT NULL, last_seen_at TIMESTAMPTZ NOT NULL, expires_at TIMESTAMPTZ NOT NULL,
     revoked_at TIMESTAMPTZ)`,
];

const USER_COLUMNS = `id, username, display_name, role, scopes, password_hash, epoch_ms(created_at) AS created_ms,
  epoch_ms(updated_at) AS updated_ms, epoch_ms(password_changed_at) AS password_ms, epoch_ms(disabled_at) AS disabled_ms`;
const SESSION_COLUMNS = `id, user_id, hash, epoch_ms(created_at) AS created_ms, epoch_ms(last_seen_at) AS seen_ms,
  epoch_ms(expires_at) AS expires_ms, epoch_ms(revoked_at) AS revoked_ms`;

/** A user from its row: scopes are a JSON list in DuckDB. */
const toUser = (r: Row) => userOfRow(r, JSON.parse(String(r.scopes ?? '[]')) as string[]);

/** Runs `fn` on a connection of the embedded store (in one transaction when asked), serialised with its other calls. */
type Use = <T>(fn: (conn: DuckDBConnection) => Promise<T>, transaction?: boolean) => Promise<T>;

/**
 * The embedded store's users and sessions, in its DuckDB file: writes go through its writer
 * connection (`write`), reads through its reader (`read`).
 */
export class DuckDbAccountStore implements AccountStore {
  constructor(
    private readonly write: Use,
    private readonly read: Use,
  ) {}

  async addUser(u: UserRecord): Promise<boolean> {
    const rows = await this.write((conn) =>
      query(
        conn,
        `INSERT INTO users (id, username, display_name, role, scopes, password_hash, created_at, updated_at,
           password_changed_at, disabled_at)
         VALUES ($1, $2, $3, $4, $5, $6, ${tsParam('$7')}, ${tsParam('$8')}, ${tsParam('$9')}, ${tsParam('$10')})
         ON CONFLICT (username) DO NOTHING RETURNING id`,
        [
          u.id,
          u.username,
          u.displayName,
          u.role,
          JSON.stringify(u.scopes),
          u.passwordHash,
          u.createdAtMs,
          u.updatedAtMs,
          u.passwordChangedAtMs,
          u.disabledAtMs ?? null,
        ],
      ),
    );
    return rows.length > 0;
  }

  async updateUser(u: UserRecord): Promise<boolean> {
    const rows = await this.write((conn) =>
      query(
        conn,
        `UPDATE users SET display_name = $2, role = $3, scopes = $4, password_hash = $5, created_at = ${tsParam('$6')},
           updated_at = ${tsParam('$7')}, password_changed_at = ${tsParam('$8')}, disabled_at = ${tsParam('$9')}
         WHERE id = $1 RETURNING id`,
        [
          u.id,
          u.displayName,
          u.role,
          JSON.stringify(u.scopes),
          u.passwordHash,
          u.createdAtMs,
          u.updatedAtMs,
          u.passwordChangedAtMs,
          u.disabledAtMs ?? null,
        ],
      ),
    );
    return rows.length > 0;
  }

  async user(id: string): Promise<UserRecord | undefined> {
    const [r] = await this.read((conn) => query(conn, `SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]));
    return r === undefined ? undefined : toUser(r);
  }

  async userByUsername(username: string): Promise<UserRecord | undefined> {
    const [r] = await this.read((conn) =>
      query(conn, `SELECT ${USER_COLUMNS} FROM users WHERE username = $1`, [username]),
    );
    return r === undefined ? undefined : toUser(r);
  }

  async users(): Promise<UserRecord[]> {
    return (await this.read((conn) => query(conn, `SELECT ${USER_COLUMNS} FROM users ORDER BY username`))).map(toUser);
  }

  async countUsers(): Promise<number> {
    const [r] = await this.read((conn) => query(conn, 'SELECT count(*) AS n FROM users'));
    return Number(r?.n ?? 0);
  }

  deleteUser(id: string): Promise<boolean> {
    return this.write(async (conn) => {
      await conn.run('DELETE FROM sessions WHERE user_id = $1', [id]);
      return (await query(conn, 'DELETE FROM users WHERE id = $1 RETURNING id', [id])).length > 0;
    }, true);
  }

  async addSession(s: SessionRecord): Promise<void> {
    await this.write((conn) =>
      conn.run(
        `INSERT INTO sessions (id, user_id, hash, created_at, last_seen_at, expires_at, revoked_at)
         VALUES ($1, $2, $3, ${tsParam('$4')}, ${tsParam('$5')}, ${tsParam('$6')}, ${tsParam('$7')})`,
        [s.id, s.userId, s.hash, s.createdAtMs, s.lastSeenAtMs, s.expiresAtMs, s.revokedAtMs ?? null],
      ),
    );
  }

  async sessionByHash(hash: string): Promise<SessionRecord | undefined> {
    const [r] = await this.read((conn) =>
      query(conn, `SELECT ${SESSION_COLUMNS} FROM sessions WHERE hash = $1`, [hash]),
    );
    return r === undefined ? undefined : sessionOfRow(r);
  }

  async sessionsOf(userId: string): Promise<SessionRecord[]> {
    const rows = await this.read((conn) =>
      query(conn, `SELECT ${SESSION_COLUMNS} FROM sessions WHERE user_id = $1 ORDER BY created_at, id`, [userId]),
    );
    return rows.map(sessionOfRow);
  }

  async touchSession(id: string, atMs: number): Promise<void> {
    await this.write((conn) =>
      conn.run(`UPDATE sessions SET last_seen_at = greatest(last_seen_at, ${tsParam('$2')}) WHERE id = $1`, [id, atMs]),
    );
  }

  async revokeSession(id: string, atMs: number): Promise<boolean> {
    const rows = await this.write((conn) =>
      query(
        conn,
        `UPDATE sessions SET revoked_at = coalesce(revoked_at, ${tsParam('$2')}) WHERE id = $1 RETURNING id`,
        [id, atMs],
      ),
    );
    return rows.length > 0;
  }

  async revokeSessionsOf(userId: string, atMs: number): Promise<number> {
    const rows = await this.write((conn) =>
      query(
        conn,
        `UPDATE sessions SET revoked_at = ${tsParam('$2')} WHERE user_id = $1 AND revoked_at IS NULL RETURNING id`,
        [userId, atMs],
      ),
    );
    return rows.length;
  }

  async pruneSessions(beforeMs: number): Promise<number> {
    const rows = await this.write((conn) =>
      query(
        conn,
        `DELETE FROM sessions WHERE expires_at < ${tsParam('$1')} OR revoked_at < ${tsParam('$1')} RETURNING id`,
        [beforeMs],
      ),
    );
    return rows.length;
  }
}
