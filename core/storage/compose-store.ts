import type { HourlyConsumption } from '../domain/consumption.js';
import type { Registry } from '../domain/registry.js';
import type { ClusterOutcome } from './duckdb/rollup-cluster.js';
import { MetadataDelegate } from './metadata-delegate.js';
import type {
  AggregateQuery,
  AggregateRow,
  Correction,
  DeadLetter,
  HourOfDayQuery,
  HourOfDayRow,
  HourRange,
  InsertOutcome,
  MetadataChange,
  MetadataStore,
  MeterHours,
  MeterHoursQuery,
  ReadingWindow,
  SeriesStore,
  Store,
  StoredReading,
  WindowRequest,
} from './store.js';

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
class ComposedStore extends MetadataDelegate implements Store {
  readonly kind: string;
  readonly location: string;
  /** The series store's catching up with the latest change another process made. */
  private aligned: Promise<void> = Promise.resolve();
  private unfollow: () => void = () => undefined;

  constructor(
    private readonly series: SeriesStore,
    metadata: MetadataStore,
  ) {
    super(metadata);
    this.kind = series.kind;
    this.location = `${series.location}; metadata in ${metadata.kind} ${metadata.location}`;
    // The embedded series store's nightly clustering (issue 19), also when metadata is in PostgreSQL.
    const clusterer = series as Partial<RollupClustering>;
    if (typeof clusterer.clusterRollups === 'function')
      this.clusterRollups = () => (clusterer as RollupClustering).clusterRollups();
  }

  readonly clusterRollups?: RollupClustering['clusterRollups'];

  /** The series store's health (the InfluxDB one is degraded while it spools), naming the metadata backend. */
  health(): ComposedHealth {
    const own = (this.series as { health?: () => { status: 'ok' | 'degraded' } }).health?.();
    return { ...(own ?? { status: 'ok' }), metadata: this.meta.kind };
  }

  /** Keeps the series copies aligned with changes made elsewhere (none without `onChange`). */
  follow(logger?: { warn(obj: object, msg: string): void }): void {
    this.unfollow =
      this.meta.onChange?.((change) => {
        if (change.what !== 'registry' && change.what !== 'corrections' && change.what !== 'all') return;
        this.aligned = this.aligned
          .then(() => alignSeries(this.series, this.meta))
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
      await this.meta.close();
    }
  }

  onChange(listener: (change: MetadataChange) => void): () => void {
    // Subscribed after `follow`: the alignment a change starts is queued before the listener runs.
    const deliver = (change: MetadataChange) => {
      this.aligned.then(() => listener(change)).catch(() => undefined);
    };
    return this.meta.onChange?.(deliver) ?? (() => undefined);
  }

  // Both parts.

  async saveRegistry(registry: Registry): Promise<void> {
    await this.meta.saveRegistry(registry);
    await this.series.saveRegistry(registry);
  }

  async addCorrection(correction: Correction): Promise<void> {
    await this.meta.addCorrection(correction);
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

  // Metadata (the rest: MetadataDelegate).

  addDeadLetters(letters: readonly DeadLetter[]): Promise<void> {
    return this.meta.addDeadLetters(letters);
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
