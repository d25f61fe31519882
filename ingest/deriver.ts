import { groupBy } from '../core/collections.js';
import {
  deriveHourly,
  type HourlyConsumption,
  type RegisterReading,
  WINDOW_MARGIN,
} from '../core/domain/consumption.js';
import type { MeterEvent } from '../core/domain/meter-events.js';
import type { Meter } from '../core/domain/registry.js';
import { floorHour } from '../core/domain/time.js';
import type { HourRange, ReadingWindow, Store, StoredReading } from '../core/storage/store.js';
import { appendRecomputeFrom, derivableUntil, trimTail } from './tails.js';

/** What one flush did. */
export interface FlushOutcome {
  readonly stored: number;
  readonly duplicates: number;
  readonly conflicts: { reading: StoredReading; storedValue: number }[];
}

/** Hours to recompute for the readings or events of a meter in [fromMs, toMs] (to the end when absent). */
export interface RecomputeRequest {
  readonly meterId: string;
  readonly fromMs: number;
  readonly toMs?: number;
}

/** Recomputes of one request while other writers keep changing its readings, before leaving it to them. */
const MAX_SETTLE_ATTEMPTS = 8;

/** Whether two windows hold the same readings (instants and values). */
function sameReadings(a: ReadingWindow | undefined, b: ReadingWindow | undefined): boolean {
  const x = a?.readings ?? [];
  const y = b?.readings ?? [];
  return x.length === y.length && x.every((r, i) => r.tsMs === y[i]?.tsMs && r.value === y[i]?.value);
}

/** A far-future bound for "to the end of the meter's data". */
const END_OF_TIME_MS = Date.parse('2200-01-01T00:00:00Z');

/**
 * Stores readings and keeps each meter's hourly consumption derived from them and from its
 * lifecycle events.
 *
 * Per meter it keeps the "tail" of its register (its newest readings, enough to derive what the
 * next reading changes). Readings newer than the tail (the usual live case) are appended and their
 * hours derived from the tail alone, with no read from the store. Older readings (late, out of
 * order, repeated) take the slow path: stored with a duplicate check, then exactly the hours their
 * neighbouring intervals touch are recomputed from the store. The fast path assumes this process is
 * the only writer (the embedded default); with `soleWriter: false` every reading takes the slow path.
 */
export class Deriver {
  private tails = new Map<string, ReadingWindow>();
  private events = new Map<string, MeterEvent[]>();

  constructor(
    private readonly store: Store,
    private readonly meterOf: (id: string) => Meter | undefined,
    private readonly options: { readonly soleWriter: boolean } = { soleWriter: true },
  ) {}

  /** Loads every meter's tail and lifecycle events from the store; call once before the first flush. */
  async start(): Promise<void> {
    this.tails = await this.store.readingTails(WINDOW_MARGIN);
    this.events = groupBy(await this.store.meterEvents(), (e) => e.meterId);
  }

  /** A meter's lifecycle events, by time. */
  eventsOf(meterId: string): readonly MeterEvent[] {
    return this.events.get(meterId) ?? [];
  }

  /** Stores a batch of validated readings and derives their hours. Calls must not overlap. */
  async flush(batch: readonly StoredReading[]): Promise<FlushOutcome> {
    const fast: StoredReading[] = [];
    const slow: StoredReading[] = [];
    const ranges: HourRange[] = [];
    const rows: HourlyConsumption[] = [];
    for (const [meterId, list] of groupBy(batch, (r) => r.meterId)) {
      const meter = this.meterOf(meterId);
      if (meter === undefined) continue;
      list.sort((a, b) => a.tsMs - b.tsMs);
      const tail = this.tails.get(meterId) ?? { readings: [], atStart: true, atEnd: true };
      const lastTs = tail.readings.at(-1)?.tsMs ?? Number.NEGATIVE_INFINITY;
      const unique: StoredReading[] = [];
      for (const r of list) {
        // Older than the tail, or an in-batch repeat of an instant: the slow path checks them.
        // Another writer's readings are not in our tails: then every reading is checked (issue
        // "Durability and scale-out", external multi-worker mode).
        if (!this.options.soleWriter || r.tsMs <= lastTs || unique.at(-1)?.tsMs === r.tsMs) slow.push(r);
        else unique.push(r);
      }
      if (unique.length === 0) continue;
      fast.push(...unique);
      const chain = [...tail.readings, ...unique.map((r) => ({ tsMs: r.tsMs, value: r.value }))];
      const fromMs = appendRecomputeFrom(tail.readings, (unique[0] as StoredReading).tsMs);
      const toMs = derivableUntil((chain.at(-1) as RegisterReading).tsMs);
      ranges.push({ meterId, fromMs, toMs });
      rows.push(
        ...deriveHourly(meter, chain, fromMs, toMs, this.eventsOf(meterId), { atStart: tail.atStart, atEnd: true }),
      );
      this.tails.set(meterId, trimTail(chain, tail.atStart));
    }
    await this.store.replaceHourly(ranges, rows, fast);
    if (slow.length === 0) return { stored: fast.length, duplicates: 0, conflicts: [] };
    const outcome = await this.store.insertReadings(slow);
    await this.recompute(
      [...groupBy(outcome.inserted, (r) => r.meterId)].map(([meterId, inserted]) => {
        const stamps = inserted.map((r) => r.tsMs);
        return { meterId, fromMs: Math.min(...stamps), toMs: Math.max(...stamps) };
      }),
    );
    return {
      stored: fast.length + outcome.inserted.length,
      duplicates: outcome.duplicates,
      conflicts: outcome.conflicts,
    };
  }

  /**
   * Recomputes the hours that readings or events in each request's [fromMs, toMs] can change: those
   * of the intervals up to WINDOW_MARGIN readings either side. Used for late readings, corrections
   * and lifecycle events (with `toMs` at the end of time: a multiplier change affects everything
   * after it). Many meters take a fixed number of store round trips.
   */
  async recompute(requests: readonly RecomputeRequest[], attempt = 1): Promise<void> {
    const known = requests.filter((r) => this.meterOf(r.meterId) !== undefined);
    if (known.length === 0) return;
    const around = await this.store.readingWindows(
      known.map((r) => ({ meterId: r.meterId, fromMs: r.fromMs, toMs: r.toMs ?? END_OF_TIME_MS })),
      WINDOW_MARGIN,
    );
    const spans: HourRange[] = [];
    for (const r of known) {
      const readings = around.get(r.meterId)?.readings ?? [];
      const first = readings[0];
      const last = readings.at(-1);
      if (first === undefined || last === undefined) continue;
      spans.push({
        meterId: r.meterId,
        fromMs: floorHour(Math.min(first.tsMs, r.fromMs)),
        toMs: derivableUntil(last.tsMs),
      });
    }
    const windows = await this.store.readingWindows(spans, WINDOW_MARGIN);
    const rows: HourlyConsumption[] = [];
    for (const span of spans) {
      const window = windows.get(span.meterId);
      const meter = this.meterOf(span.meterId);
      if (window === undefined || meter === undefined) continue;
      rows.push(...deriveHourly(meter, window.readings, span.fromMs, span.toMs, this.eventsOf(span.meterId), window));
    }
    await this.store.replaceHourly(spans, rows);
    // Tails serve the sole writer's fast path only; other writers' readings are never in them.
    if (this.options.soleWriter) await this.reloadTails(spans.map((s) => s.meterId));
    else await this.settle(known, spans, windows, attempt);
  }

  /**
   * With other writers, another worker may have stored a neighbouring reading between our read and
   * our write, and our hours (derived without it) may have overwritten its. Re-reading after the
   * write closes that: if every window is unchanged, every reading stored before our write was in
   * it, and a writer that stores one later also writes these hours later, from a read that sees
   * ours. Changed windows are recomputed again.
   */
  private async settle(
    requests: readonly RecomputeRequest[],
    spans: readonly HourRange[],
    used: ReadonlyMap<string, ReadingWindow>,
    attempt: number,
  ): Promise<void> {
    const now = await this.store.readingWindows(spans, WINDOW_MARGIN);
    const changed = new Set(
      spans.filter((s) => !sameReadings(used.get(s.meterId), now.get(s.meterId))).map((s) => s.meterId),
    );
    // Readings that keep changing are another writer's, which settles them (and ours with them)
    // after its own write: past a few rounds, leaving the last word to it is safe.
    if (changed.size === 0 || attempt >= MAX_SETTLE_ATTEMPTS) return;
    await this.recompute(
      requests.filter((r) => changed.has(r.meterId)),
      attempt + 1,
    );
  }

  /** Records a lifecycle event (already stored) and recomputes from the reading before it to the end. */
  async applyEvent(event: MeterEvent): Promise<void> {
    await this.applyEvents([event]);
  }

  /** Records lifecycle events (already stored) and recomputes their meters from each event on. */
  async applyEvents(events: readonly MeterEvent[]): Promise<void> {
    for (const event of events) {
      this.events.set(
        event.meterId,
        [...this.eventsOf(event.meterId), event].sort((a, b) => a.ts - b.ts),
      );
    }
    await this.recompute(events.map((e) => ({ meterId: e.meterId, fromMs: e.ts })));
  }

  private async reloadTails(meterIds: readonly string[]): Promise<void> {
    const newest = await this.store.readingWindows(
      meterIds.map((meterId) => ({ meterId, fromMs: END_OF_TIME_MS, toMs: END_OF_TIME_MS })),
      3,
    );
    const requests: HourRange[] = [];
    for (const meterId of meterIds) {
      const readings = newest.get(meterId)?.readings ?? [];
      const third = readings.at(-3) ?? readings[0];
      const last = readings.at(-1);
      if (third === undefined || last === undefined) this.tails.delete(meterId);
      else requests.push({ meterId, fromMs: floorHour(third.tsMs), toMs: last.tsMs });
    }
    const tails = await this.store.readingWindows(requests, WINDOW_MARGIN);
    for (const [meterId, tail] of tails) this.tails.set(meterId, { ...tail, atEnd: true });
  }
}
