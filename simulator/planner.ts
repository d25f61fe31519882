/**
 * The scenario planner: chooses, from a seed, which meters, gateways and institutions get which
 * faults and anomalies in a window, and writes each as a label (labels.ts). Pure and deterministic:
 * the same fleet and options give the same labels, byte for byte. Each (kind, unit) pair draws
 * from its own random stream, so enabling a kind leaves the draws of the others alone (up to the
 * overlap rules of plan-book.ts, applied in a fixed order: anomalies, then faults).
 *
 * Rates are expected events per 30 days, per unit of the kind's scope, shared equally by the
 * enabled kinds of a group: `faultRate` per meter over rollover, replace, gap and duplicate, and
 * per gateway over late-upload, offline, clock-skew and malformed; `anomalyRate` per meter over
 * spike, stuck, leak and step (a leak happens only on water meters, so other meters get fewer),
 * and per institution over after-hours and month-over-target. A meter gets at most one rollover,
 * replacement or stuck span, and an event that finds no room (overlap rules, a short window) is
 * dropped, so the counts are at most the rates.
 */
import { formatIsoWithOffset } from './calendar.js';
import { DEFAULT_INTERVAL_S } from './fleet.js';
import {
  GATEWAY_FAULT_KINDS,
  INSTITUTION_ANOMALY_KINDS,
  isLabelKind,
  LABEL_KINDS,
  type Label,
  type LabelKind,
  METER_ANOMALY_KINDS,
  METER_FAULT_KINDS,
} from './labels.js';
import type { Fleet } from './model.js';
import { planInstitutionAnomalies, planMeterAnomalies } from './plan-anomalies.js';
import { PlanBook, type PlanContext } from './plan-book.js';
import { planGatewayFaults, planMeterFaults } from './plan-faults.js';
import { DEFAULT_TIME_ZONE } from './profiles.js';
import { hash32, Rng } from './random.js';
import { RegisterClock } from './registers.js';
import type { Scenario } from './scenario.js';

const DAY_MS = 86_400_000;

/** Options of `planScenario`. Defaults in brackets. */
export interface PlanScenarioOptions {
  readonly seed: number;
  /** Window of the events, epoch ms, `[fromMs, toMs)`; rounded inwards to whole seconds. */
  readonly fromMs: number;
  readonly toMs: number;
  /** Expected faults per 30 days per meter (meter faults) and per gateway (gateway faults) [0]. */
  readonly faultRate?: number;
  /** Expected anomalies per 30 days per meter (meter anomalies) and per institution (institution anomalies) [0]. */
  readonly anomalyRate?: number;
  /** Kinds that may happen [all]. */
  readonly kinds?: readonly LabelKind[];
  /** Zone of local nights, days and months [Asia/Shanghai]. */
  readonly timeZone?: string;
  /** Reading interval, seconds, that transport spans are aligned to [the registry's, else 900]. */
  readonly intervalS?: number;
}

/** The expected number of events of each enabled kind per unit over the window. */
function kindMeans(opts: PlanScenarioOptions, months: number): Map<LabelKind, number> {
  const enabled = new Set(opts.kinds ?? LABEL_KINDS);
  const groups: Array<[readonly LabelKind[], number]> = [
    [METER_FAULT_KINDS, opts.faultRate ?? 0],
    [GATEWAY_FAULT_KINDS, opts.faultRate ?? 0],
    [METER_ANOMALY_KINDS, opts.anomalyRate ?? 0],
    [INSTITUTION_ANOMALY_KINDS, opts.anomalyRate ?? 0],
  ];
  const means = new Map<LabelKind, number>();
  for (const [kinds, rate] of groups) {
    const on = kinds.filter((k) => enabled.has(k));
    for (const k of on) means.set(k, (rate / on.length) * months);
  }
  return means;
}

/** Fills in the register values of rollover, replace and stuck labels from the registers with every consumption anomaly. */
function withRegisterValues(fleet: Fleet, scenario: Scenario): Label[] {
  const registerKinds = new Set<LabelKind>(['rollover', 'replace', 'stuck']);
  const load: Scenario = { ...scenario, labels: scenario.labels.filter((l) => !registerKinds.has(l.kind)) };
  const meters = new Map(fleet.meters.map((m) => [m.id, m]));
  return scenario.labels.map((label): Label => {
    if (label.kind !== 'rollover' && label.kind !== 'replace' && label.kind !== 'stuck') return label;
    const meter = meters.get(label.meter);
    if (meter === undefined) return label;
    const clock = new RegisterClock(meter, scenario.timeZone, load);
    const startMs = Date.parse(label.start);
    if (label.kind === 'replace') return { ...label, oldFinal: clock.registerAt(startMs) };
    if (label.kind === 'stuck')
      return {
        ...label,
        frozenRegister: clock.registerAt(startMs),
        registerAtEnd: clock.registerAt(Date.parse(label.end)),
      };
    // An offset that brings the register to its modulus exactly at the instant.
    const mod = meter.registerModulus;
    const position = ((clock.rawRegisterAt(startMs) % mod) + mod) % mod;
    return { ...label, registerOffset: position === 0 ? 0 : mod - position };
  });
}

const subjectOf = (l: Label) => ('meter' in l ? l.meter : 'gateway' in l ? l.gateway : l.institution);

/** Plans a seeded scenario of faults and anomalies for a fleet over a window. */
export function planScenario(fleet: Fleet, opts: PlanScenarioOptions): Scenario {
  const fromMs = Math.ceil(opts.fromMs / 1000) * 1000;
  const toMs = Math.floor(opts.toMs / 1000) * 1000;
  if (!(toMs > fromMs)) throw new RangeError('planScenario: toMs must be after fromMs');
  for (const [name, rate] of [
    ['faultRate', opts.faultRate],
    ['anomalyRate', opts.anomalyRate],
  ] as const) {
    if (rate !== undefined && !(rate >= 0 && Number.isFinite(rate)))
      throw new RangeError(`planScenario: ${name} must be a finite number ≥ 0`);
  }
  for (const kind of opts.kinds ?? [])
    if (!isLabelKind(kind)) throw new RangeError(`planScenario: unknown kind "${kind}"`);
  const timeZone = opts.timeZone ?? DEFAULT_TIME_ZONE;
  const intervalS = opts.intervalS ?? fleet.registry.meters[0]?.intervalS ?? DEFAULT_INTERVAL_S;
  const means = kindMeans(opts, (toMs - fromMs) / (30 * DAY_MS));
  const ctx: PlanContext = {
    fleet,
    window: { startMs: fromMs, endMs: toMs },
    stepMs: intervalS * 1000,
    timeZone,
    book: new PlanBook(intervalS * 1000),
    root: new Rng(hash32('scenario', opts.seed)),
    labels: [],
    iso: (tMs) => formatIsoWithOffset(tMs, timeZone),
    mean: (kind) => means.get(kind) ?? 0,
  };
  planInstitutionAnomalies(ctx);
  planMeterAnomalies(ctx);
  planMeterFaults(ctx);
  planGatewayFaults(ctx);
  const kindOrder = new Map(LABEL_KINDS.map((k, i) => [k, i]));
  const order = (a: Label, b: Label) =>
    Date.parse(a.start) - Date.parse(b.start) ||
    (kindOrder.get(a.kind) ?? 0) - (kindOrder.get(b.kind) ?? 0) ||
    (subjectOf(a) < subjectOf(b) ? -1 : subjectOf(a) > subjectOf(b) ? 1 : 0);
  const draft: Scenario = { fromMs, toMs, timeZone, intervalS, labels: [...ctx.labels].sort(order) };
  return { ...draft, labels: withRegisterValues(fleet, draft) };
}
