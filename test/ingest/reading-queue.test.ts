import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoredReading } from '../../core/storage/store.js';
import { batchOf, type QueuedChunk, ReadingQueue, storedReadings } from '../../ingest/reading-queue.js';

const chunkOf = (seq: number, n: number, ack?: QueuedChunk['ack']): QueuedChunk => {
  const readings = storedReadings(
    Array.from({ length: n }, (_, i) => ({ meterId: `m${seq}`, tsMs: i, value: i })),
    'g1',
    seq,
  );
  return ack === undefined ? { readings, seq } : { readings, seq, ack };
};

describe('ReadingQueue', () => {
  it('hands out every reading once, in order, in batches of at most max, whatever the chunk sizes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 60 }),
        (sizes, max) => {
          const queue = new ReadingQueue();
          const all: StoredReading[] = [];
          sizes.forEach((n, i) => {
            const c = chunkOf(i + 1, n);
            queue.push(c);
            for (const r of c.readings) all.push(r);
          });
          expect(queue.size).toBe(all.length);
          const out: StoredReading[] = [];
          while (queue.size > 0) {
            const taken = queue.take(max);
            const batch = batchOf(taken);
            expect(batch.length).toBeGreaterThan(0);
            expect(batch.length).toBeLessThanOrEqual(max);
            // Each part keeps its message's position.
            for (const c of taken) for (const r of c.readings) expect(r.receivedAtMs).toBe(c.seq);
            for (const r of batch) out.push(r);
          }
          expect(out).toEqual(all);
          expect(queue.take(max)).toEqual([]);
        },
      ),
    );
  });

  it('puts a failed write back at the head, split by reading, each part with its wait', () => {
    const ack = { left: 4, resolve: () => undefined };
    const queue = new ReadingQueue();
    queue.push(chunkOf(1, 4, ack));
    queue.push(chunkOf(2, 3));
    const taken = queue.take(5);
    expect(taken.map((c) => [c.seq, c.readings.length])).toEqual([
      [1, 4],
      [2, 1],
    ]);
    const failed = new Set([taken[0]?.readings[1], taken[1]?.readings[0]] as StoredReading[]);
    const { back, done } = ReadingQueue.partition(taken, failed);
    expect(back.map((c) => [c.seq, c.readings.length, c.ack === ack])).toEqual([
      [1, 1, true],
      [2, 1, false],
    ]);
    expect(done.map((c) => [c.seq, c.readings.length, c.ack === ack])).toEqual([[1, 3, true]]);
    queue.putBack(back);
    expect(queue.size).toBe(4);
    expect(batchOf(queue.take(10)).map((r) => [r.receivedAtMs, r.tsMs])).toEqual([
      [1, 1],
      [2, 0],
      [2, 1],
      [2, 2],
    ]);
  });

  it('queues nothing for a message without readings', () => {
    const queue = new ReadingQueue();
    queue.push(chunkOf(1, 0));
    queue.putBack([chunkOf(2, 0)]);
    expect(queue.size).toBe(0);
    expect(queue.take(10)).toEqual([]);
  });
});
