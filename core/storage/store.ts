import type { AnomalyEvent, AnomalyStatus, AnomalyStep } from '../domain/anomalies.js';
import type { HourlyConsumption, RegisterReading, WindowBounds } from '../domain/consumption.js';
import type { Energy } from '../domain/energy.js';
import type { MetadataChange } from '../domain/metadata-change.js';
import type { MeterEvent } from '../domain/meter-events.js';
import type { Registry } from '../domain/registry.js';
import type { Target } from '../domain/targets.js';
import type { Interval } from '../domain/time.js';

/** A raw reading as stored: immutable, keyed by (meter, timestamp). */
export interface StoredReading {
  readonly meterId: string;
  readonly tsMs: number;
  /** The register as received, in the meter's unit. */
  readonly value: number;
  readonly gatewayId: string;
  readonly receivedAtMs: number;
}

/** An officer's correction of a raw reading: it is excluded from consumption; the raw value stays. */
export interface Correction {
  readonly meterId: string;
  readonly tsMs: number;
  readonly action: 'invalidate';
  readonly reason: string;
  readonly createdBy: string;
  readonly createdAtMs: number;
}

/** Readings of a meter around a time range, and whether they reach the ends of its history. */
export interface ReadingWindow extends WindowBounds {
  readonly readings: RegisterReading[];
}

/** A meter's readings asked for in [fromMs, toMs] (with neighbours). */
export interface WindowRequest {
  readonly meterId: string;
  readonly fromMs: number;
  readonly toMs: number;
}

/** Which anomalies to list: overlapping [fromMs, toMs), optionally of some scopes, a type, a status. */
export interface AnomalyFilter {
  readonly fromMs: number;
  readonly toMs: number;
  readonly scopes?: readonly string[];
  readonly type?: string;
  readonly status?: AnomalyStatus;
  readonly id?: string;
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

/** Which meters an aggregate covers: every given field must match. */
export interface MeterFilter {
  readonly districtId?: string;
  readonly institutionId?: string;
  readonly buildingId?: string;
  readonly meterId?: string;
  readonly energy?: Energy;
  /** Sub-item code prefix (`01A` for all lighting and sockets). */
  readonly subItemPrefix?: string;
}

/** What an aggregate row is grouped by besides the time bucket and energy. */
export type GroupBy = 'none' | 'district' | 'institution' | 'building' | 'meter';

/**
 * A sum an aggregate row carries besides `amount` (always summed): `estimated`, `readings`, and
 * `qualityHours` (suspect, estimated and good hours).
 */
export type AggregateSum = 'estimated' | 'readings' | 'qualityHours';

/** A consumption aggregate over hourly data. */
export interface AggregateQuery {
  readonly filter: MeterFilter;
  /** Inclusive start, hour-aligned. */
  readonly fromMs: number;
  /** Exclusive end, hour-aligned. */
  readonly toMs: number;
  /** Local calendar bucket, or `total` for one bucket over the whole range. */
  readonly interval: Interval | 'total';
  readonly timeZone: string;
  readonly groupBy: GroupBy;
  /**
   * The sums the caller reads besides `amount`; default all. A backend may skip the others (they are
   * then 0): InfluxDB reads each field of each series separately, so fewer fields cost less.
   */
  readonly sums?: readonly AggregateSum[];
}

/** One aggregate cell: a bucket × energy × group, in the energy's native unit. */
export interface AggregateRow {
  /** Bucket start (epoch ms); `fromMs` for `total`. */
  readonly bucketStartMs: number;
  readonly energy: Energy;
  /** Id of the group (empty for `none`). */
  readonly groupId: string;
  readonly amount: number;
  readonly estimated: number;
  /** Raw readings received in the cell, for completeness. */
  readonly readings: number;
  /** Meter-hours in the cell by quality (missing: readings but no interval yet). */
  readonly suspectHours: number;
  readonly estimatedHours: number;
  readonly goodHours: number;
}

/** A meter's hours [fromMs, toMs) whose derived consumption is replaced. */
export interface HourRange {
  readonly meterId: string;
  readonly fromMs: number;
  readonly toMs: number;
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

/** The result of storing readings that may repeat ones already stored. */
export interface InsertOutcome {
  /** Readings new to the store, now stored. */
  readonly inserted: StoredReading[];
  /** Readings identical to one already stored (a redelivery): nothing changed. */
  readonly duplicates: number;
  /** Readings whose (meter, timestamp) is stored with a different value: refused, raw data is immutable. */
  readonly conflicts: { reading: StoredReading; storedValue: number }[];
}

/** What a store is and how it is let go of, shared by both halves of the contract. */
export interface StoreLifecycle {
  /** Short name for logs and health (`embedded`, `influx`, `postgres`). */
  readonly kind: string;
  /** Where the data lives, for the start-up log (never a password). */
  readonly location: string;
  /** Waits for writes in flight, then releases connections and files; no call is valid afterwards. */
  close(): Promise<void>;
}

/**
 * Time series: raw readings and the hourly consumption derived from them, plus the aggregates over
 * them. Implemented by the embedded store (DuckDB) and the InfluxDB store.
 *
 * Two metadata writes belong here too, because series queries depend on them (issue "Production
 * parity", item 1):
 * - `saveRegistry`: the InfluxDB store tags hourly points from the registry (and re-tags them when
 *   it changes them); the DuckDB aggregates join the meters table. A series store keeps its own
 *   copy; the metadata store's registry stays the one source of truth (`loadRegistry`).
 * - `addCorrection` / `corrections`: windows and tails exclude invalidated readings, and
 *   `readings` reports them, in the series store's own queries. It keeps its own copy too.
 * A composed store (`composeStore`) writes both to the metadata store first, then to the series
 * store; `alignSeries` copies the metadata store's registry and corrections into the series store
 * at open (createStore does). The InfluxDB store does the same inside, over its `MetadataStore`.
 *
 * InfluxDB store: writes are accepted into an ordered outbox and spooled to disk while InfluxDB is
 * unavailable. Raw readings waiting there are merged into `readings`, `readingWindows`,
 * `readingTails` and the duplicate check of `insertReadings` (a reader of this process sees them at
 * once; other processes only once they drain, see `ReadingKeyLock`); hourly
 * rows waiting there are not in `aggregate` until they drain.
 */
export interface SeriesStore extends StoreLifecycle {
  /**
   * The series side's copy of the registry (tags, joins), replaced whole and atomically. The
   * InfluxDB store queues a re-tag of the hourly points of meters whose tags changed.
   */
  saveRegistry(registry: Registry): Promise<void>;
  /**
   * Invalidates one raw reading for the series' queries (the raw value stays). Adding the same
   * (meter, timestamp) again changes nothing in what the series queries return.
   */
  addCorrection(correction: Correction): Promise<void>;
  /** Every correction the series side applies, by meter and time. */
  corrections(): Promise<Correction[]>;

  /**
   * Stores readings that may already be stored, atomically (all inserted ones or none): a
   * redelivery (same meter, time and value) is counted as a duplicate, a different value for a
   * stored (meter, time) is refused as a conflict, also between two readings of one call.
   */
  insertReadings(readings: readonly StoredReading[]): Promise<InsertOutcome>;
  /**
   * Raw readings of a meter with fromMs ≤ ts < toMs, by time, each with its correction if any;
   * `[]` for an unknown meter or an empty range.
   */
  readings(meterId: string, fromMs: number, toMs: number): Promise<(StoredReading & { correction?: Correction })[]>;
  /**
   * For each request, the valid (not invalidated) readings of its meter with fromMs ≤ ts ≤ toMs,
   * plus `margin` readings before and after, by time; one query for many meters. A meter without
   * readings has an entry with no readings.
   */
  readingWindows(requests: readonly WindowRequest[], margin: number): Promise<Map<string, ReadingWindow>>;
  /**
   * Per meter, its newest valid readings: those from the `margin`-th reading before the hour of its
   * third-newest reading, i.e. what deriving the next readings' hours needs. Meters without
   * readings are absent.
   */
  readingTails(margin: number): Promise<Map<string, ReadingWindow>>;

  /**
   * Replaces meters' hourly rows in their [fromMs, toMs) by `rows`, and appends `appendReadings`
   * (known to be newer than anything stored for their meters: no duplicate check) in the same
   * transaction, so readings and what is derived from them land together (the InfluxDB store: in
   * one outbox entry, drained in order).
   */
  replaceHourly(
    ranges: readonly HourRange[],
    rows: readonly HourlyConsumption[],
    appendReadings?: readonly StoredReading[],
  ): Promise<void>;
  /**
   * Sums hourly consumption by calendar bucket, energy and group, ordered by bucket, energy and
   * group id; only cells with hourly rows appear (no zero-filled buckets).
   */
  aggregate(query: AggregateQuery): Promise<AggregateRow[]>;
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
 * targets, anomalies, API tokens and the audit log (later also users, jobs and the archive index).
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

  /** Upserts targets by (scope, energy, period), all or none. */
  saveTargets(targets: readonly Target[]): Promise<void>;
  /** Every target, by scope, energy and period. */
  targets(): Promise<Target[]>;
  /**
   * Inserts new anomaly events or updates known ones (same id: end, severity, evidence, waste)
   * keeping their status, all or none; returns the ids that were new, in input order.
   */
  upsertAnomalies(events: readonly AnomalyEvent[]): Promise<string[]>;
  /** Anomalies overlapping [fromMs, toMs) that match the filter, newest start first (ties by id), at most 10,000. */
  anomalies(filter: AnomalyFilter): Promise<AnomalyEvent[]>;
  /** Moves an anomaly to `acknowledged` or `resolved` with who, why and when; an unknown id changes nothing. */
  setAnomalyStatus(id: string, status: 'acknowledged' | 'resolved', step: AnomalyStep): Promise<void>;

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

export type { MetadataChange } from '../domain/metadata-change.js';

/**
 * The persistence contract of Jieneng: series and metadata, as every consumer sees it. The embedded
 * store implements both halves in one DuckDB file; the InfluxDB store implements the series and
 * delegates the metadata to a `MetadataStore`; `composeStore` joins any two. One contract suite per
 * half runs against every implementation.
 */
export interface Store extends SeriesStore, MetadataStore {}
