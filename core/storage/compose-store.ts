import type { AnomalyEvent, AnomalyStep } from '../domain/anomalies.js';
import type { AuditFinding, AuditFlag, AuditFlagFilter, AuditResolution, AuditSignoff } from '../domain/audit-flags.js';
import type { Bill } from '../domain/bills.js';
import type { HourlyConsumption } from '../domain/consumption.js';
import type { Fact } from '../domain/facts.js';
import type { MeterEvent } from '../domain/meter-events.js';
import type { Registry } from '../domain/registry.js';
import type { Target } from '../domain/targets.js';
import type { Tariff } from '../domain/tariffs.js';
import type { BaselineStore } from './baseline-store.js';
import type { ClusterOutcome } from './duckdb/rollup-cluster.js';
import { clusterMetadataMembers } from './metadata-store.js';
import type { SavingsProjectStore } from './savings-project-store.js';
import type {
  AccountStore,
  AggregateQuery,
  AggregateRow,
  AnomalyCaseStore,
  AnomalyFilter,
  AuditEntry,
  Correction,
  DeadLetter,
  DeadLetterQuery,
  HourOfDayQuery,
  HourOfDayRow,
  HourRange,
  InsertOutcome,
  MetadataChange,
  MetadataStore,
  MeterHours,
  MeterHoursQuery,
  NotificationStore,
  ReadingWindow,
  SeriesStore,
  Store,
  StoredReading,
  TokenRecord,
  WindowRequest,
} from './store.js';
import type { WeatherStore } from './weather-store.js';

/** What `/healthz` shows of a composed store. */
interface ComposedHealth {
  readonly status: 'ok' | 'degraded';
  readonly metadata: string;
  readonly [detail: string]: unknown;
}

/** The key of a corrected reading. */
const correctionKey = (c: Correction) => `${c.meterId}\u0000${c.tsMs}`;

/**
 * A `Store` of two parts (issue "Production parity", item 1): time series in `series`, metadata in
 * `metadata`. Each member goes to the part it belongs to; the two that both need (`saveRegistry`,
 * `addCorrection`, see `SeriesStore`) go to the metadata store first (the source of truth) and
 * then to the series store. Neither step undoes the other: a failure between them leaves the
 * series copy behind until `alignSeries` at the next open. `close` closes both, series first.
 *
 * In a cluster (issue "Production parity", item 2) another process's registry or correction is
 * copied into the series store when the metadata store reports it (`alignSeries`), before this
 * store's own `onChange` subscribers hear of it: they then derive with the series side up to date.
 */
class ComposedStore implements Store {
  readonly kind: string;
  readonly location: string;
  /** The series store's catching up with the latest change another process made. */
  private aligned: Promise<void> = Promise.resolve();
  private unfollow: () => void = () => undefined;

  constructor(
    private readonly series: SeriesStore,
    private readonly metadata: MetadataStore,
  ) {
    this.kind = series.kind;
    this.location = `${series.location}; metadata in ${metadata.kind} ${metadata.location}`;
    // Present only when the metadata store has them (PostgreSQL: a cluster).
    Object.assign(this, clusterMetadataMembers(metadata));
    // The embedded series store's nightly clustering (issue 19), also when metadata is in PostgreSQL.
    const clusterer = series as Partial<RollupClustering>;
    if (typeof clusterer.clusterRollups === 'function')
      this.clusterRollups = () => (clusterer as RollupClustering).clusterRollups();
  }

  readonly clusterRollups?: RollupClustering['clusterRollups'];

  readonly lockRegistry?: MetadataStore['lockRegistry'];
  readonly recordJobRun?: MetadataStore['recordJobRun'];
  readonly lastJobRuns?: MetadataStore['lastJobRuns'];

  /** The series store's health (the InfluxDB one is degraded while it spools), naming the metadata backend. */
  health(): ComposedHealth {
    const own = (this.series as { health?: () => { status: 'ok' | 'degraded' } }).health?.();
    return { ...(own ?? { status: 'ok' }), metadata: this.metadata.kind };
  }

  /** Keeps the series copies aligned with changes made elsewhere (none without `onChange`). */
  follow(logger?: { warn(obj: object, msg: string): void }): void {
    this.unfollow =
      this.metadata.onChange?.((change) => {
        if (change.what !== 'registry' && change.what !== 'corrections' && change.what !== 'all') return;
        this.aligned = this.aligned
          .then(() => alignSeries(this.series, this.metadata))
          .catch((error: unknown) =>
            logger?.warn({ err: error }, 'aligning the series store with the metadata failed'),
          );
      }) ?? (() => undefined);
  }

  async close(): Promise<void> {
    this.unfollow();
    await this.aligned;
    try {
      await this.series.close();
    } finally {
      await this.metadata.close();
    }
  }

  onChange(listener: (change: MetadataChange) => void): () => void {
    // Subscribed after `follow`: the alignment a change starts is queued before the listener runs.
    const deliver = (change: MetadataChange) => {
      this.aligned.then(() => listener(change)).catch(() => undefined);
    };
    return this.metadata.onChange?.(deliver) ?? (() => undefined);
  }

  // Both parts.

  async saveRegistry(registry: Registry): Promise<void> {
    await this.metadata.saveRegistry(registry);
    await this.series.saveRegistry(registry);
  }

  async addCorrection(correction: Correction): Promise<void> {
    await this.metadata.addCorrection(correction);
    await this.series.addCorrection(correction);
  }

  // Series.

  insertReadings(readings: readonly StoredReading[]): Promise<InsertOutcome> {
    return this.series.insertReadings(readings);
  }

  readings(meterId: string, fromMs: number, toMs: number): Promise<(StoredReading & { correction?: Correction })[]> {
    return this.series.readings(meterId, fromMs, toMs);
  }

  readingWindows(requests: readonly WindowRequest[], margin: number): Promise<Map<string, ReadingWindow>> {
    return this.series.readingWindows(requests, margin);
  }

  readingTails(margin: number): Promise<Map<string, ReadingWindow>> {
    return this.series.readingTails(margin);
  }

  replaceHourly(
    ranges: readonly HourRange[],
    rows: readonly HourlyConsumption[],
    appendReadings?: readonly StoredReading[],
  ): Promise<void> {
    return this.series.replaceHourly(ranges, rows, appendReadings);
  }

  aggregate(query: AggregateQuery): Promise<AggregateRow[]> {
    return this.series.aggregate(query);
  }
  hourOfDayAmounts(query: HourOfDayQuery): Promise<HourOfDayRow[]> {
    return this.series.hourOfDayAmounts(query);
  }

  meterHours(query: MeterHoursQuery): Promise<MeterHours> {
    return this.series.meterHours(query);
  }

  // Metadata.

  get accounts(): AccountStore {
    return this.metadata.accounts;
  }

  get notifications(): NotificationStore {
    return this.metadata.notifications;
  }

  get anomalyCases(): AnomalyCaseStore {
    return this.metadata.anomalyCases;
  }

  get savingsProjects(): SavingsProjectStore {
    return this.metadata.savingsProjects;
  }

  get baselines(): BaselineStore {
    return this.metadata.baselines;
  }

  get weather(): WeatherStore {
    return this.metadata.weather;
  }

  loadRegistry(): Promise<Registry> {
    return this.metadata.loadRegistry();
  }

  corrections(): Promise<Correction[]> {
    return this.metadata.corrections();
  }

  addDeadLetters(letters: readonly DeadLetter[]): Promise<void> {
    return this.metadata.addDeadLetters(letters);
  }

  deadLetters(fromMs: number, toMs: number, limit: number): Promise<DeadLetter[]> {
    return this.metadata.deadLetters(fromMs, toMs, limit);
  }

  findDeadLetters(query: DeadLetterQuery): Promise<DeadLetter[]> {
    return this.metadata.findDeadLetters(query);
  }

  deadLetter(id: string): Promise<DeadLetter | undefined> {
    return this.metadata.deadLetter(id);
  }

  markDeadLetterRetried(id: string, atMs: number): Promise<boolean> {
    return this.metadata.markDeadLetterRetried(id, atMs);
  }

  addMeterEvent(event: MeterEvent): Promise<void> {
    return this.metadata.addMeterEvent(event);
  }

  meterEvents(): Promise<MeterEvent[]> {
    return this.metadata.meterEvents();
  }

  addFacts(facts: readonly Fact[]): Promise<void> {
    return this.metadata.addFacts(facts);
  }

  facts(scope?: string): Promise<Fact[]> {
    return this.metadata.facts(scope);
  }

  upsertAuditFlags(flags: readonly AuditFinding[], atMs: number): Promise<string[]> {
    return this.metadata.upsertAuditFlags(flags, atMs);
  }

  auditFlags(filter: AuditFlagFilter): Promise<AuditFlag[]> {
    return this.metadata.auditFlags(filter);
  }

  resolveAuditFlag(id: string, resolution: AuditResolution): Promise<boolean> {
    return this.metadata.resolveAuditFlag(id, resolution);
  }

  saveAuditSignoff(signoff: AuditSignoff): Promise<void> {
    return this.metadata.saveAuditSignoff(signoff);
  }

  auditSignoffs(year: number): Promise<AuditSignoff[]> {
    return this.metadata.auditSignoffs(year);
  }

  replaceTariffs(tariffs: readonly Tariff[]): Promise<void> {
    return this.metadata.replaceTariffs(tariffs);
  }

  tariffs(): Promise<Tariff[]> {
    return this.metadata.tariffs();
  }

  addBills(bills: readonly Bill[]): Promise<void> {
    return this.metadata.addBills(bills);
  }

  bills(accountNo?: string): Promise<Bill[]> {
    return this.metadata.bills(accountNo);
  }

  saveTargets(targets: readonly Target[]): Promise<void> {
    return this.metadata.saveTargets(targets);
  }

  targets(): Promise<Target[]> {
    return this.metadata.targets();
  }

  upsertAnomalies(events: readonly AnomalyEvent[]): Promise<string[]> {
    return this.metadata.upsertAnomalies(events);
  }

  anomalies(filter: AnomalyFilter): Promise<AnomalyEvent[]> {
    return this.metadata.anomalies(filter);
  }

  setAnomalyStatus(id: string, status: 'acknowledged' | 'resolved', step: AnomalyStep): Promise<void> {
    return this.metadata.setAnomalyStatus(id, status, step);
  }

  saveToken(token: TokenRecord): Promise<void> {
    return this.metadata.saveToken(token);
  }

  findTokenByHash(hash: string): Promise<TokenRecord | undefined> {
    return this.metadata.findTokenByHash(hash);
  }

  countTokens(): Promise<number> {
    return this.metadata.countTokens();
  }

  listTokens(): Promise<TokenRecord[]> {
    return this.metadata.listTokens();
  }

  revokeToken(id: string, atMs: number): Promise<boolean> {
    return this.metadata.revokeToken(id, atMs);
  }

  addAudit(entry: AuditEntry): Promise<void> {
    return this.metadata.addAudit(entry);
  }

  audit(fromMs: number, toMs: number): Promise<AuditEntry[]> {
    return this.metadata.audit(fromMs, toMs);
  }
}

/** A series store whose rollups are clustered by meter (the embedded store: `cluster-rollups`). */
export interface RollupClustering {
  clusterRollups(): Promise<ClusterOutcome>;
}

/** Whether `store` can cluster its rollups: the embedded store, alone or composed with PostgreSQL. */
export function clustersRollups<S extends object>(store: S): store is S & RollupClustering {
  return typeof (store as Partial<RollupClustering>).clusterRollups === 'function';
}

/**
 * One `Store` from a series store and a metadata store; the result owns both (its `close` closes
 * them). Call `alignSeries` first when the series store keeps copies of metadata.
 */
export function composeStore(
  series: SeriesStore,
  metadata: MetadataStore,
  logger?: { warn(obj: object, msg: string): void },
): Store {
  const store = new ComposedStore(series, metadata);
  store.follow(logger);
  return store;
}

/**
 * Brings the series store's copies up to the metadata store, at open: the registry whole, and the
 * corrections it lacks (by meter and timestamp; none is ever removed).
 */
export async function alignSeries(series: SeriesStore, metadata: MetadataStore): Promise<void> {
  await series.saveRegistry(await metadata.loadRegistry());
  const known = new Set((await series.corrections()).map(correctionKey));
  for (const c of await metadata.corrections()) if (!known.has(correctionKey(c))) await series.addCorrection(c);
}
