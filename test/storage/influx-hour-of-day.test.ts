import { describe, expect, it } from 'vitest';
import type { Registry } from '../../core/domain/registry.js';
import { HOUR_MS } from '../../core/domain/time.js';
import { hourOfDayFromHourly } from '../../core/storage/hour-of-day.js';
import { hourOfDayInSlices, metersMatching } from '../../core/storage/influx/hour-of-day.js';
import type { AggregateQuery, AggregateRow } from '../../core/storage/store.js';

const T0 = Date.UTC(2025, 0, 1, 0) - 8 * HOUR_MS; // 2025-01-01 00:00 in Asia/Shanghai
const METERS = ['m1', 'm2', 'm3'];

/** An hourly aggregate by meter over synthetic hours (amounts that do not add up exactly in floats). */
async function hourly(q: AggregateQuery): Promise<AggregateRow[]> {
  const rows: AggregateRow[] = [];
  for (let t = Math.ceil(q.fromMs / HOUR_MS) * HOUR_MS; t < q.toMs; t += HOUR_MS)
    for (const [k, meterId] of METERS.entries()) {
      if (q.filter.meterId !== undefined && q.filter.meterId !== meterId) continue;
      const h = (t - T0) / HOUR_MS;
      const amount = h % 7 === k ? 0 : 0.1 * ((h * 31 + k * 17) % 13) + 1 / 3;
      rows.push({ bucketStartMs: t, energy: 'electricity', groupId: meterId, amount } as AggregateRow);
    }
  return rows;
}

describe('InfluxDB hour-of-day amounts in time slices (issue 19)', () => {
  const boundariesMs = [T0, T0 + 40 * HOUR_MS, T0 + 41 * HOUR_MS, T0 + 24 * 9 * HOUR_MS];
  const q = { filter: {}, boundariesMs, timeZone: 'Asia/Shanghai', counts: true };

  it('equals the one-read fold to the last bit, whatever the slice size', async () => {
    const reference = await hourOfDayFromHourly(hourly, q);
    expect(reference).toHaveLength(9);
    for (const sliceRows of [1, 5, 3 * 24, 3 * 1000])
      expect(await hourOfDayInSlices(hourly, q, METERS.length, sliceRows), `${sliceRows}`).toEqual(reference);
    const one = { ...q, filter: { meterId: 'm2' } };
    expect(await hourOfDayInSlices(hourly, one, 1, 7)).toEqual(await hourOfDayFromHourly(hourly, one));
  });

  it('reads about sliceRows rows per aggregate', async () => {
    const reads: number[] = [];
    const counted = async (a: AggregateQuery) => {
      const rows = await hourly(a);
      reads.push(rows.length);
      return rows;
    };
    await hourOfDayInSlices(counted, q, METERS.length, 30);
    expect(reads).toHaveLength(Math.ceil((24 * 9) / 10));
    expect(Math.max(...reads)).toBe(30);
    expect(await hourOfDayInSlices(counted, { ...q, boundariesMs: [T0] }, 3)).toEqual([]);
  });

  it('counts the meters a filter may match from the registry', () => {
    const registry = {
      institutions: [
        { id: 'i1', districtId: 'd1' },
        { id: 'i2', districtId: 'd2' },
      ],
      buildings: [
        { id: 'b1', institutionId: 'i1' },
        { id: 'b2', institutionId: 'i2' },
      ],
      meters: [
        { id: 'm1', buildingId: 'b1', energy: 'electricity' },
        { id: 'm2', buildingId: 'b1', energy: 'water' },
        { id: 'm3', buildingId: 'b2', energy: 'electricity' },
      ],
    } as unknown as Registry;
    expect(metersMatching(registry, {})).toBe(3);
    expect(metersMatching(registry, { districtId: 'd1' })).toBe(2);
    expect(metersMatching(registry, { institutionId: 'i2' })).toBe(1);
    expect(metersMatching(registry, { buildingId: 'b1', energy: 'water' })).toBe(1);
    expect(metersMatching(registry, { energy: 'electricity' })).toBe(2);
    expect(metersMatching(registry, { meterId: 'm9' })).toBe(1);
  });
});
