import type { HourlyConsumption, RegisterReading, WindowBounds } from '../domain/consumption.js';
import type { Energy } from '../domain/energy.js';
import type { Registry } from '../domain/registry.js';
import type { Interval } from '../domain/time.js';
import type { MetadataStore } from './metadata-store.js';
import type { MeterHours, MeterHoursQuery } from './meter-hours.js';

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

/** Which meters an aggregate covers: every given field must match. */
export interface MeterFilter {
  readonly districtId?: string;
  readonly institutionId?: string;
  readonly buildingId?: string;
  readonly meterId?: string;
  readonly energy?: Energy;
  /**
   * Sub-item code prefix (`01A` for all lighting and sockets), or `unmetered` (UNMETERED): see
   * `AggregateQuery` for how a meter tree's sub-meters and remainders count.
   */
  readonly subItemPrefix?: string;
}

/**
 * What an aggregate row is grouped by besides the time bucket and energy. `parent`: the sub-meters
 * of each parent meter, summed under the parent's id (meters without a parent are left out).
 */
export type GroupBy = 'none' | 'district' | 'institution' | 'building' | 'meter' | 'parent';

/**
 * A sum an aggregate row carries besides `amount` (always summed): `estimated`, `readings`, and
 * `qualityHours` (suspect, estimated and good hours).
 */
export type AggregateSum = 'estimated' | 'readings' | 'qualityHours';

/**
 * A consumption aggregate over hourly data. How a meter tree counts (issue "The meter model"): a
 * sub-meter's consumption is inside its parent's, so
 * - a total (any grouping but `meter` and `parent`, no `meterId`, no sub-item) sums the `amount`
 *   and `estimated` of meters without a parent only; `readings` and the quality hours count every
 *   meter (they measure the data received, not consumption);
 * - a sub-item (`subItemPrefix`) sums each meter's remainder (its own amount minus its sub-meters')
 *   under the meter's code, and `unmetered` the remainders of meters without a code, so the
 *   sub-items of a scope add up to its total exactly; `readings` and hours count the meters of the
 *   code;
 * - grouped by `meter` or `parent`, or for one `meterId`, each meter counts its own amount (with a
 *   sub-item, the meters of that code).
 */
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

/**
 * Consumption by meter, segment and local hour of day (`SeriesStore.hourOfDayAmounts`): what a
 * time-of-use tariff prices, without reading every hour. Segment i is
 * [boundariesMs[i], boundariesMs[i + 1]).
 */
export interface HourOfDayQuery {
  /** Which meters, as `AggregateQuery.filter` (sub-items excluded): each meter counts its own amount. */
  readonly filter: Omit<MeterFilter, 'subItemPrefix'>;
  /** Ascending, hour-aligned, at least two. */
  readonly boundariesMs: readonly number[];
  readonly timeZone: string;
  /** Also count each cell's hours with a non-zero amount (`HourOfDayRow.hours`); costs more. */
  readonly counts?: boolean;
}

/** One meter's consumption in one segment by local clock hour (0–23), in its native unit. */
export interface HourOfDayRow {
  readonly meterId: string;
  readonly segment: number;
  /** 24 amounts, index = local clock hour. */
  readonly amounts: readonly number[];
  /** 24 counts of hours with a non-zero amount, when the query asked for `counts`. */
  readonly hours?: readonly number[];
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
  /**
   * Each meter's own hourly consumption summed by segment and local hour of day, where the meter
   * was in the filter's scope at that hour (as `aggregate` grouped by meter): one row per meter and
   * segment with hourly rows, in no particular order.
   */
  hourOfDayAmounts(query: HourOfDayQuery): Promise<HourOfDayRow[]>;
  /**
   * Each meter's own hourly rows of `[fromMs, toMs)`, where the meter was in the filter's scope at
   * that hour (as `aggregate` grouped by meter by hour), in columns: what the series detectors read
   * a district at a time without an object per hour (issue 19).
   */
  meterHours(query: MeterHoursQuery): Promise<MeterHours>;
}

export type { AccountStore, SessionRecord, UserRecord } from './account-store.js';
export type { AnomalyCaseStore } from './anomaly-case-store.js';
export type {
  AnomalyFilter,
  AuditEntry,
  DeadLetter,
  DeadLetterQuery,
  JobRunRecord,
  MetadataChange,
  MetadataStore,
  ReadingKeyLock,
  TokenRecord,
} from './metadata-store.js';
export type { MeterHourColumns, MeterHours, MeterHoursQuery } from './meter-hours.js';
export type { DeliveryQuery, NotificationStore } from './notification-store.js';
export type { WeatherStore } from './weather-store.js';

/**
 * The persistence contract of Jieneng: series and metadata, as every consumer sees it. The embedded
 * store implements both halves in one DuckDB file; the InfluxDB store implements the series and
 * delegates the metadata to a `MetadataStore`; `composeStore` joins any two. One contract suite per
 * half runs against every implementation.
 */
export interface Store extends SeriesStore, MetadataStore {}
