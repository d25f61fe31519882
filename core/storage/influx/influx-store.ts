import { join } from 'node:path';
import type { Logger } from 'pino';
import { groupBy } from '../../collections.js';
import type { HourlyConsumption } from '../../domain/consumption.js';
import type { MetadataChange } from '../../domain/metadata-change.js';
import type { Registry } from '../../domain/registry.js';
import { HOUR_MS } from '../../domain/time.js';
import { EmbeddedStore } from '../duckdb/embedded-store.js';
import { classifyReadings, readingKey } from '../insert-outcome.js';
import { MetadataDelegate } from '../metadata-delegate.js';
import { METER_HOURS_SLICE_ROWS, meterHoursFromHourly } from '../meter-hours.js';
import type {
  AggregateQuery,
  AggregateRow,
  Correction,
  DeadLetter,
  HourOfDayQuery,
  HourOfDayRow,
  HourRange,
  InsertOutcome,
  MetadataStore,
  MeterHours,
  MeterHoursQuery,
  ReadingKeyLock,
  ReadingWindow,
  Store,
  StoredReading,
  WindowRequest,
} from '../store.js';
import { aggregate, type DailyRollup } from './aggregate.js';
import { hourOfDayFromRollup, hourOfDayInSlices, hourOfDayRollupServes, metersMatching } from './hour-of-day.js';
import { type InfluxConnection, InfluxHttp, quoteIdent, quoteString } from './http.js';
import { Outbox } from './outbox.js';
import { refuse } from './refused.js';
import { retagHourly } from './retag.js';
import { dailyPlace, rebuildDaily, recomputeDaily, rollupIsBuilt, rollupSpans } from './rollup.js';
import {
  attributionKey,
  type HourlyTags,
  hourlyLine,
  hourlySpans,
  hourlyTagger,
  INFLUX,
  invalidLine,
} from './schema.js';
import { type RollupSettleOptions, RollupSettler } from './settle.js';
import { verifyInflux } from './verify.js';
import { msLiteral, queryMany, type ReadContext, readingTails, readingWindows, rowsOf } from './windows.js';

/** Options of the InfluxDB store. */
export interface InfluxStoreOptions {
  readonly connection: InfluxConnection;
  /** Directory of the spool (`spool/`), and of the default metadata store (DuckDB). */
  readonly dataDir: string;
  /**
   * Where registry, tokens, events, corrections, dead letters… live (PostgreSQL with METADATA_URL);
   * default: DuckDB in `dataDir`, opened here. Once `open` succeeds the store owns it (`close`
   * closes it); when `open` fails, the caller still does.
   */
  readonly metadata?: MetadataStore;
  /**
   * Held around the duplicate check and the write of `insertReadings`, when several processes write
   * this database (the PostgreSQL metadata store's, with METADATA_URL); none: only this one does.
   */
  readonly readingKeyLock?: ReadingKeyLock;
  readonly timeZone: string;
  /** Largest size of the on-disk spool used while InfluxDB is unavailable, in bytes. */
  readonly spoolMaxBytes: number;
  readonly logger?: Logger;
  /** Called with the spool's size whenever it changes, in bytes (a metrics gauge). */
  readonly onSpoolBytes?: (bytes: number) => void;
  /** Called with the number of readings InfluxDB refused as bad data (dead-lettered). */
  readonly onRefusedReadings?: (count: number) => void;
  /** Settling of the daily rollup for several writers of one database (settle.ts); default on. */
  readonly rollupSettle?: RollupSettleOptions;
}

/** What `/healthz` shows of the store. */
export interface InfluxStoreHealth {
  readonly status: 'ok' | 'degraded';
  readonly spoolBytes: number;
  readonly pendingReadings: number;
  readonly lastError?: string;
}

/** State shared by the store and its outbox's callbacks. */
interface State {
  registry: Registry;
  tagsOf: (meterId: string, hourStartMs?: number) => HourlyTags;
  readonly invalid: Map<string, Set<number>>;
  /** The daily rollup aggregates read; undefined until a rebuild is applied. */
  rollup: DailyRollup | undefined;
}

const R = INFLUX.readings;
const EMPTY_SET: ReadonlySet<number> = new Set();

/** Hours of [fromMs, toMs) without a row: maximal runs, to delete (the other hours are overwritten). */
function uncoveredRuns(range: HourRange, covered: ReadonlySet<number>): HourRange[] {
  const runs: HourRange[] = [];
  for (let h = range.fromMs; h < range.toMs; h += HOUR_MS) {
    if (covered.has(h)) continue;
    const last = runs.at(-1);
    if (last !== undefined && last.toMs === h) runs[runs.length - 1] = { ...last, toMs: h + HOUR_MS };
    else runs.push({ meterId: range.meterId, fromMs: h, toMs: h + HOUR_MS });
  }
  return runs;
}

/**
 * The InfluxDB backend: time series (raw readings, hourly consumption, a copy of the dead letters)
 * in InfluxDB, under the names of `INFLUX` (shared with the Grafana dashboards); everything else
 * (registry, tokens, lifecycle events, corrections, dead letters) in its `MetadataStore` (DuckDB in
 * `dataDir` by default, PostgreSQL with METADATA_URL). Writes go through an ordered outbox that spools to disk while InfluxDB is unavailable;
 * reads merge the readings still in the spool. Hourly points are tagged from the registry and
 * re-tagged when it changes them. Each op that replaces hours recomputes the meters' local days in
 * the `daily` rollup (rollup.ts), which answers aggregates over whole days, and again once its
 * writes are quiet (settle.ts: other processes writing the same days). When several processes
 * write one database, the duplicate check of raw readings holds across them only with a shared
 * `readingKeyLock`.
 */
export class InfluxStore extends MetadataDelegate implements Store {
  readonly kind = 'influx';
  readonly location: string;
  private readonly ctx: ReadContext;
  /** The refresh of the registry and corrections copies after the latest change made elsewhere. */
  private refreshed: Promise<void> = Promise.resolve();
  private unfollow: () => void = () => undefined;

  private constructor(
    private readonly http: InfluxHttp,
    meta: MetadataStore,
    private readonly outbox: Outbox,
    private readonly state: State,
    private readonly logger: Logger | undefined,
    private readonly timeZone: string,
    private readonly readingLock: ReadingKeyLock | undefined,
    private readonly settler: RollupSettler,
  ) {
    super(meta);
    this.location = `${http.conn.url} (${http.conn.api === 'v1' ? 'database' : 'bucket'} ${http.database}; metadata in ${meta.location})`;
    this.ctx = { http, pending: outbox.pending, invalidOf: (id) => state.invalid.get(id) ?? EMPTY_SET };
  }

  /** Checks InfluxDB (failing fast with the variable to fix), opens the metadata store and the spool. */
  static async open(opts: InfluxStoreOptions): Promise<InfluxStore> {
    const http = new InfluxHttp(opts.connection);
    await verifyInflux(http);
    const meta = opts.metadata ?? (await EmbeddedStore.open({ dataDir: opts.dataDir, timeZone: opts.timeZone }));
    try {
      const invalid = new Map<string, Set<number>>();
      for (const c of await meta.corrections())
        invalid.set(c.meterId, (invalid.get(c.meterId) ?? new Set()).add(c.tsMs));
      const registry = await meta.loadRegistry();
      const zone = opts.timeZone;
      const place = await dailyPlace(http, opts.logger);
      const built = await rollupIsBuilt(http, place, zone);
      const rollup = { timeZone: zone, from: place.from };
      const state: State = { registry, tagsOf: hourlyTagger(registry), invalid, rollup: built ? rollup : undefined };
      const settler = new RollupSettler({
        ...opts.rollupSettle,
        timeZone: zone,
        ...(opts.logger === undefined ? {} : { logger: opts.logger }),
        recompute: (days, beforeWrite) => recomputeDaily(http, place, days, zone, beforeWrite),
        // Armed only once an op is applied, after `outbox` is set.
        submit: (settle) => outbox.submit({ settleRollup: settle }),
      });
      const outbox = await Outbox.open({
        http,
        spoolDir: join(opts.dataDir, 'spool'),
        spoolMaxBytes: opts.spoolMaxBytes,
        ...(opts.logger === undefined ? {} : { logger: opts.logger }),
        ...(opts.onSpoolBytes === undefined ? {} : { onSpoolBytes: opts.onSpoolBytes }),
        onRefused: (points) => refuse(meta, points, opts),
        retag: (ids) => retagHourly(http, state.registry, ids, { place, timeZone: zone }),
        rollup: (days) => settler.recompute(days),
        settleRollup: (settle) => settler.settle(settle),
        rebuildRollup: async () => {
          state.rollup = undefined;
          opts.logger?.info({ timeZone: zone, rp: place.rp }, 'building the daily rollup of InfluxDB from the hours');
          await rebuildDaily(http, place, zone);
          state.rollup = rollup;
        },
      });
      // Queued behind what the spool holds, so that it sums the hours those ops write.
      if (!built) await outbox.submit({ rebuildRollup: true });
      const store = new InfluxStore(http, meta, outbox, state, opts.logger, zone, opts.readingKeyLock, settler);
      return InfluxStore.following(store);
    } catch (error) {
      if (opts.metadata === undefined) await meta.close();
      throw error;
    }
  }

  /** Resolves once the daily rollup's days written so far are settled (settle.ts), as `close` does. */
  rollupSettled(): Promise<void> {
    return this.settler.settled();
  }

  /** Degraded while writes wait in the spool for InfluxDB. */
  health(): InfluxStoreHealth {
    return this.outbox.health();
  }

  /**
   * Keeps the copies the series side uses (registry tags, invalidated readings) up to date with
   * changes other processes of a cluster make (issue "Production parity", item 2). No re-tag: the
   * process that saved the registry queued it, on the same InfluxDB.
   */
  private static following(store: InfluxStore): InfluxStore {
    store.unfollow =
      store.meta.onChange?.((change) => {
        store.refreshed = store.refreshed
          .then(() => store.refresh(change))
          .catch((error: unknown) => store.logger?.warn({ err: error, change }, 'refreshing the registry copy failed'));
      }) ?? (() => undefined);
    return store;
  }

  private async refresh(change: MetadataChange): Promise<void> {
    if (change.what === 'registry' || change.what === 'all') {
      const registry = await this.meta.loadRegistry();
      this.state.registry = registry;
      this.state.tagsOf = hourlyTagger(registry);
    }
    if (change.what === 'corrections') {
      const { meterId, tsMs } = change;
      this.state.invalid.set(meterId, (this.state.invalid.get(meterId) ?? new Set()).add(tsMs));
    }
    if (change.what === 'all')
      for (const c of await this.meta.corrections())
        this.state.invalid.set(c.meterId, (this.state.invalid.get(c.meterId) ?? new Set()).add(c.tsMs));
  }

  /** The metadata store's notifications, each delivered once this store's copies are refreshed for it. */
  onChange(listener: (change: MetadataChange) => void): () => void {
    const deliver = (change: MetadataChange) => {
      this.refreshed.then(() => listener(change)).catch(() => undefined);
    };
    return this.meta.onChange?.(deliver) ?? (() => undefined);
  }

  async close(): Promise<void> {
    this.unfollow();
    await this.refreshed;
    await this.settler.close();
    await this.outbox.close();
    await this.http.close();
    await this.meta.close();
  }

  async saveRegistry(registry: Registry): Promise<void> {
    const before = hourlySpans(this.state.registry);
    const after = hourlySpans(registry);
    const existed = new Set(this.state.registry.meters.map((m) => m.id));
    await this.meta.saveRegistry(registry);
    this.state.registry = registry;
    this.state.tagsOf = hourlyTagger(registry);
    // Meters new to the registry have no hourly points yet (the deriver skips unknown meters).
    const changed = registry.meters
      .map((m) => m.id)
      .filter((id) => existed.has(id) && attributionKey(before(id)) !== attributionKey(after(id)));
    if (changed.length > 0) await this.outbox.submit({ retag: changed });
  }

  async insertReadings(readings: readonly StoredReading[]): Promise<InsertOutcome> {
    if (readings.length === 0) return { inserted: [], duplicates: 0, conflicts: [] };
    // Another worker's check between our check and our write would find neither value, and
    // InfluxDB would keep the last one written (issue "Production parity", item 2).
    const release = await this.readingLock?.lockMeters([...new Set(readings.map((r) => r.meterId))]);
    try {
      return await this.checkAndInsert(readings);
    } finally {
      await release?.();
    }
  }

  /** The duplicate check and the write of `insertReadings`; the write is in InfluxDB (or spooled) on return. */
  private async checkAndInsert(readings: readonly StoredReading[]): Promise<InsertOutcome> {
    const byMeter = [...groupBy(readings, (r) => r.meterId)];
    // Pending readings are looked up before the query: one drained meanwhile is then either found
    // here or visible to the query, never missed by both.
    const pending = readings.map((r) => this.outbox.pending.get(r.meterId, r.tsMs)).filter((p) => p !== undefined);
    const results = await queryMany(
      this.http,
      byMeter.map(([meterId, list]) => {
        const stamps = list.map((r) => r.tsMs);
        return `SELECT ${R.fields.value} FROM ${quoteIdent(R.measurement)} WHERE ${quoteIdent(R.tags.meter)} = ${quoteString(meterId)}
          AND time >= ${msLiteral(Math.min(...stamps))} AND time <= ${msLiteral(Math.max(...stamps))}`;
      }),
    );
    const stored = new Map<string, number>();
    byMeter.forEach(([meterId], i) => {
      for (const r of rowsOf(results[i]?.series ?? [])) {
        if (typeof r.value === 'number') stored.set(readingKey(meterId, Number(r.time)), r.value);
      }
    });
    for (const p of pending) stored.set(readingKey(p.meterId, p.tsMs), p.value);
    const outcome = classifyReadings(readings, stored);
    if (outcome.inserted.length > 0) await this.outbox.submit({ readings: outcome.inserted });
    return outcome;
  }

  async readings(
    meterId: string,
    fromMs: number,
    toMs: number,
  ): Promise<(StoredReading & { correction?: Correction })[]> {
    const pending = this.outbox.pending.of(meterId, fromMs, toMs);
    const [[result], corrections] = await Promise.all([
      this.http.query([
        `SELECT ${R.fields.value}, ${R.fields.receivedMs}, ${quoteIdent(R.tags.gateway)} FROM ${quoteIdent(R.measurement)}
         WHERE ${quoteIdent(R.tags.meter)} = ${quoteString(meterId)} AND time >= ${msLiteral(fromMs)} AND time < ${msLiteral(toMs)}`,
      ]),
      this.meta.corrections(),
    ]);
    const byTs = new Map<number, StoredReading>();
    for (const r of rowsOf(result?.series ?? [])) {
      if (typeof r.value !== 'number') continue;
      byTs.set(Number(r.time), {
        meterId,
        tsMs: Number(r.time),
        value: r.value,
        gatewayId: String(r[R.tags.gateway] ?? ''),
        receivedAtMs: Number(r[R.fields.receivedMs] ?? 0),
      });
    }
    for (const p of pending) if (p.tsMs < toMs) byTs.set(p.tsMs, p);
    const fixes = new Map(corrections.filter((c) => c.meterId === meterId).map((c) => [c.tsMs, c]));
    return [...byTs.values()]
      .sort((a, b) => a.tsMs - b.tsMs)
      .map((r) => {
        const correction = fixes.get(r.tsMs);
        return correction === undefined ? r : { ...r, correction };
      });
  }

  readingWindows(requests: readonly WindowRequest[], margin: number): Promise<Map<string, ReadingWindow>> {
    return readingWindows(this.ctx, requests, margin);
  }

  readingTails(margin: number): Promise<Map<string, ReadingWindow>> {
    return readingTails(this.ctx, margin);
  }

  async replaceHourly(
    ranges: readonly HourRange[],
    rows: readonly HourlyConsumption[],
    appendReadings: readonly StoredReading[] = [],
  ): Promise<void> {
    if (ranges.length === 0 && rows.length === 0 && appendReadings.length === 0) return;
    // Same series and time overwrite: only the hours that lose their row need a delete.
    const covered = groupBy(rows, (h) => h.meterId);
    const deletes = ranges.flatMap((r) =>
      uncoveredRuns(r, new Set((covered.get(r.meterId) ?? []).map((h) => h.hourStartMs))),
    );
    await this.outbox.submit({
      deletes,
      readings: appendReadings,
      lines: rows.map((h) => hourlyLine(h, this.state.tagsOf(h.meterId, h.hourStartMs))),
      rollup: rollupSpans(ranges, rows, this.timeZone),
    });
  }

  aggregate(query: AggregateQuery): Promise<AggregateRow[]> {
    return aggregate(this.http, query, this.state.rollup);
  }

  /** From the daily rollup's hour fields when its days serve, else folded from hourly reads in slices. */
  hourOfDayAmounts(query: HourOfDayQuery): Promise<HourOfDayRow[]> {
    const rollup = this.state.rollup;
    if (hourOfDayRollupServes(query, rollup)) return hourOfDayFromRollup(this.http, query, rollup);
    const meters = metersMatching(this.state.registry, query.filter);
    return hourOfDayInSlices((q) => this.aggregate(q), query, meters);
  }

  /** Folded from hourly reads by meter, a time slice at a time. */
  meterHours(query: MeterHoursQuery): Promise<MeterHours> {
    const meters = metersMatching(this.state.registry, query.filter);
    return meterHoursFromHourly((q) => this.aggregate(q), query, meters, METER_HOURS_SLICE_ROWS);
  }

  async addDeadLetters(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await this.meta.addDeadLetters(letters);
    // The copy is for dashboards: never fail (or repeat) the originals because of it.
    await this.outbox
      .submit({ deadLetters: letters })
      .catch((error: unknown) => this.logger?.warn({ err: error }, 'dead-letter copy to InfluxDB dropped'));
  }

  async addCorrection(correction: Correction): Promise<void> {
    await this.meta.addCorrection(correction);
    const { meterId, tsMs } = correction;
    this.state.invalid.set(meterId, (this.state.invalid.get(meterId) ?? new Set()).add(tsMs));
    const [reading] = await this.readings(meterId, tsMs, tsMs + 1);
    if (reading !== undefined) await this.outbox.submit({ lines: [invalidLine(meterId, reading.gatewayId, tsMs)] });
  }
}
