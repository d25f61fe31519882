import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveHourly, MICRO } from '../../core/domain/consumption.js';
import type { Registry } from '../../core/domain/registry.js';
import { EmbeddedStore } from '../../core/storage/duckdb/embedded-store.js';
import type { StoredReading } from '../../core/storage/store.js';
import { Deriver } from '../../ingest/deriver.js';
import { oneBuildingRegistry } from '../helpers/registry.js';
import { type Faults, failingStore } from './failing-store.js';

/**
 * Whatever the order, repetition, batching, restarts and failed writes of the readings, the stored
 * hours end equal to a from-scratch derivation, and the rebuild finds nothing to correct.
 */
const H = 3_600_000;
const T0 = Date.parse('2026-11-01T00:00:00+08:00');
const base = oneBuildingRegistry([{ id: 'plain' }, { id: 'roll' }, { id: 'gap', multiplier: 2 }]);
const registry: Registry = {
  ...base,
  meters: base.meters.map((m) => (m.id === 'roll' ? { ...m, registerModulus: 10_000 } : m)),
};
const meterOf = (id: string) => registry.meters.find((m) => m.id === id);

/** A register read every 10 to 40 minutes; `roll` wraps past 10,000, `gap` is silent for two days. */
function history(meterId: string, count: number): StoredReading[] {
  const out: StoredReading[] = [];
  let ts = T0 + 7 * 60_000;
  let value = meterId === 'roll' ? 9_950 : 100;
  for (let i = 0; i < count; i++) {
    out.push({ meterId, tsMs: ts, value: Math.round(value * 100) / 100, gatewayId: 'g', receivedAtMs: 0 });
    ts += (10 + ((i * 7) % 31)) * 60_000 + (meterId === 'gap' && i === 7 ? 2 * 24 * H : 0);
    value += ((i * 13) % 17) / 2 + 1;
    if (meterId === 'roll' && value >= 10_000) value -= 10_000;
  }
  return out;
}

const all = [...history('plain', 14), ...history('roll', 14), ...history('gap', 14)];

async function stored(store: EmbeddedStore, meterId: string): Promise<[number, number, string][]> {
  const rows = await store.aggregate({
    filter: { meterId },
    fromMs: T0 - 24 * H,
    toMs: T0 + 30 * 24 * H,
    interval: 'hour',
    timeZone: 'UTC',
    groupBy: 'meter',
  });
  return rows.map((r) => [r.bucketStartMs, r.amount, r.suspectHours > 0 ? 's' : r.estimatedHours > 0 ? 'e' : '']);
}

function fromScratch(meterId: string): [number, number, string][] {
  const meter = meterOf(meterId);
  if (meter === undefined) throw new Error('no meter');
  const readings = all.filter((r) => r.meterId === meterId);
  return deriveHourly(meter, readings, T0 - 24 * H, T0 + 30 * 24 * H).map((h) => [
    h.hourStartMs,
    h.amountMicro / MICRO,
    h.quality === 'suspect' ? 's' : h.quality === 'estimated' ? 'e' : '',
  ]);
}

describe('derived hours converge (property, embedded store on disk)', () => {
  let dir: string;
  let run = 0;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jieneng-converge-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('equal the from-scratch derivation and the rebuild, under shuffles, redeliveries, restarts and failed writes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }),
        fc.array(fc.nat({ max: all.length - 1 }), { maxLength: 8 }),
        fc.array(fc.integer({ min: 2, max: 16 }), { minLength: 1, maxLength: 6 }),
        // Per batch: 0 nothing, 1 restart before it (tails lost), 2/3 its write fails for a meter
        // (readings and hours, or hours only: a write that half lands), redelivered later.
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 10 }),
        async (shuffled, repeats, sizes, turns) => {
          const store = await EmbeddedStore.open({ dataDir: join(dir, `run-${run++}`), timeZone: 'Asia/Shanghai' });
          try {
            await store.saveRegistry(registry);
            const faults: Faults = { failures: 0 };
            const open = async () => {
              const d = new Deriver(failingStore(store, faults), meterOf);
              await d.start();
              return d;
            };
            let deriver = await open();
            const stream = [...shuffled, ...repeats.map((i) => shuffled[i] as StoredReading)];
            const delivered = stream.length;
            for (let i = 0, k = 0; i < stream.length; k++) {
              const size = sizes[k % sizes.length] as number;
              const batch = stream.slice(i, i + size);
              // Writes fail on the first delivery only: a retried reading is stored.
              const firstDelivery = i < delivered;
              i += batch.length;
              const turn = turns[k % turns.length] as number;
              if (turn === 1) deriver = await open();
              const failing = firstDelivery && (turn === 2 || turn === 3) ? batch[0]?.meterId : undefined;
              Object.assign(faults, { badMeter: failing, hoursOnly: turn === 3 });
              try {
                expect((await deriver.flush(batch)).conflicts).toEqual([]);
              } catch {
                // Quarantined, then retried: the same readings come again later.
                for (const r of batch) stream.push(r);
              }
              Object.assign(faults, { badMeter: undefined, hoursOnly: false });
            }
            for (const id of ['plain', 'roll', 'gap']) {
              expect(await stored(store, id), id).toEqual(fromScratch(id));
              expect(await deriver.rebuild(id), id).toBe(0);
            }
          } finally {
            await store.close();
          }
        },
      ),
      { numRuns: 35, endOnFailure: true },
    );
    // 40–70 s alone; every write also keeps the daily and monthly rollups: room for a loaded CI machine.
  }, 240_000);
});
