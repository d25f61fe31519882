import type { Logger } from 'pino';
import type { MeterEvent } from '../core/domain/meter-events.js';
import type { Metrics } from '../core/metrics.js';
import { Mutex } from '../core/mutex.js';
import type { RegistryHolder } from '../core/registry-holder.js';
import type { Correction, DeadLetter, Store, StoredReading } from '../core/storage/store.js';
import { Deriver } from './deriver.js';
import { type Rejection, validateMessage } from './validate.js';
import type { WriteAheadLog } from './wal/log.js';
import { decodeReadingsRecord, encodeReadingsRecord } from './wal/readings-record.js';

/** Options of the ingest pipeline. */
export interface PipelineOptions {
  readonly store: Store;
  readonly registry: RegistryHolder;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Readings per store write, at most. */
  readonly batchMax: number;
  /** Longest a reading waits before its batch is written, in ms. */
  readonly flushMs: number;
  readonly clockSkewMaxMs: number;
  readonly now?: () => number;
  /**
   * With a write-ahead log, `submit` resolves once the message's readings are fsync'd in it (so the
   * PUBACK means "on disk"), records not yet stored are replayed at `start`, and the log is
   * checkpointed after each store write. Without one, `submit` resolves once they are queued.
   */
  readonly wal?: WriteAheadLog;
  /**
   * False when other processes write the same store (external broker, several workers): every
   * reading then takes the Deriver's store-checked path. Default true.
   */
  readonly soleWriter?: boolean;
  /**
   * `submit` resolves once the message's readings are in the store (external broker mode): a
   * worker then holds nothing the broker would not redeliver, and needs no write-ahead log. Batches
   * are written as soon as the previous write ends (messages waiting meanwhile make the next batch).
   */
  readonly ackAfterStore?: boolean;
}

/** A message whose submit waits until all its readings are stored. */
interface StoreAck {
  left: number;
  readonly resolve: () => void;
}

/** A queued reading, the WAL position of its message (0: not logged), and its message's wait. */
interface Queued {
  readonly reading: StoredReading;
  readonly seq: number;
  readonly ack?: StoreAck;
}

/**
 * parse → validate → check registry → batch → store → derive. Messages are validated as they
 * arrive; valid readings wait in a queue that is written in batches, one write at a time (with
 * lifecycle events and corrections, which recompute derived hours, in the same line). When the
 * queue holds more than two batches, `submit` waits, which holds back the broker's PUBACK and so
 * slows publishers instead of growing memory.
 */
export class IngestPipeline {
  private readonly deriver: Deriver;
  /** Everything that changes derived data goes through here, one at a time. */
  private readonly line = new Mutex();
  private queue: Queued[] = [];
  /** WAL positions whose readings are not all stored yet, with how many are left (by position). */
  private readonly unstored = new Map<number, number>();
  private deadQueue: DeadLetter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing = false;
  private waiters: (() => void)[] = [];
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly opts: PipelineOptions) {
    this.deriver = new Deriver(opts.store, (id) => opts.registry.meter(id), { soleWriter: opts.soleWriter ?? true });
    this.now = opts.now ?? Date.now;
  }

  /** Loads the Deriver's state, then replays and stores what the WAL holds beyond its checkpoint. */
  async start(): Promise<void> {
    await this.deriver.start();
    const { wal } = this.opts;
    if (wal === undefined || wal.unstored.length === 0) return;
    let readings = 0;
    for (const record of wal.unstored) {
      const { gatewayId, receivedAtMs, readings: list } = decodeReadingsRecord(record.payload);
      this.unstored.set(record.seq, list.length);
      for (const r of list) this.queue.push({ reading: { ...r, gatewayId, receivedAtMs }, seq: record.seq });
      readings += list.length;
    }
    this.opts.logger.info({ messages: wal.unstored.length, readings }, 'replaying the write-ahead log');
    await this.drain();
  }

  /** Writes what is queued and stops accepting. */
  async stop(): Promise<void> {
    await this.drain();
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** Validates one readings message of a gateway and queues its valid readings. */
  async submit(gatewayId: string, topic: string, payload: string): Promise<void> {
    const nowMs = this.now();
    const decommissionedAt = (meterId: string) =>
      this.deriver.eventsOf(meterId).find((e) => e.type === 'decommission')?.ts;
    const { readings, rejections } = validateMessage(
      this.opts.registry,
      gatewayId,
      payload,
      nowMs,
      this.opts.clockSkewMaxMs,
      decommissionedAt,
    );
    if (rejections.length > 0) this.reject(rejections, { gatewayId, topic, receivedAtMs: nowMs });
    let seq = 0;
    let durable: Promise<void> | undefined;
    if (this.opts.wal !== undefined && readings.length > 0) {
      ({ seq, durable } = this.opts.wal.append(encodeReadingsRecord({ gatewayId, receivedAtMs: nowMs, readings })));
      this.unstored.set(seq, readings.length);
    }
    let stored: Promise<void> | undefined;
    let ack: StoreAck | undefined;
    if (this.opts.ackAfterStore === true && readings.length > 0) {
      stored = new Promise<void>((resolve) => {
        ack = { left: readings.length, resolve };
      });
    }
    for (const r of readings)
      this.queue.push({
        reading: { ...r, gatewayId, receivedAtMs: nowMs },
        seq,
        ...(ack === undefined ? {} : { ack }),
      });
    this.opts.metrics.ingestQueueReadings.set(this.queue.length);
    this.schedule();
    if (this.queue.length > this.opts.batchMax * 2) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    await durable;
    await stored;
  }

  /** Records rejected readings or messages in the dead letters, counted by reason. */
  reject(rejections: readonly Rejection[], where: { gatewayId?: string; topic?: string; receivedAtMs: number }): void {
    for (const r of rejections) {
      this.opts.metrics.readingsRejected.inc({ reason: r.label });
      this.opts.logger.warn({ gatewayId: where.gatewayId, meterId: r.meterId, reason: r.reason }, 'reading rejected');
      this.deadQueue.push({ ...where, reason: r.reason, raw: r.raw, meterId: r.meterId, tsMs: r.tsMs });
    }
    this.schedule();
  }

  /** A meter's lifecycle events, by time. */
  eventsOf(meterId: string): readonly MeterEvent[] {
    return this.deriver.eventsOf(meterId);
  }

  /** Stores a lifecycle event and recomputes the periods it affects. */
  addEvent(event: MeterEvent): Promise<void> {
    return this.line.run(async () => {
      await this.opts.store.addMeterEvent(event);
      await this.deriver.applyEvent(event);
    });
  }

  /** Stores a correction (a reading marked invalid) and recomputes the hours around the reading. */
  addCorrection(correction: Correction): Promise<void> {
    return this.line.run(async () => {
      await this.opts.store.addCorrection(correction);
      await this.deriver.recompute([{ meterId: correction.meterId, fromMs: correction.tsMs, toMs: correction.tsMs }]);
    });
  }

  /** Writes everything queued now; resolves when it is in the store. */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.deadQueue.length > 0) await this.flushNow();
    await this.line.run(async () => undefined);
  }

  private schedule(): void {
    if (this.stopped || this.timer || this.writing) return;
    const full = this.queue.length >= this.opts.batchMax;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.flushNow().catch((error: unknown) => this.opts.logger.error({ err: error }, 'ingest flush failed'));
      },
      full || this.opts.ackAfterStore === true ? 0 : this.opts.flushMs,
    );
  }

  private flushNow(): Promise<void> {
    this.writing = true;
    return this.line
      .run(() => this.write())
      .finally(() => {
        this.writing = false;
        if (this.queue.length > 0 || this.deadQueue.length > 0) this.schedule();
      });
  }

  private async write(): Promise<void> {
    const queued = this.queue.splice(0, this.opts.batchMax);
    const batch = queued.map((q) => q.reading);
    const dead = this.deadQueue.splice(0);
    this.opts.metrics.ingestQueueReadings.set(this.queue.length);
    if (this.queue.length <= this.opts.batchMax * 2) for (const wake of this.waiters.splice(0)) wake();
    const { metrics, store } = this.opts;
    if (batch.length > 0) {
      const end = metrics.storeWriteSeconds.startTimer();
      try {
        const outcome = await this.deriver.flush(batch);
        metrics.readingsAccepted.inc(outcome.stored);
        metrics.readingsDuplicate.inc(outcome.duplicates);
        metrics.batchSizeReadings.observe(batch.length);
        for (const c of outcome.conflicts) {
          metrics.readingsRejected.inc({ reason: 'conflict' });
          dead.push({
            receivedAtMs: c.reading.receivedAtMs,
            gatewayId: c.reading.gatewayId,
            meterId: c.reading.meterId,
            tsMs: c.reading.tsMs,
            reason: `a reading for this meter and timestamp is already stored with value ${c.storedValue}; raw readings are immutable`,
            raw: JSON.stringify({ meter: c.reading.meterId, ts: c.reading.tsMs, value: c.reading.value }),
          });
        }
      } catch (error) {
        // Keep the batch: put it back at the head of the queue and retry on the next flush.
        this.queue.unshift(...queued);
        this.deadQueue.unshift(...dead);
        this.opts.logger.error({ err: error, readings: batch.length }, 'store write failed; will retry');
        await new Promise((resolve) => setTimeout(resolve, 500));
        throw error;
      } finally {
        end();
      }
    }
    if (dead.length > 0) await store.addDeadLetters(dead);
    await this.checkpoint(queued);
    for (const { ack } of queued) if (ack !== undefined && --ack.left === 0) ack.resolve();
  }

  /** Counts the stored readings off their WAL positions and checkpoints below the oldest unstored one. */
  private async checkpoint(stored: readonly Queued[]): Promise<void> {
    const { wal } = this.opts;
    if (wal === undefined) return;
    for (const { seq } of stored) {
      const left = (this.unstored.get(seq) ?? 1) - 1;
      if (left > 0) this.unstored.set(seq, left);
      else this.unstored.delete(seq);
    }
    // Positions enter the map in increasing order, so its first key is the oldest unstored one.
    const oldest = this.unstored.keys().next();
    await wal.checkpoint(oldest.done ? wal.lastSeq : oldest.value - 1);
  }
}
