import { groupBy } from '../core/collections.js';
import {
  deriveHourly,
  type HourlyConsumption,
  type RegisterReading,
  WINDOW_MARGIN,
} from '../core/domain/consumption.js';
import type { MetadataChange } from '../core/domain/metadata-change.js';
import type { MeterEvent } from '../core/domain/meter-events.js';
import type { Meter } from '../core/domain/registry.js';
import { floorHour } from '../core/domain/time.js';
import type { HourRange, ReadingWindow, Store, StoredReading } from '../core/storage/store.js';
import { rebuildMeter } from './rebuild.js';
import { appendRecomputeFrom, derivableUntil, END_OF_TIME_MS, trimTail } from './tails.js';

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

function minTs(readings: readonly { tsMs: number }[]): number {
  let min = Number.POSITIVE_INFINITY;
  for (const r of readings) if (r.tsMs < min) min = r.tsMs;
  return min;
}

function maxTs(readings: readonly { tsMs: number }[]): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const r of readings) if (r.tsMs > max) max = r.tsMs;
  return max;
}

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
  /** Meters whose last write failed part-way, with the first instant whose hours may be stale. */
  private readonly unsettled = new Map<string, number>();

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

  /**
   * Stores a batch of validated readings and derives their hours. Calls must not overlap. On a
   * throw nothing in memory is left half-updated: new tails are committed only after the write that
   * stores their readings, and a meter whose write may have partly landed is marked unsettled, so
   * that its next flush first recomputes its hours and reloads its tail from the store.
   */
  async flush(batch: readonly StoredReading[]): Promise<FlushOutcome> {
    const byMeter = groupBy(batch, (r) => r.meterId);
    const step = { wrote: false };
    try {
      await this.catchUp([...byMeter.keys()], step);
      return await this.write(byMeter, step);
    } catch (error) {
      // Before any store call nothing changed (a derivation that threw): the state is as it was.
      if (step.wrote) for (const [meterId, list] of byMeter) this.markUnsettled(meterId, minTs(list));
      throw error;
    }
  }

  private async write(byMeter: Map<string, StoredReading[]>, step: { wrote: boolean }): Promise<FlushOutcome> {
    const fast: StoredReading[] = [];
    const slow: StoredReading[] = [];
    const ranges: HourRange[] = [];
    const rows: HourlyConsumption[] = [];
    const tails = new Map<string, ReadingWindow>();
    for (const [meterId, list] of byMeter) {
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
      // Loops, not spreads: one reading can span ~500,000 hours, beyond the stack's argument limit
      // (issue "No device can stop ingest").
      for (const r of unique) fast.push(r);
      const chain = [...tail.readings, ...unique.map((r) => ({ tsMs: r.tsMs, value: r.value }))];
      const fromMs = appendRecomputeFrom(tail.readings, (unique[0] as StoredReading).tsMs);
      const toMs = derivableUntil((chain.at(-1) as RegisterReading).tsMs);
      ranges.push({ meterId, fromMs, toMs });
      const derived = deriveHourly(meter, chain, fromMs, toMs, this.eventsOf(meterId), {
        atStart: tail.atStart,
        atEnd: true,
      });
      for (const h of derived) rows.push(h);
      tails.set(meterId, trimTail(chain, tail.atStart));
    }
    step.wrote = true;
    await this.store.replaceHourly(ranges, rows, fast);
    for (const [meterId, tail] of tails) this.tails.set(meterId, tail);
    if (slow.length === 0) return { stored: fast.length, duplicates: 0, conflicts: [] };
    const outcome = await this.store.insertReadings(slow);
    // Repeats are recomputed too: a write that failed after storing them (here, or before a
    // restart) may have left their hours stale, and a retry is how they heal.
    const refused = new Set(outcome.conflicts.map((c) => `${c.reading.meterId}\u0000${c.reading.tsMs}`));
    const kept = slow.filter((r) => !refused.has(`${r.meterId}\u0000${r.tsMs}`));
    await this.recompute(
      [...groupBy(kept, (r) => r.meterId)].map(([meterId, list]) => ({
        meterId,
        fromMs: minTs(list),
        toMs: maxTs(list),
      })),
    );
    return {
      stored: fast.length + outcome.inserted.length,
      duplicates: outcome.duplicates,
      conflicts: outcome.conflicts,
    };
  }

  /**
   * Recomputes the unsettled meters among `meterIds` from their first stale instant on (which also
   * reloads their tails), before anything else is written for them.
   */
  private async catchUp(meterIds: readonly string[], step: { wrote: boolean }): Promise<void> {
    const requests: RecomputeRequest[] = [];
    for (const meterId of meterIds) {
      const fromMs = this.unsettled.get(meterId);
      if (fromMs !== undefined) requests.push({ meterId, fromMs });
    }
    if (requests.length === 0) return;
    step.wrote = true;
    await this.recompute(requests);
    if (this.options.soleWriter) await this.reloadTails(requests.map((r) => r.meterId));
    for (const r of requests) this.unsettled.delete(r.meterId);
  }

  private markUnsettled(meterId: string, fromMs: number): void {
    this.unsettled.set(meterId, Math.min(fromMs, this.unsettled.get(meterId) ?? fromMs));
  }

  /**
   * Recomputes the hours that readings or events in each request's [fromMs, toMs] can change: those
   * of the intervals up to WINDOW_MARGIN readings either side. Used for late readings, corrections
   * and lifecycle events (with `toMs` at the end of time: a multiplier change affects everything
   * after it). Many meters take a fixed number of store round trips.
   */
  async recompute(requests: readonly RecomputeRequest[]): Promise<void> {
    try {
      await this.recomputeOnce(requests, 1);
    } catch (error) {
      for (const r of requests) this.markUnsettled(r.meterId, r.fromMs);
      throw error;
    }
  }

  private async recomputeOnce(requests: readonly RecomputeRequest[], attempt: number): Promise<void> {
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
      const derived = deriveHourly(meter, window.readings, span.fromMs, span.toMs, this.eventsOf(span.meterId), window);
      for (const h of derived) rows.push(h);
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
    // Again over at least the hours we just wrote: derived from a window with a gap, they may span
    // more than the window around the request now does.
    const wrote = new Map(spans.map((s) => [s.meterId, s]));
    await this.recomputeOnce(
      requests
        .filter((r) => changed.has(r.meterId))
        .map((r) => {
          const s = wrote.get(r.meterId);
          if (s === undefined) return r;
          const toMs = r.toMs === undefined ? undefined : Math.max(r.toMs, s.toMs - 1);
          return { meterId: r.meterId, fromMs: Math.min(r.fromMs, s.fromMs), ...(toMs === undefined ? {} : { toMs }) };
        }),
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

  /**
   * Applies a lifecycle event or correction another process of a cluster stored (issue "Production
   * parity", item 2): the meter's events are reloaded, so readings derived from now on use them,
   * and the hours the change affects are recomputed here too. The writer recomputed them already;
   * this repeats it (same readings, same events: same hours) for what this process derived between
   * the writer's commit and the notification, without the change. `all` (a lost notification
   * channel) reloads every meter's events. Calls must not overlap with flushes.
   */
  async followChange(change: MetadataChange): Promise<void> {
    if (change.what === 'corrections')
      await this.recompute([{ meterId: change.meterId, fromMs: change.tsMs, toMs: change.tsMs }]);
    if (change.what !== 'meter_events' && change.what !== 'all') return;
    const fresh = await this.reloadEvents(change.what === 'all' ? undefined : change.meterId);
    await this.recompute(fresh.map((e) => ({ meterId: e.meterId, fromMs: e.ts })));
  }

  /** Reloads the events of `meterId` (every meter's when undefined) and returns those new here. */
  private async reloadEvents(meterId?: string): Promise<MeterEvent[]> {
    const stored = (await this.store.meterEvents()).filter((e) => meterId === undefined || e.meterId === meterId);
    const known = new Set(
      (meterId === undefined ? [...this.events.values()].flat() : this.eventsOf(meterId)).map((e) => e.id),
    );
    if (meterId === undefined) this.events = groupBy(stored, (e) => e.meterId);
    else this.events.set(meterId, stored);
    return stored.filter((e) => !known.has(e.id));
  }

  /**
   * Recomputes a meter's hours from all its raw readings and events, replaces the stored hours that
   * differ, and returns how many did. Calls must not overlap with flushes.
   */
  async rebuild(meterId: string): Promise<number> {
    const meter = this.meterOf(meterId);
    if (meter === undefined) return 0;
    const hours = await rebuildMeter(this.store, meter, this.eventsOf(meterId));
    // Everything of the meter is now derived from the store: nothing is left to catch up on.
    if (this.unsettled.delete(meterId) && this.options.soleWriter) await this.reloadTails([meterId]);
    return hours;
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
