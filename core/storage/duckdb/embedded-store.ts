import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { AnomalyEvent, AnomalyStep } from '../../domain/anomalies.js';
import type {
  AuditFinding,
  AuditFlag,
  AuditFlagFilter,
  AuditResolution,
  AuditSignoff,
} from '../../domain/audit-flags.js';
import type { Bill } from '../../domain/bills.js';
import type { HourlyConsumption } from '../../domain/consumption.js';
import type { Fact } from '../../domain/facts.js';
import type { MeterEvent } from '../../domain/meter-events.js';
import { type RollupAlignment, rollupAlignment } from '../../domain/meter-spans.js';
import type { Registry } from '../../domain/registry.js';
import type { Target } from '../../domain/targets.js';
import type { Tariff } from '../../domain/tariffs.js';
import { Mutex } from '../../mutex.js';
import type {
  AggregateQuery,
  AggregateRow,
  AnomalyFilter,
  AuditEntry,
  Correction,
  DeadLetter,
  DeadLetterQuery,
  HourOfDayQuery,
  HourOfDayRow,
  HourRange,
  InsertOutcome,
  MeterHours,
  MeterHoursQuery,
  ReadingWindow,
  Store,
  StoredReading,
  TokenRecord,
  WindowRequest,
} from '../store.js';
import {
  insertAudit,
  insertToken,
  selectAudit,
  selectTokenByHash,
  selectTokens,
  updateTokenRevoked,
} from './access-tables.js';
import { DuckDbAccountStore } from './account-tables.js';
import { aggregateSql } from './aggregate-sql.js';
import { DuckDbAnomalyCases } from './anomaly-case-tables.js';
import {
  selectAuditFlags,
  selectAuditSignoffs,
  updateAuditFlagResolved,
  upsertAuditFlags,
  upsertAuditSignoff,
} from './audit-tables.js';
import { DuckDbBaselineStore } from './baseline-tables.js';
import { insertBills, replaceTariffs, selectBills, selectTariffs } from './cost-tables.js';
import { insertFacts, selectFacts } from './fact-tables.js';
import { hourOfDaySql } from './hour-of-day-sql.js';
import { replaceHourlyRows } from './hourly-tables.js';
import {
  findDeadLetters,
  insertCorrection,
  insertDeadLetters,
  insertMeterEvent,
  selectCorrections,
  selectDeadLetter,
  selectDeadLetters,
  selectMeterEvents,
  updateDeadLetterRetried,
} from './meta-tables.js';
import { readMeterHours } from './meter-hours-sql.js';
import { loadMeterKeys } from './meter-keys.js';
import { DuckDbNotificationStore } from './notification-tables.js';
import { type EmbeddedStoreOptions, openDuckDb } from './open.js';
import {
  selectAnomalies,
  selectTargets,
  updateAnomalyStatus,
  upsertAnomalies,
  upsertTargets,
} from './planning-tables.js';
import {
  appendReadingRows,
  insertReadingsChecked,
  readingTailsSql,
  readingWindowsSql,
  selectReadings,
  withCorrections,
} from './readings-sql.js';
import { readRegistry, writeRegistry } from './registry-tables.js';
import { type ClusterOutcome, clusterRollups } from './rollup-cluster.js';
import { DuckDbSavingsProjectStore } from './savings-project-tables.js';
import { beginDuckDbSnapshot, type DuckDbSnapshot } from './snapshot.js';
import { type Columns, forgetStatements, query, queryColumns } from './sql-util.js';
import { DuckDbWeatherStore } from './weather-tables.js';

/**
 * The default store: DuckDB in `DATA_DIR/jieneng.duckdb`, zero set-up. One connection writes
 * (serialised), another reads, so API queries never wait behind ingest.
 */
export class EmbeddedStore implements Store {
  readonly kind = 'embedded';
  /** DuckDB runs one statement per connection at a time: one lock per connection. */
  private readonly writeLock = new Mutex();
  private readonly readLock = new Mutex();
  /** Same connections: accounts, anomaly cases, notifications (issue 17); savings projects, weather (issue 18). */
  readonly accounts = new DuckDbAccountStore(this.write.bind(this), this.read.bind(this));
  readonly anomalyCases = new DuckDbAnomalyCases(this.write.bind(this));
  readonly notifications = new DuckDbNotificationStore(this.write.bind(this), this.read.bind(this));
  readonly savingsProjects = new DuckDbSavingsProjectStore(this.write.bind(this), this.read.bind(this));
  readonly baselines = new DuckDbBaselineStore(this.write.bind(this), this.read.bind(this));
  readonly weather = new DuckDbWeatherStore(this.write.bind(this), this.read.bind(this));

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly reader: DuckDBConnection,
    readonly location: string,
    private readerTimeZone: string,
    private readonly rollupZone: string,
  ) {}

  /** Whether every dated move or parent change starts a local day (month): then a rollup row has one attribution. */
  private aligned: RollupAlignment = { day: true, month: true };
  /** Every meter id's key, as committed (`meter-keys.ts`): the rollups' rows carry it. */
  private meterKeys: ReadonlyMap<string, number> = new Map();

  /** Opens (creating or migrating when needed) the store; refuses a file of a newer schema version (`JN_STORE_SCHEMA_NEWER`). */
  static async open(options: EmbeddedStoreOptions): Promise<EmbeddedStore> {
    const db = await openDuckDb(options);
    const store = new EmbeddedStore(db.instance, db.writer, db.reader, db.path, options.timeZone, options.timeZone);
    store.aligned = db.aligned;
    store.meterKeys = db.meterKeys;
    return store;
  }

  /**
   * Begins a consistent copy of the database into the new file `targetFile` (a backup): resolves
   * once its point in time is fixed; `finish()` then writes it while the store goes on.
   */
  beginSnapshot(targetFile: string): Promise<DuckDbSnapshot> {
    if (this.location === ':memory:') return Promise.reject(new Error('an in-memory store has no file to back up'));
    return beginDuckDbSnapshot(this.instance, targetFile);
  }

  async close(): Promise<void> {
    await this.writeLock.run(() =>
      this.readLock.run(async () => {
        forgetStatements(this.reader);
        this.reader.closeSync();
        this.writer.closeSync();
        this.instance.closeSync();
      }),
    );
  }

  private write<T>(fn: (conn: DuckDBConnection) => Promise<T>, transaction = false): Promise<T> {
    return this.writeLock.run(async () => {
      if (!transaction) return fn(this.writer);
      await this.writer.run('BEGIN TRANSACTION');
      try {
        const out = await fn(this.writer);
        await this.writer.run('COMMIT');
        return out;
      } catch (error) {
        await this.writer.run('ROLLBACK');
        throw error;
      }
    });
  }

  private read<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.readLock.run(() => fn(this.reader));
  }

  loadRegistry(): Promise<Registry> {
    return this.read(readRegistry);
  }

  async saveRegistry(registry: Registry): Promise<void> {
    // Taken inside the write, so the next write (queued behind it) sees the new keys; a transaction
    // that fails after that must not leave keys the table lacks: reread them.
    await this.write(async (conn) => {
      this.meterKeys = await writeRegistry(conn, registry, this.meterKeys);
    }, true).catch(async (error: unknown) => {
      this.meterKeys = await this.read(loadMeterKeys);
      throw error;
    });
    this.aligned = rollupAlignment(registry.meters, this.rollupZone);
  }

  insertReadings(readings: readonly StoredReading[]): Promise<InsertOutcome> {
    if (readings.length === 0) return Promise.resolve({ inserted: [], duplicates: 0, conflicts: [] });
    return this.write((conn) => insertReadingsChecked(conn, readings), true);
  }

  async readings(
    meterId: string,
    fromMs: number,
    toMs: number,
  ): Promise<(StoredReading & { correction?: Correction })[]> {
    const [rows, corrections] = await Promise.all([
      this.read((conn) => selectReadings(conn, meterId, fromMs, toMs)),
      this.corrections(),
    ]);
    return withCorrections(rows, corrections);
  }

  readingWindows(requests: readonly WindowRequest[], margin: number): Promise<Map<string, ReadingWindow>> {
    // A temp table is written: on the writer's connection, which owns temp tables of its session.
    return this.write((conn) => readingWindowsSql(conn, requests, margin));
  }

  readingTails(margin: number): Promise<Map<string, ReadingWindow>> {
    return this.read((conn) => readingTailsSql(conn, margin));
  }

  replaceHourly(
    ranges: readonly HourRange[],
    rows: readonly HourlyConsumption[],
    appendReadings: readonly StoredReading[] = [],
  ): Promise<void> {
    if (ranges.length === 0 && rows.length === 0 && appendReadings.length === 0) return Promise.resolve();
    return this.write(async (conn) => {
      await appendReadingRows(conn, 'readings', appendReadings);
      await replaceHourlyRows(conn, ranges, rows, this.meterKeys);
    }, true);
  }

  /** Clusters the closed months' rollups by meter (`clusterRollups`): the nightly `cluster-rollups` job (issue 19). */
  clusterRollups(): Promise<ClusterOutcome> {
    return clusterRollups((fn) => this.write(fn, true));
  }

  /** Runs a read query with the reader's `TimeZone` set to `timeZone` (local buckets and hours); its columns. */
  private readIn(timeZone: string, q: { sql: string; params: unknown[] }): Promise<Columns> {
    return this.read(async (conn) => {
      if (timeZone !== this.readerTimeZone) {
        await conn.run(`SET TimeZone = '${timeZone.replace(/'/g, '')}'`);
        forgetStatements(conn); // prepared under the previous zone
        this.readerTimeZone = timeZone;
      }
      return queryColumns(conn, q.sql, q.params);
    });
  }

  async aggregate(q: AggregateQuery): Promise<AggregateRow[]> {
    const statement = aggregateSql(q, this.rollupZone, this.aligned);
    return statement.parse(await this.readIn(q.timeZone, statement));
  }

  async hourOfDayAmounts(q: HourOfDayQuery): Promise<HourOfDayRow[]> {
    if (q.boundariesMs.length < 2) return [];
    const statement = hourOfDaySql(q, this.rollupZone, this.aligned);
    return statement.parse(await this.readIn(q.timeZone, statement));
  }

  meterHours(q: MeterHoursQuery): Promise<MeterHours> {
    return this.read((conn) => readMeterHours(conn, q));
  }

  addDeadLetters(letters: readonly DeadLetter[]): Promise<void> {
    return this.write((conn) => insertDeadLetters(conn, letters));
  }

  deadLetters(fromMs: number, toMs: number, limit: number): Promise<DeadLetter[]> {
    return this.read((conn) => selectDeadLetters(conn, fromMs, toMs, limit));
  }

  findDeadLetters(query: DeadLetterQuery): Promise<DeadLetter[]> {
    return this.read((conn) => findDeadLetters(conn, query));
  }

  deadLetter(id: string): Promise<DeadLetter | undefined> {
    return this.read((conn) => selectDeadLetter(conn, id));
  }

  markDeadLetterRetried(id: string, atMs: number): Promise<boolean> {
    return this.write((conn) => updateDeadLetterRetried(conn, id, atMs));
  }

  addMeterEvent(event: MeterEvent): Promise<void> {
    return this.write((conn) => insertMeterEvent(conn, event));
  }

  meterEvents(): Promise<MeterEvent[]> {
    return this.read(selectMeterEvents);
  }

  addCorrection(correction: Correction): Promise<void> {
    return this.write((conn) => insertCorrection(conn, correction));
  }

  corrections(): Promise<Correction[]> {
    return this.read(selectCorrections);
  }

  addFacts(facts: readonly Fact[]): Promise<void> {
    return this.write((conn) => insertFacts(conn, facts), true);
  }

  facts(scope?: string): Promise<Fact[]> {
    return this.read((conn) => selectFacts(conn, scope));
  }

  upsertAuditFlags(flags: readonly AuditFinding[], atMs: number): Promise<string[]> {
    return this.write((conn) => upsertAuditFlags(conn, flags, atMs), true);
  }

  auditFlags(filter: AuditFlagFilter): Promise<AuditFlag[]> {
    return this.read((conn) => selectAuditFlags(conn, filter));
  }

  resolveAuditFlag(id: string, resolution: AuditResolution): Promise<boolean> {
    return this.write((conn) => updateAuditFlagResolved(conn, id, resolution));
  }

  saveAuditSignoff(signoff: AuditSignoff): Promise<void> {
    return this.write((conn) => upsertAuditSignoff(conn, signoff));
  }

  auditSignoffs(year: number): Promise<AuditSignoff[]> {
    return this.read((conn) => selectAuditSignoffs(conn, year));
  }

  replaceTariffs(tariffs: readonly Tariff[]): Promise<void> {
    return this.write((conn) => replaceTariffs(conn, tariffs), true);
  }

  tariffs(): Promise<Tariff[]> {
    return this.read(selectTariffs);
  }

  addBills(bills: readonly Bill[]): Promise<void> {
    return this.write((conn) => insertBills(conn, bills), true);
  }

  bills(accountNo?: string): Promise<Bill[]> {
    return this.read((conn) => selectBills(conn, accountNo));
  }

  saveTargets(targets: readonly Target[]): Promise<void> {
    return this.write((conn) => upsertTargets(conn, targets), true);
  }

  targets(): Promise<Target[]> {
    return this.read(selectTargets);
  }

  upsertAnomalies(events: readonly AnomalyEvent[]): Promise<string[]> {
    return this.write((conn) => upsertAnomalies(conn, events), true);
  }

  anomalies(filter: AnomalyFilter): Promise<AnomalyEvent[]> {
    return this.read((conn) => selectAnomalies(conn, filter));
  }

  setAnomalyStatus(id: string, status: 'acknowledged' | 'resolved', step: AnomalyStep): Promise<void> {
    return this.write((conn) => updateAnomalyStatus(conn, id, status, step));
  }

  saveToken(token: TokenRecord): Promise<void> {
    return this.write((conn) => insertToken(conn, token));
  }

  findTokenByHash(hash: string): Promise<TokenRecord | undefined> {
    return this.read((conn) => selectTokenByHash(conn, hash));
  }

  async countTokens(): Promise<number> {
    const [r] = await this.read((conn) => query(conn, 'SELECT count(*) AS n FROM tokens'));
    return Number(r?.n ?? 0);
  }

  listTokens(): Promise<TokenRecord[]> {
    return this.read(selectTokens);
  }

  revokeToken(id: string, atMs: number): Promise<boolean> {
    return this.write((conn) => updateTokenRevoked(conn, id, atMs));
  }

  addAudit(entry: AuditEntry): Promise<void> {
    return this.write((conn) => insertAudit(conn, entry));
  }

  audit(fromMs: number, toMs: number): Promise<AuditEntry[]> {
    return this.read((conn) => selectAudit(conn, fromMs, toMs));
  }
}
