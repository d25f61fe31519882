import type { AnomalyEvent, AnomalyStatus, AnomalyStep } from '../domain/anomalies.js';
import type { HourlyConsumption, RegisterReading, WindowBounds } from '../domain/consumption.js';
import type { Energy } from '../domain/energy.js';
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

/** The result of storing readings that may repeat ones already stored. */
export interface InsertOutcome {
  /** Readings new to the store, now stored. */
  readonly inserted: StoredReading[];
  /** Readings identical to one already stored (a redelivery): nothing changed. */
  readonly duplicates: number;
  /** Readings whose (meter, timestamp) is stored with a different value: refused, raw data is immutable. */
  readonly conflicts: { reading: StoredReading; storedValue: number }[];
}

/**
 * The persistence contract of Jieneng, implemented by the embedded store (DuckDB) and later by
 * InfluxDB. One contract test suite runs against every implementation.
 */
export interface Store {
  /** Short name for logs and health (`embedded`). */
  readonly kind: string;
  /** Where the data lives, for the start-up log. */
  readonly location: string;
  close(): Promise<void>;

  loadRegistry(): Promise<Registry>;
  /** Replaces the stored registry with this one, atomically. */
  saveRegistry(registry: Registry): Promise<void>;

  /** Stores readings that may already be stored; duplicates are ignored, conflicts refused. */
  insertReadings(readings: readonly StoredReading[]): Promise<InsertOutcome>;
  /** Raw readings of a meter with fromMs ≤ ts < toMs, by time, with their corrections. */
  readings(meterId: string, fromMs: number, toMs: number): Promise<(StoredReading & { correction?: Correction })[]>;
  /**
   * For each request, the valid (not invalidated) readings of its meter with fromMs ≤ ts ≤ toMs,
   * plus `margin` readings before and after, by time; one query for many meters.
   */
  readingWindows(requests: readonly WindowRequest[], margin: number): Promise<Map<string, ReadingWindow>>;
  /**
   * Per meter, its newest valid readings: those from the `margin`-th reading before the hour of its
   * third-newest reading, i.e. what deriving the next readings' hours needs.
   */
  readingTails(margin: number): Promise<Map<string, ReadingWindow>>;

  /**
   * Replaces meters' hourly rows in their [fromMs, toMs) by `rows`, and appends `appendReadings`
   * (known to be newer than anything stored for their meters: no duplicate check) in the same
   * transaction, so readings and what is derived from them
   * land together.
   */
  replaceHourly(
    ranges: readonly HourRange[],
    rows: readonly HourlyConsumption[],
    appendReadings?: readonly StoredReading[],
  ): Promise<void>;
  /** Sums hourly consumption by calendar bucket, energy and group. */
  aggregate(query: AggregateQuery): Promise<AggregateRow[]>;

  /** Stores dead letters, giving each one without an `id` a new one (and a `code` from its reason). */
  addDeadLetters(letters: readonly DeadLetter[]): Promise<void>;
  /** Dead letters received in [fromMs, toMs), oldest first, up to `limit`. */
  deadLetters(fromMs: number, toMs: number, limit: number): Promise<DeadLetter[]>;
  /** Dead letters as `query` selects them, newest first (filtered in the store, not after loading). */
  findDeadLetters(query: DeadLetterQuery): Promise<DeadLetter[]>;
  deadLetter(id: string): Promise<DeadLetter | undefined>;
  /** Marks a dead letter retried at `atMs`; false when there is no such letter or it was retried already. */
  markDeadLetterRetried(id: string, atMs: number): Promise<boolean>;

  addMeterEvent(event: MeterEvent): Promise<void>;
  /** Every lifecycle event, by meter and time. */
  meterEvents(): Promise<MeterEvent[]>;
  addCorrection(correction: Correction): Promise<void>;
  /** Every correction, by meter and time. */
  corrections(): Promise<Correction[]>;

  /** Upserts targets by (scope, energy, period). */
  saveTargets(targets: readonly Target[]): Promise<void>;
  targets(): Promise<Target[]>;
  /** Inserts new anomaly events or updates known ones (same id) keeping their status; returns the new ids. */
  upsertAnomalies(events: readonly AnomalyEvent[]): Promise<string[]>;
  anomalies(filter: AnomalyFilter): Promise<AnomalyEvent[]>;
  setAnomalyStatus(id: string, status: 'acknowledged' | 'resolved', step: AnomalyStep): Promise<void>;

  saveToken(token: TokenRecord): Promise<void>;
  findTokenByHash(hash: string): Promise<TokenRecord | undefined>;
  countTokens(): Promise<number>;
  /** Every token record (hashes included), oldest first. */
  listTokens(): Promise<TokenRecord[]>;
  /** Marks a token revoked at `atMs`; false when there is no such token. */
  revokeToken(id: string, atMs: number): Promise<boolean>;

  addAudit(entry: AuditEntry): Promise<void>;
  /** Audit entries with fromMs ≤ at < toMs, oldest first. */
  audit(fromMs: number, toMs: number): Promise<AuditEntry[]>;
}
