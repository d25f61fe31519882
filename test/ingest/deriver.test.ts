import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deriveHourly, MICRO } from '../../core/domain/consumption.js';
import type { Registry } from '../../core/domain/registry.js';
import { EmbeddedStore } from '../../core/storage/duckdb/embedded-store.js';
import type { StoredReading } from '../../core/storage/store.js';
import { Deriver } from '../../ingest/deriver.js';

const H = 3_600_000;
const T0 = Date.parse('2026-11-01T00:00:00+08:00');
const registry: Registry = {
  districts: [{ id: 'd', name: 'D' }],
  institutions: [{ id: 'i', name: 'I', districtId: 'd', type: 'office', floorAreaM2: 100, occupants: 1 }],
  buildings: [{ id: 'b', institutionId: 'i', name: 'B', floorAreaM2: 100 }],
  gateways: [{ id: 'g', secretHash: 'x' }],
  meters: [
    { id: 'm1', buildingId: 'b', gatewayId: 'g', energy: 'electricity', unit: 'kWh', multiplier: 1, intervalS: 900 },
    { id: 'm2', buildingId: 'b', gatewayId: 'g', energy: 'electricity', unit: 'kWh', multiplier: 2, intervalS: 900 },
  ],
};
const meterOf = (id: string) => registry.meters.find((m) => m.id === id);

function history(meterId: string, count: number): StoredReading[] {
  // Irregular steps of 10 to 40 minutes, rising register.
  const out: StoredReading[] = [];
  let ts = T0 + 7 * 60_000;
  let value = 100;
  for (let i = 0; i < count; i++) {
    out.push({ meterId, tsMs: ts, value, gatewayId: 'g', receivedAtMs: 0 });
    ts += (10 + ((i * 7) % 31)) * 60_000;
    value = Math.round((value + ((i * 13) % 17) / 4) * 100) / 100;
  }
  return out;
}

async function hourly(store: EmbeddedStore, meterId: string): Promise<[number, number][]> {
  const rows = await store.aggregate({
    filter: { meterId },
    fromMs: T0 - 24 * H,
    toMs: T0 + 30 * 24 * H,
    interval: 'hour',
    timeZone: 'Asia/Shanghai',
    groupBy: 'none',
  });
  return rows.map((r) => [r.bucketStartMs, r.amount]);
}

function expected(meterId: string, readings: StoredReading[]): [number, number][] {
  const meter = meterOf(meterId);
  if (meter === undefined) throw new Error('no meter');
  return deriveHourly(meter, readings, T0 - 24 * H, T0 + 30 * 24 * H).map((h) => [
    h.hourStartMs,
    h.amountMicro / MICRO,
  ]);
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
    const base = [...history('m1', 25), ...history('m2', 25)];
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
  });

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
});
