import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { bucketStarts, nextBucketStart } from '../../domain/time.js';
import type { HourRange } from '../store.js';
import type { SettleRollup } from './outbox.js';

/** How the InfluxDB store settles its daily rollup when several processes write one database. */
export interface RollupSettleOptions {
  /**
   * Quiet time after this store's last op touching a meter-day before the day is recomputed again,
   * in ms (default 500); 0 turns settling off (right only for a database with one writer). Give
   * every writer of a database the same value: the argument in `RollupSettler` needs it.
   */
  readonly delayMs?: number;
  /** Meter-days waiting at most (default 100,000); when full, all settle at once (logged). */
  readonly maxPending?: number;
  /** Settles of a meter-day repeated for being slow (read to write ≥ `delayMs`), at most (default 3; then logged). */
  readonly maxRepeats?: number;
  /** Test seam: awaited between a recompute's read of the hours and its write of the days. */
  readonly beforeWrite?: (days: readonly HourRange[], settle: boolean) => Promise<void>;
}

/** What the settler needs of its store. */
export interface RollupSettlerDeps extends RollupSettleOptions {
  readonly timeZone: string;
  /** Recomputes days of the rollup from the hours (rollup.ts `recomputeDaily`). */
  readonly recompute: (days: readonly HourRange[], beforeWrite?: () => Promise<void>) => Promise<void>;
  /** Queues a settle in the store's outbox (in order with its writes; spooled during an outage). */
  readonly submit: (settle: SettleRollup) => Promise<void>;
  readonly logger?: Logger;
}

interface Entry {
  readonly meterId: string;
  readonly dayMs: number;
  /** `performance.now()` from which the settle may run. */
  dueMs: number;
  repeat: number;
}

const DEFAULT_DELAY_MS = 500;
const DEFAULT_MAX_PENDING = 100_000;
const DEFAULT_MAX_REPEATS = 3;
/** Spans (runs of days of a meter) per timed recompute of a settle. */
const SETTLE_CHUNK_SPANS = 500;

/** Runs of consecutive local days of each meter. */
function runsOf(entries: readonly Entry[], timeZone: string): HourRange[] {
  const sorted = [...entries].sort((a, b) =>
    a.meterId < b.meterId ? -1 : a.meterId > b.meterId ? 1 : a.dayMs - b.dayMs,
  );
  const runs: { meterId: string; fromMs: number; toMs: number }[] = [];
  for (const e of sorted) {
    const last = runs.at(-1);
    const next = nextBucketStart(e.dayMs, 'day', timeZone);
    if (last !== undefined && last.meterId === e.meterId && last.toMs === e.dayMs) last.toMs = next;
    else runs.push({ meterId: e.meterId, fromMs: e.dayMs, toMs: next });
  }
  return runs;
}

/**
 * Makes the daily rollup converge to the stored hours when several processes write one database.
 * An op recomputes its days from the hours it reads after writing its own; another worker's hours
 * stored after that read are missed, and if this stale write lands after that worker's fresh one
 * the day stays short. So each store, once its ops on a meter-day have been quiet for `delayMs`,
 * recomputes the day again (a settle, coalesced per meter-day, through the outbox).
 *
 * Why the last daily write of a day D is fresh, once writes stop (same `delayMs` everywhere; the
 * hours a read sees are those acknowledged before it started, as on one influxd). Let T be when
 * the last hour write to D is acknowledged, by worker X; a read starting after T is fresh.
 * 1. Every recompute is followed by a settle of the same worker, which reads after it has
 *    written (the outbox runs one op at a time; a settle is armed when its op has been applied,
 *    from the spool too). So the last daily write L, by worker Y, is a settle (else Y's settle
 *    lands after it), unless that settle was given up (logged: store closed, spool full, cap).
 * 2. X's settle reads at or after T + delayMs (armed after its op, which included that write).
 * 3. If L read before T it is stale, and it landed after X's settle, so its read-to-write took
 *    longer than delayMs: Y saw that and settles D again, after L: so L was not the last.
 * Hence L read after T: it is fresh. Settles can themselves be stale (read before another
 * worker's write), but only a slow one can land last, and slow ones repeat (`maxRepeats`). Reads
 * of D are short only between a stale write and the next settle, about `delayMs`.
 */
export class RollupSettler {
  private readonly pending = new Map<string, Entry>();
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private closing = false;
  private closed = false;
  private readonly delayMs: number;
  private readonly maxPending: number;
  private readonly maxRepeats: number;

  constructor(private readonly deps: RollupSettlerDeps) {
    this.delayMs = deps.delayMs ?? DEFAULT_DELAY_MS;
    this.maxPending = deps.maxPending ?? DEFAULT_MAX_PENDING;
    this.maxRepeats = deps.maxRepeats ?? DEFAULT_MAX_REPEATS;
  }

  /** Meter-days waiting for their settle. */
  get size(): number {
    return this.pending.size;
  }

  /** The outbox's `rollup`: recomputes an op's days, then arms their settle. */
  async recompute(days: readonly HourRange[]): Promise<void> {
    await this.deps.recompute(days, this.hook(days, false));
    this.arm(days, 0);
  }

  /** The outbox's `settleRollup`: recomputes the days a chunk at a time; a slow chunk settles again. */
  async settle({ days, repeat }: SettleRollup): Promise<void> {
    for (let i = 0; i < days.length; i += SETTLE_CHUNK_SPANS) {
      const chunk = days.slice(i, i + SETTLE_CHUNK_SPANS);
      const startMs = performance.now();
      await this.deps.recompute(chunk, this.hook(chunk, true));
      if (this.delayMs <= 0 || performance.now() - startMs < this.delayMs) continue;
      if (repeat < this.maxRepeats) this.arm(chunk, repeat + 1);
      else
        this.deps.logger?.warn(
          { spans: chunk.length, repeats: repeat },
          'daily rollup: settles stayed slow; with several writers these days may stay short until their next write',
        );
    }
  }

  /** Resolves once every meter-day armed so far (and armed meanwhile) has settled. */
  async settled(): Promise<void> {
    while (this.pending.size > 0 || this.inFlight.size > 0) {
      if (this.pending.size > 0) {
        const waitMs = this.nextDueMs() - performance.now();
        if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
        this.fire(performance.now());
      }
      if (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    }
  }

  /** Settles what waits (each after its quiet time, as usual), then arms nothing more. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.settled();
    this.closed = true;
  }

  private hook(days: readonly HourRange[], settle: boolean): (() => Promise<void>) | undefined {
    const { beforeWrite } = this.deps;
    return beforeWrite === undefined ? undefined : () => beforeWrite(days, settle);
  }

  private arm(days: readonly HourRange[], repeat: number): void {
    if (this.delayMs <= 0) return;
    if (this.closed) {
      this.deps.logger?.warn({ spans: days.length }, 'daily rollup: store closed; these days are not settled');
      return;
    }
    const dueMs = performance.now() + this.delayMs;
    for (const d of days) {
      for (const dayMs of bucketStarts(d.fromMs, d.toMs, 'day', this.deps.timeZone)) {
        const key = `${d.meterId}\u0000${dayMs}`;
        const entry = this.pending.get(key);
        if (entry !== undefined) {
          entry.dueMs = dueMs;
          entry.repeat = Math.min(entry.repeat, repeat);
          continue;
        }
        if (this.pending.size >= this.maxPending) {
          this.deps.logger?.warn(
            { meterDays: this.pending.size },
            'daily rollup: too many days waiting to settle; settling them now, before their writes are quiet',
          );
          this.fire(Number.POSITIVE_INFINITY);
        }
        this.pending.set(key, { meterId: d.meterId, dayMs, dueMs, repeat });
      }
    }
    this.schedule();
  }

  private nextDueMs(): number {
    let next = Number.POSITIVE_INFINITY;
    for (const e of this.pending.values()) if (e.dueMs < next) next = e.dueMs;
    return next;
  }

  private schedule(): void {
    if (this.closing || this.timer !== undefined || this.pending.size === 0) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.fire(performance.now());
        this.schedule();
      },
      Math.max(0, Math.ceil(this.nextDueMs() - performance.now())),
    );
    this.timer.unref();
  }

  /** Submits the settles of the meter-days due at `untilMs`, one op per repeat count. */
  private fire(untilMs: number): void {
    const due = new Map<number, Entry[]>();
    for (const [key, e] of this.pending) {
      if (e.dueMs > untilMs) continue;
      this.pending.delete(key);
      const list = due.get(e.repeat);
      if (list === undefined) due.set(e.repeat, [e]);
      else list.push(e);
    }
    for (const [repeat, entries] of due) {
      const submitted: Promise<void> = this.deps
        .submit({ days: runsOf(entries, this.deps.timeZone), repeat })
        .catch((error: unknown) =>
          this.deps.logger?.error(
            { err: error, meterDays: entries.length },
            'daily rollup: a settle could be neither written nor spooled; with several writers these days may stay short until their next write',
          ),
        )
        .finally(() => this.inFlight.delete(submitted));
      this.inFlight.add(submitted);
    }
  }
}
