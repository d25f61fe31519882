import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { parseReadingsPayload } from '../../core/domain/reading.js';
import { buildFleet } from '../../simulator/fleet.js';
import { type LabelOf, labelSpanMs, labelsToJsonLines } from '../../simulator/labels.js';
import type { Fleet } from '../../simulator/model.js';
import { planScenario } from '../../simulator/planner.js';
import { FleetPublisher } from '../../simulator/publisher.js';
import { RegisterClock, readingsBetween, registerAt } from '../../simulator/registers.js';
import type { Scenario } from '../../simulator/scenario.js';
import { type CaptureBroker, startCaptureBroker } from './capture-broker.js';

const TZ = 'Asia/Shanghai';
const STEP_MS = 900_000;
const FROM_MS = Date.parse('2026-11-16T00:00:00+08:00');
const TO_MS = FROM_MS + 2 * 86_400_000;
const PLAN = { seed: 4, fromMs: FROM_MS, toMs: TO_MS, faultRate: 40, anomalyRate: 6 } as const;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const toClose: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const c of toClose.splice(0).reverse()) await c.close();
});

/** Back-fills [from, to) into a fresh capturing broker; resolves once every message has arrived. */
async function publish(fleet: Fleet, from: number, to: number, scenario?: Scenario, batchSize = 25) {
  const broker: CaptureBroker = await startCaptureBroker();
  toClose.push(broker);
  const publisher = new FleetPublisher({ fleet, brokerUrl: broker.url, batchSize, ...(scenario ? { scenario } : {}) });
  toClose.push(publisher);
  const progress: Array<{ published: number; total: number }> = [];
  const result = await publisher.backfill(from, to, (p) => progress.push(p));
  await expect.poll(() => broker.messages.length).toBe(result.messages);
  return { broker, result, progress };
}

const spansOf = <K extends 'gap' | 'duplicate' | 'offline' | 'late-upload' | 'clock-skew' | 'malformed'>(
  scenario: Scenario,
  kind: K,
) => scenario.labels.filter((l): l is LabelOf<K> => l.kind === kind).map((l) => ({ ...l, ...labelSpanMs(l) }));
const covers = (s: { startMs: number; endMs: number }, t: number) => t >= s.startMs && t < s.endMs;

describe('publishing a scenario', () => {
  const fleet = buildFleet({ seed: 5, districts: 2, institutions: 6 });
  const scenario = planScenario(fleet, PLAN);

  it('sends exactly what the labels say, and nothing else', async () => {
    const kinds = new Set(scenario.labels.map((l) => (l.kind === 'malformed' ? l.variant : l.kind)));
    for (const k of ['gap', 'duplicate', 'offline', 'late-upload', 'clock-skew', 'replace', 'spike', 'stuck'])
      expect(kinds).toContain(k);
    for (const v of ['bad-json', 'non-numeric', 'unknown-meter', 'missing-ts']) expect(kinds).toContain(v);
    const { broker, result, progress } = await publish(fleet, FROM_MS, TO_MS, scenario);

    // What arrived, per gateway in arrival order.
    const meters = new Map(fleet.meters.map((m) => [m.id, m]));
    const arrivals: Array<{ gatewayId: string; meterId: string; tsMs: number; value: number; pos: number }> = [];
    const rejects: Array<{ gatewayId: string; reason: string; meterId?: string; payload: string }> = [];
    for (const msg of broker.messages) {
      const parsed = parseReadingsPayload(msg.payload);
      for (const r of parsed.readings) arrivals.push({ gatewayId: msg.gatewayId, ...r, pos: arrivals.length });
      for (const r of parsed.rejects) rejects.push({ gatewayId: msg.gatewayId, ...r, payload: msg.payload });
    }
    const known = arrivals.filter((a) => meters.has(a.meterId));

    // Expected copies of each (meter, timestamp): gaps and offline spans drop, duplicates double, skew shifts.
    const gaps = spansOf(scenario, 'gap');
    const dups = spansOf(scenario, 'duplicate');
    const offline = spansOf(scenario, 'offline');
    const skews = spansOf(scenario, 'clock-skew');
    const want = new Map<string, number>();
    for (const m of fleet.meters) {
      for (let t = FROM_MS; t < TO_MS; t += STEP_MS) {
        if (gaps.some((g) => g.meter === m.id && covers(g, t))) continue;
        if (offline.some((o) => o.gateway === m.gatewayId && covers(o, t))) continue;
        const skew = skews.find((s) => s.gateway === m.gatewayId && covers(s, t));
        const dup = dups.find((d) => d.meter === m.id && covers(d, t));
        want.set(`${m.id}@${t + (skew?.skewS ?? 0) * 1000}`, dup?.copies ?? 1);
      }
    }
    const got = new Map<string, number>();
    for (const a of known) got.set(`${a.meterId}@${a.tsMs}`, (got.get(`${a.meterId}@${a.tsMs}`) ?? 0) + 1);
    expect(new Map([...got].sort())).toEqual(new Map([...want].sort()));

    // Values are the registers of the true instants, anomalies and register faults included.
    for (const a of known) {
      const skew = skews.find((s) => s.gateway === a.gatewayId && covers(s, a.tsMs - s.skewS * 1000));
      const trueMs = a.tsMs - (skew?.skewS ?? 0) * 1000;
      expect(a.value).toBe(registerAt(meters.get(a.meterId) as (typeof fleet.meters)[number], trueMs, TZ, scenario));
    }
    for (const s of skews) expect(Math.abs(s.skewS)).toBeGreaterThanOrEqual(10);

    // A late upload arrives after the gateway's readings of the span end, not in time order.
    for (const late of spansOf(scenario, 'late-upload')) {
      const own = known.filter((a) => a.gatewayId === late.gateway);
      const back = own.find((a) => a.tsMs === late.endMs);
      const buffered = own.filter((a) => covers(late, a.tsMs));
      expect(back).toBeDefined();
      expect(buffered.length).toBeGreaterThan(0);
      expect(buffered.every((a) => a.pos > (back?.pos ?? Number.POSITIVE_INFINITY))).toBe(true);
      const times = buffered.map((a) => a.tsMs);
      expect(times).not.toEqual([...times].sort((x, y) => x - y));
    }

    // Each malformed label has its bad message; there are no other rejects and no other unknown meters.
    const malformed = spansOf(scenario, 'malformed');
    for (const l of malformed) {
      const mine = rejects.filter((r) => r.gatewayId === l.gateway);
      if (l.variant === 'bad-json')
        expect(mine.some((r) => r.reason === 'payload is not valid JSON' && r.payload.includes(`"${l.meter}"`))).toBe(
          true,
        );
      if (l.variant === 'non-numeric')
        expect(mine.some((r) => r.meterId === l.meter && /value/.test(r.reason))).toBe(true);
      if (l.variant === 'missing-ts') expect(mine.some((r) => r.meterId === l.meter && /ts/.test(r.reason))).toBe(true);
      if (l.variant === 'unknown-meter')
        expect(arrivals.some((a) => a.meterId === l.meter && a.gatewayId === l.gateway && a.tsMs === l.startMs)).toBe(
          true,
        );
    }
    expect(rejects).toHaveLength(malformed.filter((l) => l.variant !== 'unknown-meter').length);
    expect(arrivals.length - known.length).toBe(malformed.filter((l) => l.variant === 'unknown-meter').length);

    // A replaced meter restarts at its new initial value.
    for (const l of scenario.labels) {
      if (l.kind !== 'replace') continue;
      const m = meters.get(l.meter) as (typeof fleet.meters)[number];
      const t0 = Date.parse(l.start);
      const next = known.find((a) => a.meterId === l.meter && a.tsMs >= t0 && a.tsMs < t0 + STEP_MS);
      if (next === undefined) continue; // in a gap or an offline span
      const clock = new RegisterClock(m, TZ, scenario);
      const since = (clock.cumulativeNative(next.tsMs) - clock.cumulativeNative(t0)) / m.multiplier;
      expect(Math.abs(next.value - l.newInitial - since)).toBeLessThanOrEqual(10 ** -m.registerDecimals);
    }

    // The progress total counts the scenario's drops and duplicates.
    expect(result.readings).toBe(known.length);
    expect(progress.at(-1)).toEqual(expect.objectContaining({ published: known.length, total: known.length }));
  });

  it('is reproducible byte for byte: labels and every gateway’s messages', async () => {
    const again = planScenario(buildFleet({ seed: 5, districts: 2, institutions: 6 }), PLAN);
    expect(labelsToJsonLines(again.labels)).toBe(labelsToJsonLines(scenario.labels));
    const from = FROM_MS + 12 * 3_600_000;
    const to = from + 18 * 3_600_000;
    const a = await publish(fleet, from, to, scenario);
    const b = await publish(buildFleet({ seed: 5, districts: 2, institutions: 6 }), from, to, again);
    expect(a.broker.byGateway()).toEqual(b.broker.byGateway());
    expect(sha256(JSON.stringify([...a.broker.byGateway()]))).toBe(sha256(JSON.stringify([...b.broker.byGateway()])));
  });
});

describe('without a scenario nothing changes', () => {
  // Hashes of the output before scenarios existed (seed 7, 2 districts, 4 institutions, 2026-11-18, one day).
  const fleet = buildFleet({ seed: 7, districts: 2, institutions: 4 });
  const from = Date.parse('2026-11-18T00:00:00+08:00');
  const to = from + 86_400_000;
  const READINGS_SHA = 'b35f1abfe5c877abdddba22a5f3d541faf13e78caef85bdec51fd134837cac04';
  const MESSAGES_SHA = '00620912df45872af416b20a8d9c07a746846915a22dc56c414b3d62e8c3b8c0';
  const empty = planScenario(fleet, { seed: 1, fromMs: from, toMs: to });

  it('gives the same readings, with no scenario or an empty one', () => {
    expect(empty.labels).toEqual([]);
    expect(sha256(JSON.stringify([...readingsBetween(fleet, from, to, 900)]))).toBe(READINGS_SHA);
    expect(sha256(JSON.stringify([...readingsBetween(fleet, from, to, 900, TZ, empty)]))).toBe(READINGS_SHA);
  });

  it('publishes the same messages, with no scenario or an empty one', async () => {
    for (const scenario of [undefined, empty]) {
      const { broker, result } = await publish(fleet, from, to, scenario, 50);
      expect(result.messages).toBe(80);
      expect(sha256(JSON.stringify([...broker.byGateway()]))).toBe(MESSAGES_SHA);
    }
  });
});
