import type { AnomalyEvent, AnomalyStep } from '../domain/anomalies.js';
import type { AuditFinding, AuditFlag, AuditFlagFilter, AuditResolution, AuditSignoff } from '../domain/audit-flags.js';
import type { Bill } from '../domain/bills.js';
import type { Fact } from '../domain/facts.js';
import type { MeterEvent } from '../domain/meter-events.js';
import type { Registry } from '../domain/registry.js';
import type { Target } from '../domain/targets.js';
import type { Tariff } from '../domain/tariffs.js';
import type { BaselineStore } from './baseline-store.js';
import { clusterMetadataMembers } from './metadata-store.js';
import type { SavingsProjectStore } from './savings-project-store.js';
import type {
  AccountStore,
  AnomalyCaseStore,
  AnomalyFilter,
  AuditEntry,
  Correction,
  DeadLetter,
  DeadLetterQuery,
  MetadataStore,
  NotificationStore,
  TokenRecord,
} from './store.js';
import type { WeatherStore } from './weather-store.js';

/**
 * The MetadataStore methods a store of two parts forwards as they are (the others also touch the
 * series: `saveRegistry`, `addCorrection`, and on InfluxDB `addDeadLetters`).
 */
type MetadataMethods =
  | 'loadRegistry'
  | 'deadLetters'
  | 'findDeadLetters'
  | 'deadLetter'
  | 'markDeadLetterRetried'
  | 'addMeterEvent'
  | 'meterEvents'
  | 'corrections'
  | 'addFacts'
  | 'facts'
  | 'upsertAuditFlags'
  | 'auditFlags'
  | 'resolveAuditFlag'
  | 'saveAuditSignoff'
  | 'auditSignoffs'
  | 'replaceTariffs'
  | 'tariffs'
  | 'addBills'
  | 'bills'
  | 'saveTargets'
  | 'targets'
  | 'upsertAnomalies'
  | 'anomalies'
  | 'setAnomalyStatus'
  | 'saveToken'
  | 'findTokenByHash'
  | 'countTokens'
  | 'listTokens'
  | 'revokeToken'
  | 'addAudit'
  | 'audit'
  | 'accounts'
  | 'notifications'
  | 'anomalyCases'
  | 'savingsProjects'
  | 'baselines'
  | 'weather';

/**
 * The part of a store of two parts that is no time series (the InfluxDB store, a composed store):
 * registry, dead letters, lifecycle events, corrections, facts, targets, anomalies, tokens and the
 * audit log live in a `MetadataStore` (DuckDB in DATA_DIR, the same file the embedded backend uses,
 * or PostgreSQL with METADATA_URL), which these methods read and write as is.
 */
export abstract class MetadataDelegate implements Pick<MetadataStore, MetadataMethods> {
  /** The cluster members of the metadata store (PostgreSQL), present only when it has them. */
  readonly lockRegistry?: MetadataStore['lockRegistry'];
  readonly recordJobRun?: MetadataStore['recordJobRun'];
  readonly lastJobRuns?: MetadataStore['lastJobRuns'];

  protected constructor(protected readonly meta: MetadataStore) {
    Object.assign(this, clusterMetadataMembers(meta));
  }

  get accounts(): AccountStore {
    return this.meta.accounts;
  }

  get notifications(): NotificationStore {
    return this.meta.notifications;
  }

  get anomalyCases(): AnomalyCaseStore {
    return this.meta.anomalyCases;
  }

  get savingsProjects(): SavingsProjectStore {
    return this.meta.savingsProjects;
  }

  get baselines(): BaselineStore {
    return this.meta.baselines;
  }

  get weather(): WeatherStore {
    return this.meta.weather;
  }

  loadRegistry(): Promise<Registry> {
    return this.meta.loadRegistry();
  }

  deadLetters(fromMs: number, toMs: number, limit: number): Promise<DeadLetter[]> {
    return this.meta.deadLetters(fromMs, toMs, limit);
  }

  findDeadLetters(query: DeadLetterQuery): Promise<DeadLetter[]> {
    return this.meta.findDeadLetters(query);
  }

  deadLetter(id: string): Promise<DeadLetter | undefined> {
    return this.meta.deadLetter(id);
  }

  markDeadLetterRetried(id: string, atMs: number): Promise<boolean> {
    return this.meta.markDeadLetterRetried(id, atMs);
  }

  addMeterEvent(event: MeterEvent): Promise<void> {
    return this.meta.addMeterEvent(event);
  }

  meterEvents(): Promise<MeterEvent[]> {
    return this.meta.meterEvents();
  }

  corrections(): Promise<Correction[]> {
    return this.meta.corrections();
  }

  addFacts(facts: readonly Fact[]): Promise<void> {
    return this.meta.addFacts(facts);
  }

  facts(scope?: string): Promise<Fact[]> {
    return this.meta.facts(scope);
  }

  upsertAuditFlags(flags: readonly AuditFinding[], atMs: number): Promise<string[]> {
    return this.meta.upsertAuditFlags(flags, atMs);
  }

  auditFlags(filter: AuditFlagFilter): Promise<AuditFlag[]> {
    return this.meta.auditFlags(filter);
  }

  resolveAuditFlag(id: string, resolution: AuditResolution): Promise<boolean> {
    return this.meta.resolveAuditFlag(id, resolution);
  }

  saveAuditSignoff(signoff: AuditSignoff): Promise<void> {
    return this.meta.saveAuditSignoff(signoff);
  }

  auditSignoffs(year: number): Promise<AuditSignoff[]> {
    return this.meta.auditSignoffs(year);
  }

  replaceTariffs(tariffs: readonly Tariff[]): Promise<void> {
    return this.meta.replaceTariffs(tariffs);
  }

  tariffs(): Promise<Tariff[]> {
    return this.meta.tariffs();
  }

  addBills(bills: readonly Bill[]): Promise<void> {
    return this.meta.addBills(bills);
  }

  bills(accountNo?: string): Promise<Bill[]> {
    return this.meta.bills(accountNo);
  }

  saveTargets(targets: readonly Target[]): Promise<void> {
    return this.meta.saveTargets(targets);
  }

  targets(): Promise<Target[]> {
    return this.meta.targets();
  }

  upsertAnomalies(events: readonly AnomalyEvent[]): Promise<string[]> {
    return this.meta.upsertAnomalies(events);
  }

  anomalies(filter: AnomalyFilter): Promise<AnomalyEvent[]> {
    return this.meta.anomalies(filter);
  }

  setAnomalyStatus(id: string, status: 'acknowledged' | 'resolved', step: AnomalyStep): Promise<void> {
    return this.meta.setAnomalyStatus(id, status, step);
  }

  saveToken(token: TokenRecord): Promise<void> {
    return this.meta.saveToken(token);
  }

  findTokenByHash(hash: string): Promise<TokenRecord | undefined> {
    return this.meta.findTokenByHash(hash);
  }

  countTokens(): Promise<number> {
    return this.meta.countTokens();
  }

  listTokens(): Promise<TokenRecord[]> {
    return this.meta.listTokens();
  }

  revokeToken(id: string, atMs: number): Promise<boolean> {
    return this.meta.revokeToken(id, atMs);
  }

  addAudit(entry: AuditEntry): Promise<void> {
    return this.meta.addAudit(entry);
  }

  audit(fromMs: number, toMs: number): Promise<AuditEntry[]> {
    return this.meta.audit(fromMs, toMs);
  }
}
