/**
 * Users and their sign-in sessions (issue 17, item 1): a store of their own, one concern, reached
 * as `MetadataStore.accounts` and implemented beside the metadata by DuckDB (`duckdb/`) and
 * PostgreSQL (`postgres/`); one contract suite runs against both.
 */
import type { Role } from '../domain/access.js';

/** A user who signs in with a password; the API never shows `passwordHash`. */
export interface UserRecord {
  /** `usr-…`: the id audit entries and sessions refer to. */
  readonly id: string;
  /** Normalised (`normalizeUsername`), unique, never changed. */
  readonly username: string;
  readonly displayName: string;
  readonly role: Role;
  /** `district:ID` / `institution:ID`, as a token's; none for a city admin or an auditor. */
  readonly scopes: readonly string[];
  /** `scrypt$N$r$p$salt$hash` (core/security.ts): the parameters travel with the hash. */
  readonly passwordHash: string;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
  readonly passwordChangedAtMs: number;
  /** From this instant on the user cannot sign in and its sessions are refused (epoch ms). */
  readonly disabledAtMs?: number;
}

/** A sign-in: the cookie carries a random secret, the store only its SHA-256. */
export interface SessionRecord {
  /** `ses-…`: a public id (audit, revocation), not the secret. */
  readonly id: string;
  readonly userId: string;
  /** SHA-256 of the cookie's secret, hex (`hashApiToken`): 256 random bits need no slow hash. */
  readonly hash: string;
  readonly createdAtMs: number;
  /** The last request seen, to within a minute: the idle expiry counts from it. */
  readonly lastSeenAtMs: number;
  /** Absolute expiry, fixed at sign-in (epoch ms). */
  readonly expiresAtMs: number;
  /** When it was revoked (sign-out, password change, user disabled or removed). */
  readonly revokedAtMs?: number;
}

/** Users and sessions. Each call is atomic on its own. */
export interface AccountStore {
  /** Stores a new user; false (nothing stored) when its username is taken. A known id is refused with an error. */
  addUser(user: UserRecord): Promise<boolean>;
  /** Replaces the user of this id (its username stays); false when there is none. */
  updateUser(user: UserRecord): Promise<boolean>;
  /** The user of this id; undefined when none. */
  user(id: string): Promise<UserRecord | undefined>;
  /** The user of this (normalised) username; undefined when none. */
  userByUsername(username: string): Promise<UserRecord | undefined>;
  /** Every user, by username (byte order). */
  users(): Promise<UserRecord[]>;
  /** How many users exist (disabled ones included). */
  countUsers(): Promise<number>;
  /** Removes a user and its sessions, together; false when there is no such user. */
  deleteUser(id: string): Promise<boolean>;

  /** Stores a new session; a known id or hash is refused with an error. */
  addSession(session: SessionRecord): Promise<void>;
  /** The session whose secret has this hash (revoked and expired ones included); undefined when none. */
  sessionByHash(hash: string): Promise<SessionRecord | undefined>;
  /** Every session of a user (revoked and expired ones included until pruned), oldest first (ties by id). */
  sessionsOf(userId: string): Promise<SessionRecord[]>;
  /** Moves a session's `lastSeenAtMs` forward to `atMs` (never back); an unknown id changes nothing. */
  touchSession(id: string, atMs: number): Promise<void>;
  /** Revokes a session at `atMs` (a second revocation keeps the first time); false when there is no such session. */
  revokeSession(id: string, atMs: number): Promise<boolean>;
  /** Revokes every session of a user not revoked yet, at `atMs`; returns how many. */
  revokeSessionsOf(userId: string, atMs: number): Promise<number>;
  /** Removes the sessions that expired or were revoked before `beforeMs`; returns how many. */
  pruneSessions(beforeMs: number): Promise<number>;
}
