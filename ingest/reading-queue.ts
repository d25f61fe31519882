import type { Reading } from '../core/domain/reading.js';
import type { StoredReading } from '../core/storage/store.js';

/** A message whose submit waits until all its readings are stored (`left` counts them down). */
export interface StoreAck {
  left: number;
  readonly resolve: () => void;
}

/**
 * The readings of one message (or of a part of it) waiting for the store, with the WAL position of
 * the message (0: not logged) and its wait. One entry per message, not per reading: a province's
 * backlog queues ~40,000 readings at a time, and an object per reading kept alive that long costs
 * the garbage collector more than the rest of ingest.
 */
export interface QueuedChunk {
  readonly readings: readonly StoredReading[];
  readonly seq: number;
  readonly ack?: StoreAck;
}

/** The readings of a message as stored: each with its gateway and arrival time. */
export function storedReadings(readings: readonly Reading[], gatewayId: string, receivedAtMs: number): StoredReading[] {
  const out: StoredReading[] = new Array(readings.length);
  for (let i = 0; i < readings.length; i++) {
    const r = readings[i] as Reading;
    out[i] = { meterId: r.meterId, tsMs: r.tsMs, value: r.value, gatewayId, receivedAtMs };
  }
  return out;
}

/** The same chunk with other readings (a part of it). */
const withReadings = (chunk: QueuedChunk, readings: readonly StoredReading[]): QueuedChunk =>
  chunk.ack === undefined ? { readings, seq: chunk.seq } : { readings, seq: chunk.seq, ack: chunk.ack };

/** Readings waiting for the store, in arrival order, counted by reading. */
export class ReadingQueue {
  private chunks: QueuedChunk[] = [];
  private count = 0;

  /** Readings queued. */
  get size(): number {
    return this.count;
  }

  /** Queues a chunk at the end (nothing for an empty one). */
  push(chunk: QueuedChunk): void {
    if (chunk.readings.length === 0) return;
    this.chunks.push(chunk);
    this.count += chunk.readings.length;
  }

  /** Takes the oldest chunks holding `max` readings at most, splitting the last one when needed. */
  take(max: number): QueuedChunk[] {
    const taken: QueuedChunk[] = [];
    let n = 0;
    let whole = 0;
    for (const chunk of this.chunks) {
      if (n >= max) break;
      const room = max - n;
      if (chunk.readings.length <= room) {
        taken.push(chunk);
        n += chunk.readings.length;
        whole++;
      } else {
        taken.push(withReadings(chunk, chunk.readings.slice(0, room)));
        this.chunks[whole] = withReadings(chunk, chunk.readings.slice(room));
        n += room;
      }
    }
    this.chunks.splice(0, whole);
    this.count -= n;
    return taken;
  }

  /** Puts chunks back at the head, in their order (a write that found the store down). */
  putBack(chunks: readonly QueuedChunk[]): void {
    const kept = chunks.filter((c) => c.readings.length > 0);
    // concat, not unshift(...): a spread of a long queue would overflow the stack.
    this.chunks = kept.concat(this.chunks);
    for (const c of kept) this.count += c.readings.length;
  }

  /** Splits `chunks` into the readings in `unstored` and the others, each chunk keeping its position and wait. */
  static partition(
    chunks: readonly QueuedChunk[],
    unstored: ReadonlySet<StoredReading>,
  ): { back: QueuedChunk[]; done: QueuedChunk[] } {
    const back: QueuedChunk[] = [];
    const done: QueuedChunk[] = [];
    for (const chunk of chunks) {
      const failed = chunk.readings.filter((r) => unstored.has(r));
      if (failed.length === 0) done.push(chunk);
      else if (failed.length === chunk.readings.length) back.push(chunk);
      else {
        back.push(withReadings(chunk, failed));
        done.push(
          withReadings(
            chunk,
            chunk.readings.filter((r) => !unstored.has(r)),
          ),
        );
      }
    }
    return { back, done };
  }
}

/** The readings of `chunks`, in order, as one batch. */
export function batchOf(chunks: readonly QueuedChunk[]): StoredReading[] {
  const batch: StoredReading[] = [];
  for (const chunk of chunks) for (const r of chunk.readings) batch.push(r);
  return batch;
}
