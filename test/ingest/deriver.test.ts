import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MeterEvent, MeterEventInput } from '../../core/domain/meter-events.js';
import { EmbeddedStore } from '../../core/storage/duckdb/embedded-store.js';
import type { StoredReading } from '../../core/storage/store.js';
import { Deriver } from '../../ingest/deriver.js';
import { derivedHours, type HourAmount, storedHours } from '../helpers/hours.js';
import { oneBuildingRegistry } from '../helpers/registry.js';

const H = 3_600_000;
const T0 = Date.parse('2026-11-01T00:00:00+08:00');
const registry = oneBuildingRegistry([{ id: 'm1' }, { id: 'm2', multiplier: 2 }]);
const meterOf = (id: string) => registry.meters.find((m) => m.id === id);

function history(meterId: string, count: number, faults = false): StoredReading[] {
  // Irregular steps of 10 to 40 minutes, rising register; with faults, isolated glitches (low and
  // high) and one reset without an event.
  const out: StoredReading[] = [];
  let ts = T0 + 7 * 60_000;
  let value = 100;
  for (let i = 0; i < count; i++) {
    let shown = value;
    if (faults && i % 7 === 3) shown = 1;
    if (faults && i % 11 === 5) shown = value + 50_000;
    if (faults && i === 17) value = 2;
    out.push({ meterId, tsMs: ts, value: faults && i === 17 ? value : shown, gatewayId: 'g', receivedAtMs: 0 });
    ts += (10 + ((i * 7) % 31)) * 60_000;
    value = Math.round((value + ((i * 13) % 17) / 4) * 100) / 100;
  }
  return out;
}

const hourly = (store: EmbeddedStore, meterId: string) => storedHours(store, meterId, T0 - 24 * H, T0 + 30 * 24 * H);

function expected(meterId: string, readings: StoredReading[], events: MeterEventInput[] = []): HourAmount[] {
  const meter = meterOf(meterId);
  if (meter === undefined) throw new Error('no meter');
  return derivedHours(meter, readings, T0 - 24 * H, T0 + 30 * 24 * H, events);
}

describe('Deriver on the embedded store', () => {
  let store: EmbeddedStore;
  beforeEach(async () => {
    store = await EmbeddedStore.open({ dataDir: ':memory:', timeZone: 'Asia/Shanghai' });
    await store.saveRegistry(registry);
  });
  afterEach(async () => {
    await store.close();
  });

  it('derives the same hours from in-order batches as from the whole history', async () => {
    const readings = history('m1', 40);
    const deriver = new Deriver(store, meterOf);
    await deriver.start();
    for (let i = 0; i < readings.length; i += 7) await deriver.flush(readings.slice(i, i + 7));
    expect(await hourly(store, 'm1')).toEqual(expected('m1', readings));
  });

  it('gives the same hours for any order, duplication and batching of the readings (late, shuffled, redelivered)', async () => {
    const base = [...history('m1', 25, true), ...history('m2', 25)];
    await fc.assert(
      fc
        .asyncProperty(
          fc.shuffledSubarray(base, { minLength: base.length, maxLength: base.length }),
          fc.array(fc.nat({ max: base.length - 1 }), { maxLength: 10 }),
          fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 8 }),
          async (shuffled, repeats, sizes) => {
            await store.close();
            store = await EmbeddedStore.open({ dataDir: ':memory:', timeZone: 'Asia/Shanghai' });
            await store.saveRegistry(registry);
            const stream = [...shuffled, ...repeats.map((i) => shuffled[i] as StoredReading)];
            const deriver = new Deriver(store, meterOf);
            await deriver.start();
            let duplicates = 0;
            for (let i = 0, k = 0; i < stream.length; k++) {
              const size = sizes[k % sizes.length] as number;
              const outcome = await deriver.flush(stream.slice(i, i + size));
              duplicates += outcome.duplicates;
              expect(outcome.conflicts).toEqual([]);
              i += size;
            }
            expect(duplicates).toBe(repeats.length);
            for (const id of ['m1', 'm2']) {
              expect(await hourly(store, id)).toEqual(
                expected(
                  id,
                  base.filter((r) => r.meterId === id),
                ),
              );
            }
          },
        )
        .beforeEach(() => undefined),
      { numRuns: 25 },
    );
    // 25 fresh stores and ~50 flushes each: ~25 s alone, longer on a busy 2-core machine.
  }, 240_000);

  it('refuses a different value for a stored (meter, timestamp) and keeps the first', async () => {
    const deriver = new Deriver(store, meterOf);
    await deriver.start();
    const r = history('m1', 3);
    await deriver.flush(r);
    const first = r[1] as StoredReading;
    const outcome = await deriver.flush([{ ...first, value: first.value + 5 }]);
    expect(outcome.conflicts).toHaveLength(1);
    expect(outcome.conflicts[0]?.storedValue).toBe(first.value);
    expect(await hourly(store, 'm1')).toEqual(expected('m1', r));
  });

  it('resumes after a restart from the tails kept in the store', async () => {
    const readings = history('m1', 30);
    const first = new Deriver(store, meterOf);
    await first.start();
    await first.flush(readings.slice(0, 15));
    const second = new Deriver(store, meterOf);
    await second.start();
    await second.flush(readings.slice(15));
    expect(await hourly(store, 'm1')).toEqual(expected('m1', readings));
  });

  it('recomputes exactly the affected periods when an event or a correction comes after the data', async () => {
    const readings = history('m1', 40, true);
    const deriver = new Deriver(store, meterOf);
    await deriver.start();
    await deriver.flush(readings);
    const r20 = readings[20] as StoredReading;
    const r30 = readings[30] as StoredReading;
    const events: MeterEvent[] = [
      {
        id: 'e1',
        meterId: 'm1',
        type: 'multiplier',
        ts: r20.tsMs + 60_000,
        multiplier: 3,
        createdAtMs: 0,
        createdBy: 't',
      },
      {
        id: 'e2',
        meterId: 'm1',
        type: 'replace',
        ts: r30.tsMs - 60_000,
        oldFinal: r30.value - 0.5,
        newInitial: 0,
        createdAtMs: 0,
        createdBy: 't',
      },
    ];
    const after = readings.map((r, i) =>
      i >= 30 ? { ...r, value: Math.round((r.value - r30.value + 0.5) * 100) / 100 } : r,
    );
    // The readings after the replacement are the new meter's: store them as such (a fresh store).
    await store.close();
    store = await EmbeddedStore.open({ dataDir: ':memory:', timeZone: 'Asia/Shanghai' });
    await store.saveRegistry(registry);
    const d2 = new Deriver(store, meterOf);
    await d2.start();
    await d2.flush(after);
    for (const e of events) {
      await store.addMeterEvent(e);
      await d2.applyEvent(e);
    }
    expect(await hourly(store, 'm1')).toEqual(expected('m1', after, events));
    // An officer invalidates reading 10: it is as if it had never come.
    const bad = after[10] as StoredReading;
    await store.addCorrection({
      meterId: 'm1',
      tsMs: bad.tsMs,
      action: 'invalidate',
      reason: 'test',
      createdBy: 't',
      createdAtMs: 0,
    });
    await d2.recompute([{ meterId: 'm1', fromMs: bad.tsMs, toMs: bad.tsMs }]);
    expect(await hourly(store, 'm1')).toEqual(
      expected(
        'm1',
        after.filter((r) => r !== bad),
        events,
      ),
    );
    // New readings after all this still derive from the right tail.
    const more = history('m1', 50)
      .slice(40)
      .map((r) => ({ ...r, value: Math.round((r.value - r30.value + 0.5) * 100) / 100 + 5000 }));
    await d2.flush(more);
    expect(await hourly(store, 'm1')).toEqual(expected('m1', [...after.filter((r) => r !== bad), ...more], events));
  });
});
