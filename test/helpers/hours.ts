import { deriveHourly, MICRO, type RegisterReading } from '../../core/domain/consumption.js';
import type { MeterEventInput } from '../../core/domain/meter-events.js';
import type { Meter } from '../../core/domain/registry.js';
import type { Store } from '../../core/storage/store.js';

/** An hour as tests compare it: start (epoch ms) and amount (native unit). */
export type HourAmount = [number, number];

/** A meter's stored hours in [fromMs, toMs), by start, as the store's aggregate answers them. */
export async function storedHours(
  store: Pick<Store, 'aggregate'>,
  meterId: string,
  fromMs: number,
  toMs: number,
  timeZone = 'Asia/Shanghai',
): Promise<HourAmount[]> {
  const rows = await store.aggregate({
    filter: { meterId },
    fromMs,
    toMs,
    interval: 'hour',
    timeZone,
    groupBy: 'none',
  });
  return rows.map((r) => [r.bucketStartMs, r.amount]);
}

/** The hours in [fromMs, toMs) derived from scratch from every reading of the meter (the truth to compare with). */
export function derivedHours(
  meter: Meter,
  readings: readonly RegisterReading[],
  fromMs: number,
  toMs: number,
  events: readonly MeterEventInput[] = [],
): HourAmount[] {
  const sorted = [...readings].sort((a, b) => a.tsMs - b.tsMs);
  return deriveHourly(meter, sorted, fromMs, toMs, events).map((h) => [h.hourStartMs, h.amountMicro / MICRO]);
}
