import pg from 'pg';
import type { Logger } from 'pino';
import type { AnomalyEvent, AnomalyStep } from '../../domain/anomalies.js';
import type {
  AuditFinding,
  AuditFlag,
  AuditFlagFilter,
  AuditResolution,
  AuditSignoff,
} from '../../domain/audit-flags.js';
import type { Bill } from '../../domain/bills.js';
import type { Fact } from '../../domain/facts.js';
import type { MetadataChange } from '../../domain/metadata-change.js';
import type { MeterEvent } from '../../domain/meter-events.js';
import type { Registry } from '../../domain/registry.js';
import type { Target } from '../../domain/targets.js';
import type { Tariff } from '../../domain/tariffs.js';
import { newId } from '../../security.js';
import {
  REGISTRY_COLUMNS,
  REGISTRY_TABLES,
  type RegistryTable,
  registryOfRows,
  registryRows,
} from '../registry-rows.js';
import type {
  AnomalyFilter,
  AuditEntry,
  Correction,
  DeadLetter,
  DeadLetterQuery,
  JobRunRecord,
  MetadataStore,
  ReadingKeyLock,
  TokenRecord,
} from '../store.js';
import {
  countTokens,
  insertAudit,
  insertToken,
  selectAudit,
  selectTokenByHash,
  selectTokens,
  updateTokenRevoked,
} from './access-tables.js';
import { PostgresAccountStore } from './account-tables.js';
import { PostgresAnomalyCases } from './anomaly-case-tables.js';
import {
  selectAuditFlags,
  selectAuditSignoffs,
  updateAuditFlagResolved,
  upsertAuditFlags,
  upsertAuditSignoff,
} from './audit-tables.js';
import { PostgresBaselineStore } from './baseline-tables.js';
import { insertBills, replaceTariffs, selectBills, selectTariffs } from './cost-tables.js';
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
} from './event-tables.js';
import { insertFacts, selectFacts } from './fact-tables.js';
import { insertJobRun, selectLastJobRuns } from './job-run-tables.js';
import { migratePostgres } from './migrations.js';
import { PostgresNotificationStore } from './notification-tables.js';
import { MetadataListener, notifyChange } from './notify.js';
import {
  selectAnomalies,
  selectTargets,
  updateAnomalyStatus,
  upsertAnomalies,
  upsertTargets,
} from './planning-tables.js';
import { PostgresReadingKeyLock, READING_LOCK_TIMEOUT_MS } from './reading-key-lock.js';
import { PostgresSavingsProjectStore } from './savings-project-tables.js';
import { insertRows, inTransaction, type Row, type Run, redactedUrl, runOn } from './sql.js';
import { PostgresWeatherStore } from './weather-tables.js';

/** Options of the PostgreSQL metadata store. */
export interface PostgresMetadataOptions {
  /** `postgres://user:password@host:5432/database` (METADATA_URL). */
  readonly url: string;
  /** Most connections the pool opens (10: API reads and ingest writes rarely need more). */
  readonly poolMax?: number;
  /**
   * Most connections held by `readingKeyLock` at once (4: one per concurrent `insertReadings` of
   * this process; the ingest pipeline makes one at a time). A pool of their own: calls waiting for
   * a meter's lock never take the connections metadata writes need meanwhile.
   */
  readonly lockPoolMax?: number;
  readonly logger?: Logger;
  /**
   * Open the LISTEN connection that feeds `onChange` (default true; one more connection per
   * process). Off for one-shot tools (backup, reports CLI) that never subscribe.
   */
  readonly listen?: boolean;
}

/** The registry columns that are not text, with their SQL types; every other column is `text`. */
const NUMERIC_COLUMNS: Readonly<Record<string, string>> = {
  floor_area_m2: 'float8',
  occupants: 'int4',
  multiplier: 'float8',
  register_modulus: 'float8',
  interval_s: 'int4',
  max_plausible_per_hour: 'float8',
};

/** SQL types of a registry table's columns, in `REGISTRY_COLUMNS` order (a new column needs no edit here). */
const registryTypes = (table: RegistryTable): string[] =>
  REGISTRY_COLUMNS[table].map((c: string) => NUMERIC_COLUMNS[c] ?? 'text');

/**
 * Metadata in PostgreSQL (issue "Production parity"): registry, events, corrections, dead letters,
 * targets, anomalies, tokens, the audit log and the job runs' history, shared by every process of
 * a cluster, with the semantics of the DuckDB metadata (one contract suite runs against both). The
 * schema is versioned (`schema_migrations`) and migrated at open.
 *
 * Every write other processes keep a copy of (registry, lifecycle events, corrections, tokens,
 * targets, anomalies) NOTIFYs `jieneng_metadata` in its own transaction, and `onChange` hands the
 * other stores' notifications to subscribers (issue "Production parity", item 2). Its
 * `readingKeyLock` makes the InfluxDB stores of a cluster take turns at the duplicate check of a
 * meter's raw readings (reading-key-lock.ts).
 */
export class PostgresMetadataStore implements MetadataStore {
  readonly kind = 'postgres';
  private readonly run: Run;
  /** Advisory locks per meter, shared with every process on this database (reading-key-lock.ts). */
  readonly readingKeyLock: ReadingKeyLock;
  /** On the same pool: users and sessions, notifications (issue 17), savings projects and weather (issue 18). */
  readonly accounts: PostgresAccountStore;
  readonly notifications: PostgresNotificationStore;
  readonly savingsProjects: PostgresSavingsProjectStore;
  readonly baselines: PostgresBaselineStore;
  readonly weather: PostgresWeatherStore;
  readonly anomalyCases = new PostgresAnomalyCases((fn) => this.changing({ what: 'anomalies' }, fn));

  private constructor(
    private readonly pool: pg.Pool,
    private readonly lockPool: pg.Pool,
    readonly location: string,
    /** This instance's id in its notifications: its own are not handed to its subscribers. */
    private readonly origin: string,
    private readonly listener: MetadataListener | undefined,
    logger: Logger | undefined,
  ) {
    this.run = runOn(pool);
    this.readingKeyLock = new PostgresReadingKeyLock(lockPool, logger);
    this.accounts = new PostgresAccountStore(pool);
    this.notifications = new PostgresNotificationStore(pool);
    this.savingsProjects = new PostgresSavingsProjectStore(pool);
    this.baselines = new PostgresBaselineStore(pool);
    this.weather = new PostgresWeatherStore(pool);
    this.registryLock = new PostgresReadingKeyLock(lockPool, logger, READING_LOCK_TIMEOUT_MS, 'jieneng:registry:');
  }

  /** One advisory lock for every registry change of the cluster (`MetadataStore.lockRegistry`). */
  private readonly registryLock: PostgresReadingKeyLock;

  lockRegistry(): Promise<() => Promise<void>> {
    return this.registryLock.lockMeters(['registry']);
  }

  /**
   * Connects, then migrates the schema to this release's version. Fails with the server's error
   * when it cannot connect, and with `JN_STORE_SCHEMA_NEWER` when the database is of a newer release.
   */
  static async open(options: PostgresMetadataOptions): Promise<PostgresMetadataStore> {
    const location = redactedUrl(options.url);
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolMax ?? 10 });
    // An idle connection dropped by the server is an 'error' event: without a listener it kills the process.
    pool.on('error', (error) => options.logger?.warn({ err: error }, 'idle PostgreSQL connection failed'));
    try {
      const client = await pool.connect();
      try {
        await migratePostgres(client, location);
      } finally {
        client.release();
      }
    } catch (error) {
      await pool.end();
      throw error;
    }
    const origin = newId('meta');
    let listener: MetadataListener | undefined;
    try {
      if (options.listen !== false) listener = await MetadataListener.open(options.url, origin, options.logger);
    } catch (error) {
      await pool.end();
      throw error;
    }
    // Connects on first use: only the InfluxDB store with several writers takes these locks.
    const lockPool = new pg.Pool({ connectionString: options.url, max: options.lockPoolMax ?? 4 });
    lockPool.on('error', (error) => options.logger?.warn({ err: error }, 'idle PostgreSQL lock connection failed'));
    return new PostgresMetadataStore(pool, lockPool, location, origin, listener, options.logger);
  }

  async close(): Promise<void> {
    await this.listener?.close();
    await this.lockPool.end();
    await this.pool.end();
  }

  onChange(listener: (change: MetadataChange) => void): () => void {
    return this.listener?.subscribe(listener) ?? (() => undefined);
  }

  /** Runs `fn` and NOTIFYs `change` in one transaction: the others hear of it once it is committed. */
  private changing<T>(change: MetadataChange, fn: (run: Run) => Promise<T>): Promise<T> {
    return this.transaction(async (run) => {
      const out = await fn(run);
      await notifyChange(run, this.origin, change);
      return out;
    });
  }

  /** Runs `fn` in one transaction on one connection: all of it or nothing. */
  private transaction<T>(fn: (run: Run) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, fn);
  }

  async loadRegistry(): Promise<Registry> {
    // One snapshot for the five tables: a concurrent save is seen whole or not at all.
    return this.transaction(async (run) => {
      await run('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const rows = {} as Record<RegistryTable, Row[]>;
      for (const t of REGISTRY_TABLES) rows[t] = await run(`SELECT * FROM ${t} ORDER BY id`);
      return registryOfRows(rows);
    });
  }

  saveRegistry(registry: Registry): Promise<void> {
    return this.changing({ what: 'registry' }, async (run) => {
      // Two processes saving at once: the second waits for the first, then replaces it whole.
      await run(`LOCK TABLE ${REGISTRY_TABLES.join(', ')} IN EXCLUSIVE MODE`);
      for (const t of REGISTRY_TABLES) await run(`DELETE FROM ${t}`);
      const rows = registryRows(registry);
      for (const t of [...REGISTRY_TABLES].reverse())
        await insertRows(run, t, REGISTRY_COLUMNS[t], registryTypes(t), rows[t]);
    });
  }

  addDeadLetters(letters: readonly DeadLetter[]): Promise<void> {
    return insertDeadLetters(this.run, letters);
  }

  deadLetters(fromMs: number, toMs: number, limit: number): Promise<DeadLetter[]> {
    return selectDeadLetters(this.run, fromMs, toMs, limit);
  }

  findDeadLetters(query: DeadLetterQuery): Promise<DeadLetter[]> {
    return findDeadLetters(this.run, query);
  }

  deadLetter(id: string): Promise<DeadLetter | undefined> {
    return selectDeadLetter(this.run, id);
  }

  markDeadLetterRetried(id: string, atMs: number): Promise<boolean> {
    return updateDeadLetterRetried(this.run, id, atMs);
  }

  addMeterEvent(event: MeterEvent): Promise<void> {
    return this.changing({ what: 'meter_events', meterId: event.meterId }, (run) => insertMeterEvent(run, event));
  }

  meterEvents(): Promise<MeterEvent[]> {
    return selectMeterEvents(this.run);
  }

  addCorrection(correction: Correction): Promise<void> {
    const { meterId, tsMs } = correction;
    return this.changing({ what: 'corrections', meterId, tsMs }, (run) => insertCorrection(run, correction));
  }

  corrections(): Promise<Correction[]> {
    return selectCorrections(this.run);
  }

  addFacts(facts: readonly Fact[]): Promise<void> {
    return insertFacts(this.run, facts);
  }

  facts(scope?: string): Promise<Fact[]> {
    return selectFacts(this.run, scope);
  }

  upsertAuditFlags(flags: readonly AuditFinding[], atMs: number): Promise<string[]> {
    return this.transaction((run) => upsertAuditFlags(run, flags, atMs));
  }

  auditFlags(filter: AuditFlagFilter): Promise<AuditFlag[]> {
    return selectAuditFlags(this.run, filter);
  }

  resolveAuditFlag(id: string, resolution: AuditResolution): Promise<boolean> {
    return updateAuditFlagResolved(this.run, id, resolution);
  }

  saveAuditSignoff(signoff: AuditSignoff): Promise<void> {
    return upsertAuditSignoff(this.run, signoff);
  }

  auditSignoffs(year: number): Promise<AuditSignoff[]> {
    return selectAuditSignoffs(this.run, year);
  }

  replaceTariffs(tariffs: readonly Tariff[]): Promise<void> {
    return this.transaction((run) => replaceTariffs(run, tariffs));
  }

  tariffs(): Promise<Tariff[]> {
    return selectTariffs(this.run);
  }

  addBills(bills: readonly Bill[]): Promise<void> {
    return insertBills(this.run, bills);
  }

  bills(accountNo?: string): Promise<Bill[]> {
    return selectBills(this.run, accountNo);
  }

  saveTargets(targets: readonly Target[]): Promise<void> {
    return this.changing({ what: 'targets' }, (run) => upsertTargets(run, targets));
  }

  targets(): Promise<Target[]> {
    return selectTargets(this.run);
  }

  upsertAnomalies(events: readonly AnomalyEvent[]): Promise<string[]> {
    return this.changing({ what: 'anomalies' }, (run) => upsertAnomalies(run, events));
  }

  anomalies(filter: AnomalyFilter): Promise<AnomalyEvent[]> {
    return selectAnomalies(this.run, filter);
  }

  setAnomalyStatus(id: string, status: 'acknowledged' | 'resolved', step: AnomalyStep): Promise<void> {
    return this.changing({ what: 'anomalies' }, (run) => updateAnomalyStatus(run, id, status, step));
  }

  saveToken(token: TokenRecord): Promise<void> {
    return this.changing({ what: 'tokens', tokenId: token.id }, (run) => insertToken(run, token));
  }

  findTokenByHash(hash: string): Promise<TokenRecord | undefined> {
    return selectTokenByHash(this.run, hash);
  }

  countTokens(): Promise<number> {
    return countTokens(this.run);
  }

  listTokens(): Promise<TokenRecord[]> {
    return selectTokens(this.run);
  }

  revokeToken(id: string, atMs: number): Promise<boolean> {
    // A revocation elsewhere must reach every API's token cache (api/auth.ts).
    return this.changing({ what: 'tokens', tokenId: id }, (run) => updateTokenRevoked(run, id, atMs));
  }

  addAudit(entry: AuditEntry): Promise<void> {
    return insertAudit(this.run, entry);
  }

  audit(fromMs: number, toMs: number): Promise<AuditEntry[]> {
    return selectAudit(this.run, fromMs, toMs);
  }

  recordJobRun(run: JobRunRecord): Promise<void> {
    return insertJobRun(this.run, run);
  }

  lastJobRuns(): Promise<JobRunRecord[]> {
    return selectLastJobRuns(this.run);
  }
}
