import type { Logger } from 'pino';
import { Mutex } from '../../mutex.js';
import type { DeadLetter, HourRange, StoredReading } from '../store.js';
import { InfluxError, type InfluxHttp } from './http.js';
import { PendingReadings } from './pending.js';
import { deadLetterLine, INFLUX, readingLine } from './schema.js';
import { Spool } from './spool.js';

/**
 * One write to InfluxDB, applied as a whole and in order with the others: deletes, then points,
 * then dead-letter copies, then the daily rollup's days (and settles), then re-tagging, then a
 * rollup rebuild.
 * Replaying it (after a crash or a timeout whose write did land) gives the same result: points are
 * keyed by series and time, and the rollup is recomputed from the hours stored.
 */
export interface WriteOp {
  /** Hourly points to delete first, per meter and hour range. */
  readonly deletes?: readonly HourRange[];
  /** Raw readings; while the op is spooled, reads see them through `pending`. */
  readonly readings?: readonly StoredReading[];
  /** Other points (hourly consumption, `invalid` flags), ms precision. */
  readonly lines?: readonly string[];
  /** Dead letters to copy. */
  readonly deadLetters?: readonly DeadLetter[];
  /** Meters' whole local days whose daily rollup is recomputed from their hours once written. */
  readonly rollup?: readonly HourRange[];
  /** Days of the rollup recomputed again once their writes were quiet (settle.ts). */
  readonly settleRollup?: SettleRollup;
  /** Meters whose hourly points must take the tags the registry gives them now. */
  readonly retag?: readonly string[];
  /** Builds the whole daily rollup again (TIMEZONE changed, or none was built). */
  readonly rebuildRollup?: boolean;
}

/** Days of the daily rollup to recompute again once quiet; `repeat`: how many slow settles came before. */
export interface SettleRollup {
  readonly days: readonly HourRange[];
  readonly repeat: number;
}

/** A point InfluxDB refused as bad data (e.g. a field type conflict), with its message. */
export interface RefusedPoint {
  readonly line: string;
  readonly reading?: StoredReading;
  readonly message: string;
}

/** Options of the outbox. */
export interface OutboxOptions {
  readonly http: InfluxHttp;
  readonly spoolDir: string;
  readonly spoolMaxBytes: number;
  readonly logger?: Logger;
  /** Called with the spool's size whenever it changes, in bytes. */
  readonly onSpoolBytes?: (bytes: number) => void;
  /** Points refused as bad data: not retried; the owner dead-letters them. */
  readonly onRefused: (points: readonly RefusedPoint[]) => Promise<void>;
  /** Rewrites meters' hourly points (and their rollup) with their current tags. */
  readonly retag: (meterIds: readonly string[]) => Promise<void>;
  /** Recomputes the daily rollup of meters' days from their hours. */
  readonly rollup: (days: readonly HourRange[]) => Promise<void>;
  /** Recomputes days of the daily rollup again once their writes are quiet (settle.ts). */
  readonly settleRollup: (settle: SettleRollup) => Promise<void>;
  /** Builds the whole daily rollup again. */
  readonly rebuildRollup: () => Promise<void>;
}

/** Lines per write request. */
const WRITE_CHUNK_LINES = 5000;
const BACKOFF_MIN_MS = 200;
const BACKOFF_MAX_MS = 15_000;
/** Spooled ops applied per turn of the drain before letting new writes append. */
const DRAIN_TURN_OPS = 20;

/**
 * Every write of the InfluxDB store goes through here, one at a time and in order. While InfluxDB
 * answers, an op is applied at once. When it fails for any reason but bad data (unreachable, slow
 * beyond the timeout, 5xx, auth), the op and all later ones go to the on-disk spool, which is drained
 * in order, with back-off, once InfluxDB answers `/ping` again. Bad data (a 4xx on write) is split
 * in halves until the refused points are found; they are handed to `onRefused`, never retried.
 */
export class Outbox {
  /** Readings written or spooled but maybe not yet in InfluxDB. */
  readonly pending = new PendingReadings();
  private readonly lock = new Mutex();
  private timer: NodeJS.Timeout | undefined;
  private backoffMs = BACKOFF_MIN_MS;
  private closed = false;
  private lastError: string | undefined;
  private deadSeq = 0;

  private constructor(
    private readonly opts: OutboxOptions,
    private readonly spool: Spool<WriteOp>,
  ) {}

  /** Opens the spool; what an earlier run left in it is drained in the background. */
  static async open(opts: OutboxOptions): Promise<Outbox> {
    const { spool, entries } = await Spool.open<WriteOp>(opts.spoolDir, opts.spoolMaxBytes);
    const outbox = new Outbox(opts, spool);
    for (const e of entries) outbox.pending.add(e.seq, e.op.readings ?? []);
    outbox.report();
    if (!spool.isEmpty) {
      opts.logger?.warn({ spoolBytes: spool.bytes }, 'InfluxDB spool not empty at start; draining it');
      outbox.schedule(0);
    }
    return outbox;
  }

  /** Health: degraded while anything waits in the spool. */
  health(): { status: 'ok' | 'degraded'; spoolBytes: number; pendingReadings: number; lastError?: string } {
    return {
      status: this.spool.isEmpty ? 'ok' : 'degraded',
      spoolBytes: this.spool.bytes,
      pendingReadings: this.pending.size,
      ...(this.spool.isEmpty || this.lastError === undefined ? {} : { lastError: this.lastError }),
    };
  }

  /**
   * Applies an op, or spools it when InfluxDB is unavailable or ops are already spooled. Resolves
   * once it is in InfluxDB or on disk; rejects with a SpoolFullError at the spool's bound.
   */
  submit(op: WriteOp): Promise<void> {
    return this.lock.run(async () => {
      if (this.spool.isEmpty) {
        try {
          await this.apply(op);
          return;
        } catch (error) {
          this.lastError = error instanceof Error ? error.message : String(error);
          this.opts.logger?.warn({ err: error }, 'InfluxDB write failed; spooling until it answers again');
        }
      }
      const seq = await this.spool.append(op);
      this.pending.add(seq, op.readings ?? []);
      this.report();
      this.schedule(this.backoffMs);
    });
  }

  /** Waits for the op in flight; the spool stays on disk for the next start. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.lock.run(async () => undefined);
  }

  private report(): void {
    this.opts.onSpoolBytes?.(this.spool.bytes);
  }

  private schedule(delayMs: number): void {
    if (this.closed || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.drain().catch((error: unknown) => this.opts.logger?.error({ err: error }, 'InfluxDB spool drain failed'));
    }, delayMs);
  }

  private async drain(): Promise<void> {
    // Probe first, outside the lock: a hung server must not hold up new writes, which spool meanwhile.
    const up = await this.opts.http.ping().then(
      () => true,
      (error: unknown) => {
        this.lastError = error instanceof Error ? error.message : String(error);
        return false;
      },
    );
    const progressed =
      up &&
      (await this.lock.run(async () => {
        for (let i = 0; i < DRAIN_TURN_OPS && !this.closed; i++) {
          const entry = await this.spool.peek();
          if (entry === undefined) return true;
          try {
            await this.apply(entry.op);
          } catch (error) {
            this.lastError = error instanceof Error ? error.message : String(error);
            return false;
          }
          await this.spool.shift();
          this.pending.release(entry.seq, entry.op.readings ?? []);
          this.report();
        }
        return true;
      }));
    if (this.spool.isEmpty) {
      this.backoffMs = BACKOFF_MIN_MS;
      this.lastError = undefined;
      this.opts.logger?.info('InfluxDB spool drained');
      return;
    }
    this.backoffMs = progressed ? BACKOFF_MIN_MS : Math.min(this.backoffMs * 2, BACKOFF_MAX_MS);
    this.schedule(progressed ? 0 : this.backoffMs);
  }

  private async apply(op: WriteOp): Promise<void> {
    const { http } = this.opts;
    await http.delete(
      INFLUX.hourly.measurement,
      (op.deletes ?? []).map((d) => ({
        tags: { [INFLUX.hourly.tags.meter]: d.meterId },
        fromMs: d.fromMs,
        toMs: d.toMs,
      })),
    );
    const byLine = new Map((op.readings ?? []).map((r) => [readingLine(r), r]));
    const refused = await this.write([...byLine.keys(), ...(op.lines ?? [])], 'ms');
    const letters = (op.deadLetters ?? []).map((d) => deadLetterLine(d, this.deadSeq++));
    const refusedLetters = await this.write(letters, 'ns');
    if (refusedLetters.length > 0) this.opts.logger?.warn({ refused: refusedLetters }, 'dead-letter copies refused');
    if (refused.length > 0) await this.opts.onRefused(refused.map((p) => ({ ...p, reading: byLine.get(p.line) })));
    if (op.rollup !== undefined && op.rollup.length > 0) await this.opts.rollup(op.rollup);
    if (op.settleRollup !== undefined && op.settleRollup.days.length > 0) await this.opts.settleRollup(op.settleRollup);
    if (op.retag !== undefined && op.retag.length > 0) await this.opts.retag(op.retag);
    if (op.rebuildRollup === true) await this.opts.rebuildRollup();
  }

  /** Writes lines in chunks; returns the lines refused as bad data. */
  private async write(lines: readonly string[], precision: 'ms' | 'ns'): Promise<RefusedPoint[]> {
    const refused: RefusedPoint[] = [];
    for (let i = 0; i < lines.length; i += WRITE_CHUNK_LINES) {
      await this.writeOrSplit(lines.slice(i, i + WRITE_CHUNK_LINES), precision, refused);
    }
    return refused;
  }

  private async writeOrSplit(lines: readonly string[], precision: 'ms' | 'ns', refused: RefusedPoint[]): Promise<void> {
    try {
      await this.opts.http.write(lines, precision);
    } catch (error) {
      if (!(error instanceof InfluxError) || !error.badData) throw error;
      // 1.x writes the good points of a partial write; writing them again is harmless.
      const [only] = lines;
      if (lines.length === 1 && only !== undefined) refused.push({ line: only, message: error.message });
      else {
        const half = Math.ceil(lines.length / 2);
        await this.writeOrSplit(lines.slice(0, half), precision, refused);
        await this.writeOrSplit(lines.slice(half), precision, refused);
      }
    }
  }
}
