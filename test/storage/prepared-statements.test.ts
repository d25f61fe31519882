import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HourlyConsumption } from '../../core/domain/consumption.js';
import type { Registry } from '../../core/domain/registry.js';
import { bucketStart, localToEpochMs } from '../../core/domain/time.js';
import { EmbeddedStore } from '../../core/storage/duckdb/embedded-store.js';
import type { AggregateQuery } from '../../core/storage/store.js';

/**
 * The embedded store prepares each read once per SQL text (issue 19). The same SQL text asked in
 * another zone (the reader's `SET TimeZone` changes between them), and back, must still bucket by
 * that zone's days, as summing the hours in JS does, whatever DuckDB binds at prepare time.
 */
const H = 3_600_000;
const HOME = 'Asia/Shanghai';
const FROM = localToEpochMs(HOME, 2026, 3, 1);
const HOURS = 24 * 10;
const registry: Registry = {
  districts: [{ id: 'd', name: 'D' }],
  institutions: [{ id: 'i', name: 'I', districtId: 'd', type: 'office', floorAreaM2: 100, occupants: 1 }],
  buildings: [{ id: 'b', institutionId: 'i', name: 'B', floorAreaM2: 100 }],
  gateways: [{ id: 'g', secretHash: 'x' }],
  meters: [
    { id: 'm', buildingId: 'b', gatewayId: 'g', energy: 'electricity', unit: 'kWh', multiplier: 1, intervalS: 900 },
  ],
};
const hours: HourlyConsumption[] = Array.from({ length: HOURS }, (_, h) => ({
  meterId: 'm',
  hourStartMs: FROM + h * H,
  amountMicro: (h + 1) * 1_000_000,
  estimatedMicro: 0,
  quality: 'good',
  readingsCount: 4,
}));

/** Each local day's sum of the hours in `zone`, in micro-units, from the hours themselves. */
function expectedDays(zone: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const h of hours) {
    const day = bucketStart(h.hourStartMs, 'day', zone);
    out.set(day, (out.get(day) ?? 0) + h.amountMicro);
  }
  return out;
}

describe('prepared reads across time zones', () => {
  let store: EmbeddedStore;
  beforeAll(async () => {
    store = await EmbeddedStore.open({ dataDir: ':memory:', timeZone: HOME });
    await store.saveRegistry(registry);
    await store.replaceHourly([], hours);
  });
  afterAll(() => store.close());

  const days = (timeZone: string): AggregateQuery => ({
    filter: { energy: 'electricity' },
    // Whole hours inside the data, not aligned to either zone's days: the hourly table answers.
    fromMs: FROM + 5 * H,
    toMs: FROM + (HOURS - 7) * H,
    interval: 'day',
    timeZone,
    groupBy: 'none',
  });

  it('buckets by the zone of each question, asked alternately', async () => {
    for (const zone of [HOME, 'Europe/London', HOME, 'America/New_York', 'Europe/London']) {
      const q = days(zone);
      const rows = await store.aggregate(q);
      const inRange = hours.filter((h) => h.hourStartMs >= q.fromMs && h.hourStartMs < q.toMs);
      const want = new Map<number, number>();
      for (const h of inRange) {
        const day = bucketStart(h.hourStartMs, 'day', zone);
        want.set(day, (want.get(day) ?? 0) + h.amountMicro);
      }
      expect(
        rows.map((r) => [r.bucketStartMs, Math.round(r.amount * 1e6)]),
        zone,
      ).toEqual([...want.entries()].sort((a, b) => a[0] - b[0]));
      // The zones' days differ: an answer bucketed in the previous zone would fail the comparison.
      expect(rows.length).toBeGreaterThan(1);
    }
  });

  it('answers the same after more distinct statements than the cache keeps', async () => {
    const before = await store.aggregate(days(HOME));
    for (let k = 0; k < 140; k++) {
      // 140 distinct SQL texts (a sub-item prefix is a parameter; the group column is in the text).
      const groupBy = (['none', 'district', 'institution', 'building', 'meter'] as const)[k % 5] ?? 'none';
      await store.aggregate({ ...days(HOME), fromMs: FROM + (k % 24) * H, groupBy });
      await store.aggregate({ ...days(HOME), interval: k % 2 === 0 ? 'month' : 'year', groupBy });
    }
    expect(await store.aggregate(days(HOME))).toEqual(before);
    const whole = expectedDays(HOME);
    const total = await store.aggregate({ ...days(HOME), fromMs: FROM, toMs: FROM + HOURS * H, interval: 'total' });
    expect(Math.round((total[0]?.amount ?? 0) * 1e6)).toBe([...whole.values()].reduce((a, b) => a + b, 0));
  });
});
