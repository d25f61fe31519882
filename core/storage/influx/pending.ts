import type { StoredReading } from '../store.js';

/**
 * Raw readings accepted but maybe not yet in InfluxDB (spooled during an outage), by meter and
 * time, so that reads (duplicate checks, windows, tails, raw readings) see them. Each is tagged
 * with the spool sequence number of the op that carries it and released once that op is applied.
 */
export class PendingReadings {
  private readonly byMeter = new Map<string, Map<number, { reading: StoredReading; seq: number }>>();
  private count = 0;

  /** How many readings are pending. */
  get size(): number {
    return this.count;
  }

  /** Adds the readings of the op spooled as `seq`. */
  add(seq: number, readings: readonly StoredReading[]): void {
    for (const reading of readings) {
      let meter = this.byMeter.get(reading.meterId);
      if (meter === undefined) {
        meter = new Map();
        this.byMeter.set(reading.meterId, meter);
      }
      if (!meter.has(reading.tsMs)) this.count++;
      meter.set(reading.tsMs, { reading, seq });
    }
  }

  /** Forgets the readings of op `seq`, now in InfluxDB. */
  release(seq: number, readings: readonly StoredReading[]): void {
    for (const reading of readings) {
      const meter = this.byMeter.get(reading.meterId);
      if (meter?.get(reading.tsMs)?.seq !== seq) continue;
      meter.delete(reading.tsMs);
      this.count--;
      if (meter.size === 0) this.byMeter.delete(reading.meterId);
    }
  }

  /** A pending reading of a meter at an instant. */
  get(meterId: string, tsMs: number): StoredReading | undefined {
    return this.byMeter.get(meterId)?.get(tsMs)?.reading;
  }

  /** A meter's pending readings with fromMs ≤ ts ≤ toMs, by time. */
  of(meterId: string, fromMs = Number.NEGATIVE_INFINITY, toMs = Number.POSITIVE_INFINITY): StoredReading[] {
    const meter = this.byMeter.get(meterId);
    if (meter === undefined) return [];
    return [...meter.values()]
      .map((e) => e.reading)
      .filter((r) => r.tsMs >= fromMs && r.tsMs <= toMs)
      .sort((a, b) => a.tsMs - b.tsMs);
  }

  /** Meters with pending readings. */
  meters(): string[] {
    return [...this.byMeter.keys()];
  }
}
