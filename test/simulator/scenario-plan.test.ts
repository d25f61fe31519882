import { describe, expect, it } from 'vitest';
import { buildFleet } from '../../simulator/fleet.js';
import {
  GATEWAY_FAULT_KINDS,
  type Label,
  LabelSchema,
  labelSpanMs,
  labelsToJsonLines,
  PLANNED_LABEL_KINDS,
  parseLabelsJsonLines,
} from '../../simulator/labels.js';
import { planScenario } from '../../simulator/planner.js';
import { readingsBetween } from '../../simulator/registers.js';
import { scenarioFromLabels } from '../../simulator/scenario.js';

const fleet = buildFleet({ seed: 2, districts: 3, institutions: 40 });
const FROM_MS = Date.parse('2026-11-01T00:00:00+08:00');
const TO_MS = Date.parse('2026-12-01T00:00:00+08:00');
const OPTS = { seed: 7, fromMs: FROM_MS, toMs: TO_MS, faultRate: 1, anomalyRate: 1 } as const;
const scenario = planScenario(fleet, OPTS);
const gatewayOf = new Map(fleet.meters.map((m) => [m.id, m.gatewayId]));

const count = (labels: readonly Label[], kind: string) => labels.filter((l) => l.kind === kind).length;

describe('planScenario', () => {
  it('is deterministic: the same seed gives byte-identical labels, another seed others', () => {
    expect(labelsToJsonLines(planScenario(fleet, OPTS).labels)).toBe(labelsToJsonLines(scenario.labels));
    expect(labelsToJsonLines(planScenario(fleet, { ...OPTS, seed: 8 }).labels)).not.toBe(
      labelsToJsonLines(scenario.labels),
    );
  });

  it('writes valid labels of every kind, with ISO instants in the window, that a labels file reproduces', () => {
    expect(new Set(scenario.labels.map((l) => l.kind))).toEqual(new Set(PLANNED_LABEL_KINDS));
    for (const l of scenario.labels) {
      expect(LabelSchema.parse(l)).toEqual(l);
      expect(l.start).toMatch(/^2026-1[12]-\d\dT\d\d:\d\d:00\+08:00$/);
      const { startMs, endMs } = labelSpanMs(l);
      expect(endMs).toBeGreaterThanOrEqual(startMs);
      expect(startMs).toBeGreaterThanOrEqual(FROM_MS);
      expect(endMs).toBeLessThanOrEqual(TO_MS);
    }
    const text = labelsToJsonLines(scenario.labels);
    expect(text.split('\n')).toHaveLength(scenario.labels.length + 1);
    const reread = scenarioFromLabels(parseLabelsJsonLines(text), scenario);
    expect(reread.labels).toEqual(scenario.labels);
    const meters = fleet.meters.slice(0, 60);
    const readings = (s: typeof scenario) =>
      JSON.stringify([...readingsBetween(meters, FROM_MS, TO_MS, 3 * 3600, 'Asia/Shanghai', s)]);
    expect(readings(reread)).toBe(readings(scenario));
  });

  it('puts leaks on water meters and steps on energy meters only (a water step is a leak)', () => {
    const energyOf = new Map(fleet.meters.map((m) => [m.id, m.energy]));
    const of = (kind: string) =>
      scenario.labels.filter((l) => l.kind === kind).map((l) => energyOf.get('meter' in l ? l.meter : ''));
    expect(of('leak').length).toBeGreaterThan(0);
    expect(new Set(of('leak'))).toEqual(new Set(['water']));
    expect(of('step').length).toBeGreaterThan(0);
    expect(of('step')).not.toContain('water');
    expect(of('step')).not.toContain(undefined);
  });

  it('places about the expected number of events: rate per unit per 30 days, shared by the kinds of a group', () => {
    const meters = fleet.meters.length;
    const gateways = fleet.registry.gateways.length;
    // Gaps and duplicates are rarely refused, so their counts follow the rate: 1/4 per meter per 30 days each.
    for (const kind of ['gap', 'duplicate']) {
      expect(count(scenario.labels, kind)).toBeGreaterThan(0.75 * (meters / 4));
      expect(count(scenario.labels, kind)).toBeLessThan(1.25 * (meters / 4));
    }
    const gatewayFaults = GATEWAY_FAULT_KINDS.reduce((s, k) => s + count(scenario.labels, k), 0);
    expect(gatewayFaults).toBeGreaterThan(0.6 * gateways);
    expect(gatewayFaults).toBeLessThan(1.3 * gateways);
    // The whole rate on one kind: 2 gaps per meter per 30 days; a rate of 0 gives none.
    const gapsOnly = planScenario(fleet, { ...OPTS, faultRate: 2, kinds: ['gap'] });
    expect(count(gapsOnly.labels, 'gap')).toBeGreaterThan(0.75 * 2 * meters);
    expect(count(gapsOnly.labels, 'gap')).toBeLessThan(1.25 * 2 * meters);
    expect(planScenario(fleet, { ...OPTS, faultRate: 0, anomalyRate: 0 }).labels).toEqual([]);
  });

  it('plans only the kinds asked for, and each kind draws from its own stream', () => {
    const some = planScenario(fleet, { ...OPTS, kinds: ['spike', 'offline'] });
    expect(new Set(some.labels.map((l) => l.kind))).toEqual(new Set(['spike', 'offline']));
    // The same rate over fewer kinds: each of them gets a bigger share.
    expect(count(some.labels, 'spike')).toBeGreaterThan(count(scenario.labels, 'spike'));
    const spikesAlone = planScenario(fleet, { ...OPTS, kinds: ['spike'] });
    const spikesWithOffline = planScenario(fleet, { ...OPTS, kinds: ['spike', 'offline'] });
    expect(spikesWithOffline.labels.filter((l) => l.kind === 'spike')).toEqual(spikesAlone.labels);
  });

  it('keeps events from hiding each other', () => {
    const busy = planScenario(fleet, { ...OPTS, faultRate: 6, anomalyRate: 4 });
    const registerEvents = new Map<string, number>();
    const transport = new Map<string, Array<{ startMs: number; endMs: number; gateway: boolean }>>();
    for (const l of busy.labels) {
      if (l.kind === 'rollover' || l.kind === 'replace' || l.kind === 'stuck')
        registerEvents.set(l.meter, (registerEvents.get(l.meter) ?? 0) + 1);
      const gw =
        'gateway' in l ? l.gateway : l.kind === 'gap' || l.kind === 'duplicate' ? gatewayOf.get(l.meter) : undefined;
      if (gw === undefined) continue;
      const list = transport.get(gw) ?? [];
      list.push({ ...labelSpanMs(l), gateway: 'gateway' in l });
      transport.set(gw, list);
    }
    expect(Math.max(...registerEvents.values())).toBe(1);
    for (const spans of transport.values()) {
      for (const a of spans.filter((s) => s.gateway)) {
        const others = spans.filter((s) => s !== a);
        expect(others.some((b) => a.startMs <= b.endMs && b.startMs <= a.endMs)).toBe(false);
      }
    }
  });

  it('refuses bad options', () => {
    expect(() => planScenario(fleet, { ...OPTS, toMs: FROM_MS })).toThrow(RangeError);
    expect(() => planScenario(fleet, { ...OPTS, faultRate: -1 })).toThrow(RangeError);
    expect(() => planScenario(fleet, { ...OPTS, kinds: ['flood' as 'gap'] })).toThrow(RangeError);
  });
});
