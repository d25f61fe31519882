import { describe, expect, it } from 'vitest';
import { byMeter, dailyObservations, dayTemperatureC, hourTemperatureC, weatherOf } from '../../bench/mv-city.js';
import { localToEpochMs } from '../../core/domain/time.js';
import type { AggregateRow } from '../../core/storage/store.js';

/** The `mv` bench's weather and grouping (issue 18, "Speed"): the models must see the city's own temperatures. */
const ZONE = 'Asia/Shanghai';
const HOUR_MS = 3_600_000;

const row = (groupId: string, bucketStartMs: number, amount: number): AggregateRow => ({
  bucketStartMs,
  energy: 'electricity',
  groupId,
  amount,
  estimated: 0,
  readings: 0,
  suspectHours: 0,
  estimatedHours: 0,
  goodHours: 0,
});

describe('mv bench city', () => {
  it("gives a local day's mean temperature as the mean of its hours", () => {
    for (const [month, day] of [
      [1, 15],
      [7, 20],
    ] as const) {
      const startMs = localToEpochMs(ZONE, 2025, month, day);
      const hours = Array.from({ length: 24 }, (_, h) => hourTemperatureC(startMs + h * HOUR_MS, ZONE));
      const mean = hours.reduce((s, t) => s + t, 0) / 24;
      expect(mean).toBeCloseTo(dayTemperatureC(startMs, ZONE), 6);
      expect(Math.max(...hours) - Math.min(...hours)).toBeGreaterThan(6);
    }
    expect(dayTemperatureC(localToEpochMs(ZONE, 2025, 7, 20), ZONE)).toBeGreaterThan(
      dayTemperatureC(localToEpochMs(ZONE, 2025, 1, 15), ZONE) + 15,
    );
  });

  it('groups aggregate rows by meter, each in time order, with the day temperatures', () => {
    const day = localToEpochMs(ZONE, 2025, 1, 1);
    const grouped = byMeter([row('b', day + 86_400_000, 2), row('a', day, 1), row('b', day, 3)]);
    expect([...grouped.keys()].sort()).toEqual(['a', 'b']);
    const observations = dailyObservations(grouped.get('b') ?? [], weatherOf(ZONE).day);
    expect(observations.map((o) => o.kwh)).toEqual([3, 2]);
    expect(observations[0]?.temperatureC).toBeCloseTo(dayTemperatureC(day, ZONE), 9);
  });
});
