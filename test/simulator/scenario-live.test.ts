import { afterEach, describe, expect, it } from 'vitest';
import { parseReadingsPayload } from '../../core/domain/reading.js';
import { buildFleet } from '../../simulator/fleet.js';
import { parseLabelsJsonLines } from '../../simulator/labels.js';
import { FleetPublisher } from '../../simulator/publisher.js';
import { scenarioFromLabels } from '../../simulator/scenario.js';
import { startCaptureBroker } from './capture-broker.js';

const T0 = Date.parse('2026-11-18T08:00:00+08:00');
const STEP_MS = 900_000;

const toClose: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const c of toClose.splice(0).reverse()) await c.close();
});

describe('a scenario in live publishing', () => {
  it('keeps a late upload buffered across intervals and re-sends duplicates one interval later', async () => {
    const fleet = buildFleet({ seed: 5, districts: 1, institutions: 1 });
    const gatewayId = fleet.registry.gateways[0]?.id ?? '';
    const meterId = fleet.meters.find((m) => m.gatewayId !== gatewayId)?.id ?? fleet.meters[0]?.id ?? '';
    // A labels file written by hand: the gateway is away 08:30–09:00, one meter repeats 09:30–09:45.
    const labels = parseLabelsJsonLines(
      [
        `{"kind":"late-upload","gateway":"${gatewayId}","start":"2026-11-18T08:30:00+08:00","end":"2026-11-18T09:00:00+08:00"}`,
        `{"kind":"duplicate","meter":"${meterId}","start":"2026-11-18T09:30:00+08:00","end":"2026-11-18T09:45:00+08:00","copies":2}`,
      ].join('\n'),
    );
    const scenario = scenarioFromLabels(labels, {
      fromMs: T0,
      toMs: T0 + 3_600_000 * 3,
      timeZone: 'Asia/Shanghai',
      intervalS: 900,
    });
    const broker = await startCaptureBroker();
    toClose.push(broker);
    const publisher = new FleetPublisher({ fleet, brokerUrl: broker.url, scenario, timestampFormat: 'epoch-ms' });
    toClose.push(publisher);
    const stop = new AbortController();
    const steps: Array<{ tsMs: number; readings: number }> = [];
    await publisher.live({
      speed: 36_000,
      startMs: T0 - 1,
      signal: stop.signal,
      onStep: (s) => {
        steps.push(s);
        if (steps.length === 8) stop.abort();
      },
    });
    const perInstant = fleet.meters.filter((m) => m.gatewayId === gatewayId).length;
    const others = fleet.meters.length - perInstant;
    // 08:30 and 08:45 are held back and go out with 09:00; 09:30's duplicate goes out with 09:45.
    expect(steps.map((s) => s.readings)).toEqual([
      fleet.meters.length,
      fleet.meters.length,
      others,
      others,
      fleet.meters.length + 2 * perInstant,
      fleet.meters.length,
      fleet.meters.length,
      fleet.meters.length + 1,
    ]);
    const total = steps.reduce((s, x) => s + x.readings, 0);
    const received = () => broker.messages.flatMap((m) => parseReadingsPayload(m.payload).readings);
    await expect.poll(() => received().length).toBe(total);
    const own = received().filter((r) => fleet.meters.some((m) => m.id === r.meterId && m.gatewayId === gatewayId));
    const late = own.filter((r) => r.tsMs >= T0 + 2 * STEP_MS && r.tsMs < T0 + 4 * STEP_MS);
    const back = own.findIndex((r) => r.tsMs === T0 + 4 * STEP_MS);
    expect(late).toHaveLength(2 * perInstant);
    expect(late.every((r) => own.indexOf(r) > back)).toBe(true);
    expect(late.map((r) => r.tsMs)).not.toEqual(late.map((r) => r.tsMs).sort((a, b) => a - b));
    expect(received().filter((r) => r.meterId === meterId && r.tsMs === T0 + 6 * STEP_MS)).toHaveLength(2);
  });
});
