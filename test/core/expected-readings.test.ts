import { describe, expect, it } from 'vitest';
import type { MeterEventInput } from '../../core/domain/meter-events.js';
import { expectedReadings, expectedReadingsPerRange } from '../../core/domain/quality.js';
import type { Meter } from '../../core/domain/registry.js';

const H = 3_600_000;
const T0 = Date.parse('2026-11-01T00:00:00+08:00');
const meter = (id: string, intervalS: number, installedAt?: string): Meter => ({
  id,
  buildingId: 'b',
  gatewayId: 'g',
  energy: 'electricity',
  unit: 'kWh',
  multiplier: 1,
  intervalS,
  ...(installedAt === undefined ? {} : { installedAt }),
});

describe('expected readings per range', () => {
  it('equals the sum over meters, whatever the grouping', () => {
    const meters = [
      meter('a', 900),
      meter('b', 900),
      meter('c', 3600),
      meter('d', 900, '2026-11-01T12:00:00+08:00'),
      meter('e', 900),
    ];
    const events: Record<string, MeterEventInput[]> = { e: [{ type: 'decommission', ts: T0 + 30 * H }] };
    const eventsOf = (id: string) => events[id] ?? [];
    const ranges = Array.from({ length: 48 }, (_, i) => ({ fromMs: T0 + i * H, toMs: T0 + (i + 1) * H }));
    const nowMs = T0 + 40.5 * H;
    const grouped = expectedReadingsPerRange(meters, eventsOf, ranges, nowMs);
    const oneByOne = ranges.map((r) =>
      meters.reduce((s, m) => s + expectedReadings(m, eventsOf(m.id), r.fromMs, r.toMs, nowMs), 0),
    );
    expect(grouped).toEqual(oneByOne);
    expect(grouped[0]).toBe(4 + 4 + 1 + 0 + 4);
    expect(grouped[47]).toBe(0);
  });
});
