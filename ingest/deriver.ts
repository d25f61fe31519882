import { groupBy } from '../core/collections.js';
import { deriveHourly, type HourlyConsumption, type RegisterReading } from '../core/domain/consumption.js';
import type { Meter } from '../core/domain/registry.js';
import { ceilHour, floorHour } from '../core/domain/time.js';
import type { HourRange, Store, StoredReading } from '../core/storage/store.js';

/** What one flush did. */
export interface FlushOutcome {
  readonly stored: number;
  readonly duplicates: number;
  readonly conflicts: { reading: StoredReading; storedValue: number }[];
}

/**
 * Stores readings and keeps each meter's hourly consumption derived from them.
 *
 * Per meter it keeps the "tail" of its register: the readings from the last one at or before the
 * start of the newest reading's hour up to the newest. Readings newer than the tail (the usual
 * live case) are appended and their hours derived from the tail alone, with no read from the
 * store. Older readings (late, out of order, repeated) take the slow path: stored with a duplicate
 * check, then exactly the hours their neighbouring intervals touch are recomputed from the store.
 * Only this process may write the store while a Deriver runs (the embedded default).
 */
export class Deriver {
  private tails = new Map<string, RegisterReading[]>();

  constructor(
    private readonly store: Store,
    private readonly meterOf: (id: string) => Meter | undefined,
  ) {}

  /** Loads every meter's tail from the store; call once before the first flush. */
  async start(): Promise<void> {
    this.tails = await this.store.readingTails();
  }

  /** Stores a batch of validated readings and derives their hours. Calls must not overlap. */
  async flush(batch: readonly StoredReading[]): Promise<FlushOutcome> {
    const byMeter = groupBy(batch, (r) => r.meterId);
    const fast: StoredReading[] = [];
    const slow: StoredReading[] = [];
    const ranges: HourRange[] = [];
    const rows: HourlyConsumption[] = [];
    for (const [meterId, list] of byMeter) {
      const meter = this.meterOf(meterId);
      if (meter === undefined) continue;
      list.sort((a, b) => a.tsMs - b.tsMs);
      const tail = this.tails.get(meterId) ?? [];
      const lastTs = tail.at(-1)?.tsMs ?? Number.NEGATIVE_INFINITY;
      const newer = list.filter((r) => r.tsMs > lastTs);
      const older = list.filter((r) => r.tsMs <= lastTs);
      slow.push(...older);
      // In-batch repeats of the same instant go to the slow path, which checks them.
      const unique: StoredReading[] = [];
      for (const r of newer) {
        if (unique.at(-1)?.tsMs === r.tsMs) slow.push(r);
        else unique.push(r);
      }
      if (unique.length === 0) continue;
      fast.push(...unique);
      const chain = [...tail, ...unique.map((r) => ({ tsMs: r.tsMs, value: r.value }))];
      const newest = chain.at(-1) as RegisterReading;
      const fromMs = floorHour(tail.length > 0 ? lastTs : (unique[0] as StoredReading).tsMs);
      const toMs = ceilHour(newest.tsMs);
      ranges.push({ meterId, fromMs, toMs });
      rows.push(...deriveHourly(meter, chain, fromMs, toMs));
      this.tails.set(meterId, trimTail(chain));
    }
    await this.store.replaceHourly(ranges, rows, fast);
    let duplicates = 0;
    let conflicts: FlushOutcome['conflicts'] = [];
    let storedSlow = 0;
    if (slow.length > 0) {
      const outcome = await this.store.insertReadings(slow);
      duplicates = outcome.duplicates;
      conflicts = outcome.conflicts;
      storedSlow = outcome.inserted.length;
      await this.recompute(outcome.inserted);
    }
    return { stored: fast.length + storedSlow, duplicates, conflicts };
  }

  /** Recomputes the hours touched by readings inserted before their meter's newest reading. */
  private async recompute(inserted: readonly StoredReading[]): Promise<void> {
    const byMeter = new Map([...groupBy(inserted, (r) => r.meterId)].map(([id, rs]) => [id, rs.map((r) => r.tsMs)]));
    const ranges: HourRange[] = [];
    const rows: HourlyConsumption[] = [];
    for (const [meterId, stamps] of byMeter) {
      const meter = this.meterOf(meterId);
      if (meter === undefined) continue;
      // ±1 ms: the neighbours strictly before and after the new readings.
      const around = await this.store.readingWindow(meterId, Math.min(...stamps) - 1, Math.max(...stamps) + 1);
      const fromMs = floorHour((around[0] as RegisterReading).tsMs);
      const toMs = ceilHour((around.at(-1) as RegisterReading).tsMs);
      const window = await this.store.readingWindow(meterId, fromMs, toMs);
      ranges.push({ meterId, fromMs, toMs });
      rows.push(...deriveHourly(meter, window, fromMs, toMs));
      const lastTs = this.tails.get(meterId)?.at(-1)?.tsMs ?? Math.max(...stamps);
      this.tails.set(meterId, trimTail(await this.store.readingWindow(meterId, floorHour(lastTs), lastTs)));
    }
    await this.store.replaceHourly(ranges, rows);
  }
}

/** Keeps the readings from the last one at or before the newest reading's hour start. */
function trimTail(chain: readonly RegisterReading[]): RegisterReading[] {
  const newest = chain.at(-1);
  if (newest === undefined) return [];
  const hour = floorHour(newest.tsMs);
  let start = 0;
  for (let i = chain.length - 1; i >= 0; i--) {
    if ((chain[i] as RegisterReading).tsMs <= hour) {
      start = i;
      break;
    }
  }
  return chain.slice(start);
}
