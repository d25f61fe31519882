import type { Logger } from 'pino';
import type { RegisterReading } from '../core/domain/consumption.js';
import {
  type ManualEntryRequest,
  type ManualOutcome,
  type ManualPlan,
  type ManualProblem,
  type PlannedReading,
  planDeliveries,
  planRegisterReadings,
  type RegisterBounds,
} from '../core/domain/manual-readings.js';
import type { MeterEventInput } from '../core/domain/meter-events.js';
import type { Reading } from '../core/domain/reading.js';
import { type Meter, meterKind } from '../core/domain/registry.js';
import { Mutex } from '../core/mutex.js';
import type { RegistryHolder } from '../core/registry-holder.js';
import type { SeriesStore } from '../core/storage/store.js';
import { END_OF_TIME_MS } from './tails.js';
import { type IngestLimits, readingProblem, validateOptions } from './validate.js';

/** What manual entry needs of ingest: its path to the store, and the meters' lifecycle events. */
export interface ManualIngest {
  /**
   * Queues readings on the ingest path (write-ahead log, batches, duplicate and conflict checks,
   * derivation); with `untilStored`, resolves once they are stored or dead-lettered.
   */
  accept(source: string, readings: readonly Reading[], receivedAtMs: number, untilStored: boolean): Promise<void>;
  eventsOf(meterId: string): readonly MeterEventInput[];
}

/** What manual entry needs of the platform: the pipeline's options. */
export interface ManualEntryOptions extends IngestLimits {
  readonly store: Pick<SeriesStore, 'readings' | 'readingWindows'>;
  readonly registry: RegistryHolder;
  readonly logger: Logger;
  readonly now?: () => number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Readings and deliveries users enter for manual meters (issue 15, item 5), all or nothing: every
 * item is checked as a gateway's reading would be (`readingProblem`) and against what is stored
 * (a different value at a stored instant is a conflict), and one bad item refuses the whole entry
 * with a problem naming its field, since a user is there to fix the form. Valid entries take the
 * pipeline's path and are answered once stored. Entries are taken one at a time, so that
 * deliveries count on from a register no other entry is moving.
 */
export class ManualEntries {
  private readonly line = new Mutex();

  constructor(
    private readonly ingest: ManualIngest,
    private readonly deps: ManualEntryOptions,
  ) {}

  /** Checks and stores one entry. */
  enter(request: ManualEntryRequest): Promise<ManualOutcome> {
    return this.line.run(() => this.enterNow(request));
  }

  private async enterNow({ meterId, entry, source }: ManualEntryRequest): Promise<ManualOutcome> {
    const meter = this.deps.registry.meter(meterId);
    if (meter === undefined || meterKind(meter) !== 'manual')
      return { outcome: 'invalid', problems: [{ path: 'id', message: `meter "${meterId}" is not a manual meter` }] };
    const nowMs = (this.deps.now ?? Date.now)();
    const options = validateOptions(this.deps, (id) => this.ingest.eventsOf(id), nowMs);
    const plan = await this.plan(meter, entry);
    const problems = [...plan.problems];
    for (const p of plan.planned) {
      const problem = readingProblem(meter, p, options);
      if (problem !== undefined)
        problems.push({ path: problem.label === 'out_of_range' ? p.valuePath : p.tsPath, message: problem.reason });
    }
    if (problems.length > 0 || plan.planned.length === 0) return { outcome: 'invalid', problems };
    const stored = await this.storedValues(meterId, plan.planned);
    const fresh: PlannedReading[] = [];
    for (const p of plan.planned) {
      const value = stored.get(p.tsMs);
      if (value === undefined) fresh.push(p);
      else if (value !== p.value)
        problems.push({
          path: p.valuePath,
          message: `a reading at ${iso(p.tsMs)} is stored already with value ${value}; raw readings are immutable`,
        });
    }
    if (problems.length > 0) return { outcome: 'invalid', problems };
    const receivedAtMs = nowMs;
    const readings = fresh.map((p) => ({ meterId, tsMs: p.tsMs, value: p.value }));
    if (fresh.length > 0) await this.ingest.accept(source, readings, receivedAtMs, true);
    const missing = await this.notStored(meterId, fresh);
    if (missing.length > 0) return { outcome: 'not_stored', problems: missing };
    this.deps.logger.info({ meterId, source, readings: fresh.length }, 'manual readings entered');
    return {
      outcome: 'stored',
      readings: plan.planned.map((p): RegisterReading => ({ tsMs: p.tsMs, value: p.value })),
      stored: fresh.length,
      duplicates: plan.planned.length - fresh.length,
      receivedAtMs,
    };
  }

  private async plan(meter: Meter, entry: ManualEntryRequest['entry']): Promise<ManualPlan> {
    if (entry.readings !== undefined) return planRegisterReadings(entry.readings);
    if (meter.multiplier !== 1) {
      const message = `deliveries are counted as entered: the meter's multiplier must be 1 (it is ${meter.multiplier})`;
      return { planned: [], problems: [{ path: 'amounts', message }] };
    }
    return planDeliveries(entry.amounts ?? [], await this.registerBounds(meter.id));
  }

  /** The oldest and newest valid readings of a meter's register. */
  private async registerBounds(meterId: string): Promise<RegisterBounds> {
    const { store } = this.deps;
    const newest = await store.readingWindows([{ meterId, fromMs: END_OF_TIME_MS, toMs: END_OF_TIME_MS }], 1);
    // Around 1970: the first reading after it (or the newest before it; readings start in 2000 by default).
    const oldest = await store.readingWindows([{ meterId, fromMs: 0, toMs: 0 }], 1);
    const last = newest.get(meterId)?.readings.at(-1);
    const first = oldest.get(meterId)?.readings[0];
    return { ...(first === undefined ? {} : { first }), ...(last === undefined ? {} : { last }) };
  }

  /** The stored values (valid or not) at the instants of `planned`, by instant. */
  private async storedValues(meterId: string, planned: readonly PlannedReading[]): Promise<Map<number, number>> {
    const fromMs = planned[0]?.tsMs ?? 0;
    const toMs = (planned.at(-1)?.tsMs ?? 0) + 1;
    const wanted = new Set(planned.map((p) => p.tsMs));
    const rows = await this.deps.store.readings(meterId, fromMs, toMs);
    return new Map(rows.filter((r) => wanted.has(r.tsMs)).map((r) => [r.tsMs, r.value]));
  }

  /** Readings the pipeline took but did not store (quarantined as `store_failed`, or a conflict raced in). */
  private async notStored(meterId: string, fresh: readonly PlannedReading[]): Promise<ManualProblem[]> {
    if (fresh.length === 0) return [];
    const stored = await this.storedValues(meterId, fresh);
    return fresh
      .filter((p) => stored.get(p.tsMs) !== p.value)
      .map((p) => ({
        path: p.tsPath,
        message: `not stored (see the dead letters of meter "${meterId}"): send the entry again`,
      }));
  }
}
