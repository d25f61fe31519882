/**
 * The metadata half of the store contract (issue "Production parity", item 1): what is not a time
 * series, and the records it keeps. Implemented by DuckDB (`duckdb/`) and PostgreSQL (`postgres/`).
 */
import type { AnomalyEvent, AnomalyStatus, AnomalyStep } from '../domain/anomalies.js';
import type { AuditFinding, AuditFlag, AuditFlagFilter, AuditResolution, AuditSignoff } from '../domain/audit-flags.js';
import type { Bill } from '../domain/bills.js';
import type { Fact } from '../domain/facts.js';
import type { MetadataChange } from '../domain/metadata-change.js';
import type { MeterEvent } from '../domain/meter-events.js';
import type { Registry } from '../domain/registry.js';
import type { Target } from '../domain/targets.js';
import type { Tariff } from '../domain/tariffs.js';
import type { AccountStore } from './account-store.js';
import type { AnomalyCaseStore } from './anomaly-case-store.js';
import type { BaselineStore } from './baseline-store.js';
import type { NotificationStore } from './notification-store.js';
import type { SavingsProjectStore } from './savings-project-store.js';
import type { Correction, StoreLifecycle } from './store.js';
import type { WeatherStore } from './weather-store.js';

export type { MetadataChange };

/** Which anomalies to list: overlapping [fromMs, toMs), optionally of some scopes, a type, a status. */
export interface AnomalyFilter {
  readonly fromMs: number;
  readonly toMs: number;
  readonly scopes?: readonly string[];
  readonly type?: string;
  readonly status?: AnomalyStatus;
  readonly id?: string;
  /** Assigned to exactly this assignee (issue 17, item 3). */
  readonly assignee?: string;
  /** Overdue on this local day `YYYY-MM-DD`: due before it and not resolved (`isOverdue`). */
  readonly overdueOn?: string;
}

/** A rejected message or reading, with the reason. */
export interface DeadLetter {
  /** Unique id (assigned by the store when absent), for `POST /api/v1/dead-letters/{id}/retry`. */
  readonly id?: string;
  /** The reason's stable code: a `RejectReason` label (`store_failed` for a quarantined reading). */
  readonly code?: string;
  readonly receivedAtMs: number;
  readonly reason: string;
  /** The offending payload or item as received. */
  readonly raw: string;
  readonly gatewayId?: string;
  readonly topic?: string;
  readonly meterId?: string;
  readonly tsMs?: number;
  /** When an admin re-submitted `raw` (epoch ms); a letter is retried at most once. */
  readonly retriedAtMs?: number;
}

/** Which dead letters to list: received in [fromMs, toMs), newest first; every given field must match. */
export interface DeadLetterQuery {
  readonly fromMs: number;
  readonly toMs: number;
  readonly limit: number;
  /** Start after this letter (the last of the previous page). */
  readonly after?: { readonly receivedAtMs: number; readonly id: string };
  readonly code?: string;
  readonly meterId?: string;
  readonly gatewayId?: string;
  /** A scoped reader's letters: those of these meters, or published by these gateways. */
  readonly within?: { readonly meterIds: readonly string[]; readonly gatewayIds: readonly string[] };
}

/** A hashed API token and what it may do. */
export interface TokenRecord {
  readonly id: string;
  readonly name: string;
  readonly role: 'admin' | 'officer' | 'auditor' | 'viewer';
  readonly hash: string;
  readonly createdAtMs: number;
  /** `district:ID` / `institution:ID` an officer or viewer is limited to (none: admin, auditor). */
  readonly scopes?: readonly string[];
  /** From this instant on the token is refused (epoch ms). */
  readonly expiresAtMs?: number;
  /** When it was revoked (epoch ms); a revoked token is refused. */
  readonly revokedAtMs?: number;
}

/** One change recorded in the audit log: who, when, what, before and after. */
export interface AuditEntry {
  readonly atMs: number;
  readonly tokenId: string;
  readonly tokenName: string;
  /** `METHOD /route/pattern`. */
  readonly route: string;
  /** The changed entity (`meter:m-001`, `anomaly:…`, `token:…`, `registry`). */
  readonly entity: string;
  /** JSON of the entity before the change (null: it did not exist). */
  readonly before: unknown;
  /** JSON of the entity after the change (null: removed). */
  readonly after: unknown;
}

/**
 * One finished run of a job, as the cluster's shared history keeps it (issue "Production parity",
 * item 2): which process ran it, why, when, and how it ended.
 */
export interface JobRunRecord {
  readonly job: string;
  /** The process that ran it (`INGEST_WORKER_ID@host:pid`). */
  readonly processId: string;
  readonly trigger: 'scheduled' | 'on_demand';
  readonly startedAtMs: number;
  readonly finishedAtMs: number;
  /** `skipped`: a scheduled run found the job running on another process. */
  readonly outcome: 'ok' | 'failed' | 'skipped';
  /** What the job returned (ok), as JSON; absent when it returned nothing. */
  readonly result?: unknown;
  /** Why it failed. */
  readonly error?: string;
}

/**
 * Serialises the check-and-write of raw readings of the same meters across processes (issue
 * "Production parity", item 2): several ingest workers writing one InfluxDB each check a
 * (meter, timestamp) before writing it; without a lock two of them can both find nothing and both
 * write, and InfluxDB keeps the last value, so a conflict replaces the first value silently.
 *
 * The InfluxDB store holds it around the duplicate check and the write of `insertReadings`.
 * `replaceHourly`'s `appendReadings` are not checked (the sole writer's fast path), so they do not
 * take it. Limit: readings this process spooled while InfluxDB is down are not visible to another
 * process's check until they drain, so a conflict between them is not seen then.
 */
export interface ReadingKeyLock {
  /**
   * Waits until no other holder has any of these meters, then holds them all, and resolves with the
   * release (which never rejects; a second call does nothing). Meters are locked in one stable
   * order, so two callers with overlapping sets never deadlock. Rejects when the lock cannot be had
   * (PostgreSQL unreachable, or a wait beyond its timeout).
   */
  lockMeters(meterIds: readonly string[]): Promise<() => Promise<void>>;
}

/**
 * Everything that is not a time series: registry, lifecycle events, corrections, dead letters,
 * effective-dated facts, targets, anomalies, API tokens, users and sessions (`accounts`) and the
 * audit log (later also jobs and the archive index).
 * Implemented by DuckDB (in DATA_DIR: one process) and PostgreSQL (`METADATA_URL`: shared by every
 * process of a cluster). Each call is atomic on its own; nothing spans two calls.
 */
export interface MetadataStore extends StoreLifecycle {
  /**
   * Cross-process change notification (PostgreSQL LISTEN/NOTIFY, issue "Production parity", item
   * 2): `listener` is called after another process committed a change (never for this store's
   * own writes, which their caller applies at once); `{ what: 'all' }` after the notification
   * channel was lost and regained. Returns the unsubscribe function. Absent (DuckDB: one process):
   * changes are seen on the next read only.
   */
  onChange?(listener: (change: MetadataChange) => void): () => void;
  /**
   * The lock that makes the duplicate check of raw readings hold across the processes sharing this
   * store (PostgreSQL advisory locks). Absent (DuckDB: one process): a series store needs none.
   */
  readonly readingKeyLock?: ReadingKeyLock;
  /**
   * Serialises registry changes across the processes sharing this store (PostgreSQL advisory
   * lock): a change loads the stored registry, merges and saves while holding it, so two processes
   * changing the registry at once cannot drop each other's rows. Resolves with the release (which
   * never rejects). Absent (DuckDB: one process): the caller's own serialisation suffices.
   */
  lockRegistry?(): Promise<() => Promise<void>>;
  /**
   * Appends a finished job run to the history every process of the cluster shares. Absent (DuckDB:
   * one process): each runner keeps only its own last runs, in memory.
   */
  recordJobRun?(run: JobRunRecord): Promise<void>;
  /**
   * Each job's newest run (by start, `skipped` ones left out) made by any process: one per job
   * that ran, by job name. Present when `recordJobRun` is.
   */
  lastJobRuns?(): Promise<JobRunRecord[]>;
  /**
   * Users and their sign-in sessions (issue 17, item 1), in the same database: an interface of
   * its own (account-store.ts), so a store wrapping this one passes it on as one member.
   */
  readonly accounts: AccountStore;
  /**
   * Notification channels, routes and the delivery log (issue 17, item 4), in the same database:
   * an interface of its own (notification-store.ts), passed on as one member like `accounts`.
   */
  readonly notifications: NotificationStore;
  /** Anomaly assignments and comments (issue 17, item 3), an interface of its own (anomaly-case-store.ts). */
  readonly anomalyCases: AnomalyCaseStore;
  /** Savings projects and their adjustments (issue 18, item 3), an interface of its own (savings-project-store.ts). */
  readonly savingsProjects: SavingsProjectStore;
  /** Each meter's stored baseline model and fit (issue 18, the fit-baselines job), an interface of its own (baseline-store.ts). */
  readonly baselines: BaselineStore;
  /** Weather stations' hourly observations (issue 18, item 1), an interface of its own (weather-store.ts). */
  readonly weather: WeatherStore;

  /** The stored registry; an empty registry (every list empty) before the first save. */
  loadRegistry(): Promise<Registry>;
  /** Replaces the stored registry with this one, atomically: a reader sees the old or the new one whole. */
  saveRegistry(registry: Registry): Promise<void>;

  /** Stores dead letters atomically, giving each one without an `id` a new one (and a `code` from its reason). */
  addDeadLetters(letters: readonly DeadLetter[]): Promise<void>;
  /** Dead letters received in [fromMs, toMs), oldest first (ties by id), up to `limit`. */
  deadLetters(fromMs: number, toMs: number, limit: number): Promise<DeadLetter[]>;
  /**
   * Dead letters as `query` selects them, newest first (ties by id, descending), filtered in the
   * store, not after loading; `after` pages on from the last letter of the previous page.
   */
  findDeadLetters(query: DeadLetterQuery): Promise<DeadLetter[]>;
  /** One dead letter; undefined when there is no such id. */
  deadLetter(id: string): Promise<DeadLetter | undefined>;
  /**
   * Marks a dead letter retried at `atMs`, atomically (of two concurrent calls one wins); false
   * when there is no such letter or it was retried already.
   */
  markDeadLetterRetried(id: string, atMs: number): Promise<boolean>;

  /** Appends a lifecycle event (a duplicate id is refused with an error). */
  addMeterEvent(event: MeterEvent): Promise<void>;
  /** Every lifecycle event, by meter, time and creation time. */
  meterEvents(): Promise<MeterEvent[]>;
  /** Appends an officer's correction of a raw reading. */
  addCorrection(correction: Correction): Promise<void>;
  /** Every correction, by meter and time. */
  corrections(): Promise<Correction[]>;

  /**
   * Appends effective-dated facts (floor area, occupants; core/domain/facts.ts), all or none: a
   * known id is refused with an error and nothing is stored. Facts are never changed or removed: a
   * later fact of the same scope and day wins.
   */
  addFacts(facts: readonly Fact[]): Promise<void>;
  /**
   * Every fact, or those of one scope (`institution:ID`, `building:ID`; none for a scope without
   * facts), by scope, day, recording time and id (byte order).
   */
  facts(scope?: string): Promise<Fact[]>;

  /** Replaces every tariff with these, atomically (issue "The statutory year", item 1: cost). */
  replaceTariffs(tariffs: readonly Tariff[]): Promise<void>;
  /** Every tariff, by energy, institution (general ones first), first day and id (byte order). */
  tariffs(): Promise<Tariff[]>;
  /**
   * Appends utility bills, all or none: a known id is refused with an error and nothing is stored.
   * Bills are never changed or removed (overlaps are refused by the caller, core/domain/bills.ts).
   */
  addBills(bills: readonly Bill[]): Promise<void>;
  /** Every bill, or those of one account number, by account, energy, first day and id (byte order). */
  bills(accountNo?: string): Promise<Bill[]>;

  /** Upserts targets by (scope, energy, period), all or none. */
  saveTargets(targets: readonly Target[]): Promise<void>;
  /** Every target, by scope, energy and period. */
  targets(): Promise<Target[]>;
  /**
   * Inserts new anomaly events or updates known ones (same id: end, severity, evidence, waste)
   * keeping their status, all or none; returns the ids that were new, in input order.
   */
  upsertAnomalies(events: readonly AnomalyEvent[]): Promise<string[]>;
  /**
   * Anomalies overlapping [fromMs, toMs) that match the filter, newest start first (ties by id), at
   * most 10,000, each with its case (assignment and comments, `anomalyCases`).
   */
  anomalies(filter: AnomalyFilter): Promise<AnomalyEvent[]>;
  /** Moves an anomaly to `acknowledged` or `resolved` with who, why and when; an unknown id changes nothing. */
  setAnomalyStatus(id: string, status: 'acknowledged' | 'resolved', step: AnomalyStep): Promise<void>;

  /**
   * Inserts new audit flags `open` or updates known ones (same id: severity, evidence, message,
   * `seenAtMs` = `atMs`) keeping their status and resolution, all or none; returns the ids that
   * were new, in input order (issue 16 item 4, the data audit).
   */
  upsertAuditFlags(flags: readonly AuditFinding[], atMs: number): Promise<string[]>;
  /** Audit flags matching the filter, by year, scope, rule and id (byte order). */
  auditFlags(filter: AuditFlagFilter): Promise<AuditFlag[]>;
  /** Moves an open flag to its resolution; false (nothing changed) when there is no open flag of this id. */
  resolveAuditFlag(id: string, resolution: AuditResolution): Promise<boolean>;
  /** Records an institution's year as signed off, replacing an earlier sign-off of the same year and scope. */
  saveAuditSignoff(signoff: AuditSignoff): Promise<void>;
  /** The sign-offs of a year, by scope. */
  auditSignoffs(year: number): Promise<AuditSignoff[]>;

  /** Stores a new token record; a duplicate id or hash is refused with an error. */
  saveToken(token: TokenRecord): Promise<void>;
  /** The token with this hash (revoked and expired ones included); undefined when none. */
  findTokenByHash(hash: string): Promise<TokenRecord | undefined>;
  /** How many token records exist (revoked ones included). */
  countTokens(): Promise<number>;
  /** Every token record (hashes included), oldest first (ties by id). */
  listTokens(): Promise<TokenRecord[]>;
  /** Marks a token revoked at `atMs` (a second revocation keeps the first time); false when there is no such token. */
  revokeToken(id: string, atMs: number): Promise<boolean>;

  /** Appends one audit entry. */
  addAudit(entry: AuditEntry): Promise<void>;
  /** Audit entries with fromMs ≤ at < toMs, oldest first. */
  audit(fromMs: number, toMs: number): Promise<AuditEntry[]>;
}

/** The optional members of a `MetadataStore` that a store wrapping it passes on as they are. */
export type ClusterMetadataMembers = Pick<MetadataStore, 'lockRegistry' | 'recordJobRun' | 'lastJobRuns'>;

/**
 * The cluster members (`lockRegistry`, the job history) of `meta`, bound to it, and only those it
 * has: a wrapping store that lacks them tells its callers "one process" the same way `meta` does
 * (no registry reload before each change, no shared job history).
 */
export function clusterMetadataMembers(meta: MetadataStore): ClusterMetadataMembers {
  return {
    ...(meta.lockRegistry === undefined ? {} : { lockRegistry: meta.lockRegistry.bind(meta) }),
    ...(meta.recordJobRun === undefined || meta.lastJobRuns === undefined
      ? {}
      : { recordJobRun: meta.recordJobRun.bind(meta), lastJobRuns: meta.lastJobRuns.bind(meta) }),
  };
}
