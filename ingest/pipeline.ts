import type { Logger } from 'pino';
import type { ManualEntryRequest, ManualOutcome } from '../core/domain/manual-readings.js';
import type { MetadataChange } from '../core/domain/metadata-change.js';
import type { MeterEvent } from '../core/domain/meter-events.js';
import type { Reading } from '../core/domain/reading.js';
import type { Metrics } from '../core/metrics.js';
import { Mutex } from '../core/mutex.js';
import type { RegistryHolder } from '../core/registry-holder.js';
import type { Correction, DeadLetter, Store, StoredReading } from '../core/storage/store.js';
import { Deriver } from './deriver.js';
import { type MeterFailure, writeIsolated } from './isolate.js';
import { ManualEntries } from './manual.js';
import {
  quarantineLetters,
  readingJson,
  reportQuarantine,
  STORE_FAILED,
  undecodableRecordLetter,
} from './quarantine.js';
import { batchOf, type QueuedChunk, ReadingQueue, type StoreAck, storedReadings } from './reading-queue.js';
import { type RebuildReport, rebuildMeters } from './rebuild.js';
import { RejectLog } from './reject-log.js';
import { type Rejection, validateMessage, validateOptions } from './validate.js';
import type { WalRecord, WriteAheadLog } from './wal/log.js';
import { decodeReadingsRecord, encodeReadingsRecord, type ReadingsRecord } from './wal/readings-record.js';

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
  /** Readings stamped before this instant are refused when their meter has no `installedAt` (READINGS_EARLIEST). */
  readonly readingsEarliestMs?: number;
  /** Readings one message may carry (MQTT_MAX_READINGS_PER_MESSAGE); the rest are one summarising dead letter. */
  readonly maxReadingsPerMessage?: number;
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

/** Longest wait between two writes while the store is down, in ms. */
const OUTAGE_BACKOFF_MAX_MS = 30_000;
/** First wait after a write found the store down, in ms (doubled at each failed write). */
const OUTAGE_BACKOFF_MIN_MS = 500;

/**
 * parse → validate → check registry → batch → store → derive. Messages are validated as they
 * arrive; valid readings wait in a queue that is written in batches, one write at a time (with
 * lifecycle events and corrections, which recompute derived hours, in the same line). When the
 * queue holds more than two batches, `submit` waits, which holds back the broker's PUBACK and so
 * slows publishers instead of growing memory.
 *
 * No meter can stop ingest (issue "No device can stop ingest"): a batch that fails is split by
 * meter (`writeIsolated`), and the readings of a meter that fails alone are quarantined as
 * retriable dead letters (code `store_failed`), counted, logged once per meter and raised as a
 * `store_failed` anomaly; their messages are acknowledged like stored ones. The one retry loop is
 * for a store that is down (even the dead letters cannot be written): the failed readings stay
 * queued and the write is retried with a back-off doubling from 0.5 s to 30 s, so acknowledged
 * readings are never dropped.
 */
export class IngestPipeline {
  private readonly deriver: Deriver;
  private readonly manual: ManualEntries;
  /** Everything that changes derived data goes through here, one at a time. */
  private readonly line = new Mutex();
  private readonly queue = new ReadingQueue();
  /** WAL positions whose readings are not all stored yet, with how many are left (by position). */
  private readonly unstored = new Map<number, number>();
  private deadQueue: DeadLetter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing = false;
  private waiters: (() => void)[] = [];
  private stopped = false;
  private readonly now: () => number;
  private readonly rejectLog: RejectLog;
  /** While the log replays: the newest position handed out, which no checkpoint may pass. */
  private replayedUpTo: number | undefined;
  /** Wait before the next write while the store is down, in ms (0: it is up). */
  private outageBackoffMs = 0;

  constructor(private readonly opts: PipelineOptions) {
    this.rejectLog = new RejectLog(opts.logger);
    this.deriver = new Deriver(opts.store, (id) => opts.registry.meter(id), { soleWriter: opts.soleWriter ?? true });
    this.now = opts.now ?? Date.now;
    this.manual = new ManualEntries(this, opts);
  }

  /**
   * Loads the Deriver's state, then replays and stores what the WAL holds beyond its checkpoint,
   * streaming it in batches. A record that cannot be decoded, or whose readings cannot be stored,
   * is quarantined with a warning: no record can keep the platform from starting.
   */
  async start(): Promise<void> {
    await this.deriver.start();
    const { wal } = this.opts;
    if (wal === undefined) return;
    let messages = 0;
    let readings = 0;
    this.replayedUpTo = 0;
    try {
      for await (const record of wal.replay()) {
        this.replayedUpTo = record.seq;
        const decoded = await this.decodeOrQuarantine(record);
        if (decoded === undefined) continue;
        messages++;
        readings += decoded.readings.length;
        if (decoded.readings.length > 0) this.unstored.set(record.seq, decoded.readings.length);
        const { gatewayId, receivedAtMs } = decoded;
        this.queue.push({ readings: storedReadings(decoded.readings, gatewayId, receivedAtMs), seq: record.seq });
        while (this.queue.size >= this.opts.batchMax) await this.flushNow();
      }
    } finally {
      this.replayedUpTo = undefined;
    }
    if (messages > 0) this.opts.logger.info({ messages, readings }, 'replayed the write-ahead log');
    await this.drain();
  }

  /** A record's message, or undefined once an undecodable (or damaged) record is dead-lettered. */
  private async decodeOrQuarantine(record: WalRecord): Promise<ReadingsRecord | undefined> {
    try {
      if (record.corrupt === true) throw new Error('damaged on disk (CRC mismatch)');
      return decodeReadingsRecord(record.payload);
    } catch (error) {
      this.opts.logger.warn({ seq: record.seq, err: error }, 'write-ahead log record quarantined: cannot be decoded');
      await this.opts.store.addDeadLetters([undecodableRecordLetter(record.seq, record.payload, error, this.now())]);
      this.opts.metrics.readingsQuarantined.inc();
      this.opts.metrics.readingsRejected.inc({ reason: STORE_FAILED });
      return undefined;
    }
  }

  /** Writes what is queued and stops accepting. */
  async stop(): Promise<void> {
    try {
      await this.drain();
    } finally {
      this.stopped = true;
      if (this.timer) clearTimeout(this.timer);
    }
  }

  /** Validates one readings message of a gateway and queues its valid readings. */
  async submit(gatewayId: string, topic: string, payload: string): Promise<void> {
    const nowMs = this.now();
    const limits = validateOptions(this.opts, (id) => this.eventsOf(id), nowMs);
    const { readings, rejections } = validateMessage(this.opts.registry, gatewayId, payload, limits);
    if (rejections.length > 0) this.reject(rejections, { gatewayId, topic, receivedAtMs: nowMs });
    await this.accept(gatewayId, readings, nowMs, this.opts.ackAfterStore === true);
  }

  /** Queues readings of a gateway or a user (ingest/manual.ts); resolves once durable, or stored with `untilStored`. */
  async accept(gatewayId: string, readings: readonly Reading[], receivedAtMs: number, untilStored: boolean) {
    let seq = 0;
    let durable: Promise<void> | undefined;
    if (this.opts.wal !== undefined && readings.length > 0) {
      ({ seq, durable } = this.opts.wal.append(encodeReadingsRecord({ gatewayId, receivedAtMs, readings })));
      this.unstored.set(seq, readings.length);
    }
    let stored: Promise<void> | undefined;
    let ack: StoreAck | undefined;
    if (untilStored && readings.length > 0) {
      stored = new Promise<void>((resolve) => {
        ack = { left: readings.length, resolve };
      });
    }
    const queued = storedReadings(readings, gatewayId, receivedAtMs);
    this.queue.push(ack === undefined ? { readings: queued, seq } : { readings: queued, seq, ack });
    this.opts.metrics.ingestQueueReadings.set(this.queue.size);
    this.schedule();
    if (this.queue.size > this.opts.batchMax * 2) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    await durable;
    await stored;
  }

  /** Records rejected readings or messages in the dead letters, counted by reason. */
  reject(rejections: readonly Rejection[], where: { gatewayId?: string; topic?: string; receivedAtMs: number }): void {
    for (const r of rejections) {
      // A `too_many_readings` letter stands for every item it summarises.
      this.opts.metrics.readingsRejected.inc({ reason: r.label }, r.count ?? 1);
      this.rejectLog.warn(where.gatewayId, { meterId: r.meterId, code: r.label, reason: r.reason }, where.receivedAtMs);
      this.deadQueue.push({ ...where, code: r.label, reason: r.reason, raw: r.raw, meterId: r.meterId, tsMs: r.tsMs });
    }
    this.schedule();
  }

  /** A meter's lifecycle events, by time. */
  eventsOf(meterId: string): readonly MeterEvent[] {
    return this.deriver.eventsOf(meterId);
  }

  /** Stores register readings or deliveries a user entered for a manual meter, all or nothing. */
  enterManual(request: ManualEntryRequest): Promise<ManualOutcome> {
    return this.manual.enter(request);
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

  /** Applies another process's lifecycle event or correction (`Deriver.followChange`), between ingest writes. */
  applyRemoteChange(change: MetadataChange): Promise<void> {
    return this.line.run(() => this.deriver.followChange(change));
  }

  /**
   * Recomputes meters' hours from their raw readings and events (every meter of the registry when
   * none are given), one meter at a time between ingest writes, and replaces the stored hours that
   * differ. A meter whose rebuild fails is reported and the others go on.
   */
  rebuild(meterIds?: readonly string[]): Promise<RebuildReport> {
    return rebuildMeters(meterIds ?? this.opts.registry.get().meters.map((m) => m.id), {
      rebuildOne: (meterId) => this.line.run(() => this.deriver.rebuild(meterId)),
      logger: this.opts.logger,
    });
  }

  /**
   * Runs `fn` between two ingest writes: meanwhile no reading is stored, no hour derived and the
   * write-ahead log not checkpointed (messages still arrive, are logged and queued, with the usual
   * back-pressure). A backup copies the store and the log in here, so the two agree.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.line.run(fn);
  }

  /** Writes everything queued now; resolves when it is in the store (rejects while the store is down). */
  async drain(): Promise<void> {
    while (this.queue.size > 0 || this.deadQueue.length > 0) await this.flushNow();
    await this.line.run(async () => undefined);
  }

  private schedule(): void {
    if (this.stopped || this.timer || this.writing) return;
    const full = this.queue.size >= this.opts.batchMax;
    const delayMs =
      this.outageBackoffMs > 0
        ? this.outageBackoffMs
        : full || this.opts.ackAfterStore === true
          ? 0
          : this.opts.flushMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushNow().catch((error: unknown) => this.opts.logger.error({ err: error }, 'ingest flush failed'));
    }, delayMs);
  }

  private flushNow(): Promise<void> {
    this.writing = true;
    return this.line
      .run(() => this.write())
      .finally(() => {
        this.writing = false;
        if (this.queue.size > 0 || this.deadQueue.length > 0) this.schedule();
      });
  }

  private async write(): Promise<void> {
    const queued = this.queue.take(this.opts.batchMax);
    const letters = this.deadQueue.splice(0);
    this.opts.metrics.ingestQueueReadings.set(this.queue.size);
    if (this.queue.size <= this.opts.batchMax * 2) for (const wake of this.waiters.splice(0)) wake();
    const { metrics, store } = this.opts;
    let failed: MeterFailure[] = [];
    const quarantined: DeadLetter[] = [];
    if (queued.length > 0) {
      const batch = batchOf(queued);
      const end = metrics.storeWriteSeconds.startTimer();
      const outcome = await writeIsolated(batch, (part) => this.deriver.flush(part)).finally(end);
      metrics.readingsAccepted.inc(outcome.stored);
      metrics.readingsDuplicate.inc(outcome.duplicates);
      metrics.batchSizeReadings.observe(batch.length);
      for (const c of outcome.conflicts) {
        metrics.readingsRejected.inc({ reason: 'conflict' });
        letters.push({
          receivedAtMs: c.reading.receivedAtMs,
          gatewayId: c.reading.gatewayId,
          meterId: c.reading.meterId,
          tsMs: c.reading.tsMs,
          reason: `a reading for this meter and timestamp is already stored with value ${c.storedValue}; raw readings are immutable`,
          raw: readingJson(c.reading),
        });
      }
      failed = outcome.failed;
      for (const f of failed) for (const letter of quarantineLetters(f.readings, f.error)) quarantined.push(letter);
    }
    try {
      if (letters.length > 0 || quarantined.length > 0) await store.addDeadLetters(letters.concat(quarantined));
    } catch (error) {
      await this.outage(queued, failed, letters, error);
      throw error;
    }
    this.outageBackoffMs = 0;
    if (failed.length > 0) await reportQuarantine(this.opts, failed, this.now());
    await this.complete(queued);
  }

  /**
   * The store is down (even the dead letters could not be written): the readings that failed go
   * back to the head of the queue and the letters to theirs, and the next write waits a back-off.
   */
  private async outage(
    queued: readonly QueuedChunk[],
    failed: readonly MeterFailure[],
    letters: readonly DeadLetter[],
    error: unknown,
  ): Promise<void> {
    const unstored = new Set<StoredReading>();
    for (const f of failed) for (const r of f.readings) unstored.add(r);
    const { back, done } = ReadingQueue.partition(queued, unstored);
    this.queue.putBack(back);
    this.deadQueue = letters.concat(this.deadQueue);
    this.opts.metrics.ingestQueueReadings.set(this.queue.size);
    // The next write waits the back-off, not a flush timer set before the outage.
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.outageBackoffMs = Math.min(OUTAGE_BACKOFF_MAX_MS, Math.max(OUTAGE_BACKOFF_MIN_MS, this.outageBackoffMs * 2));
    this.opts.logger.error(
      { err: error, readings: back.length, retryInMs: this.outageBackoffMs },
      'store unavailable: readings kept queued, retrying',
    );
    await this.complete(done);
  }

  /** Checkpoints the WAL past, and acknowledges, readings that are stored or quarantined. */
  private async complete(done: readonly QueuedChunk[]): Promise<void> {
    await this.checkpoint(done);
    for (const { ack, readings } of done) {
      if (ack === undefined) continue;
      ack.left -= readings.length;
      if (ack.left === 0) ack.resolve();
    }
  }

  /** Counts the stored readings off their WAL positions and checkpoints below the oldest unstored one. */
  private async checkpoint(stored: readonly QueuedChunk[]): Promise<void> {
    const { wal } = this.opts;
    if (wal === undefined) return;
    for (const { seq, readings } of stored) {
      const left = (this.unstored.get(seq) ?? readings.length) - readings.length;
      if (left > 0) this.unstored.set(seq, left);
      else this.unstored.delete(seq);
    }
    // Positions enter the map in increasing order, so its first key is the oldest unstored one.
    const oldest = this.unstored.keys().next();
    const upTo = oldest.done ? wal.lastSeq : oldest.value - 1;
    await wal.checkpoint(Math.min(upTo, this.replayedUpTo ?? upTo));
  }
}
