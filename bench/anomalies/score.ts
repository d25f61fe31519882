/**
 * Scoring of detector candidates against the scenario's labels. An event is a true positive when
 * it overlaps a label of its type on its scope (a meter's event matches a label of the meter's
 * institution too); a label is found when at least one event matches it.
 */
import { ANOMALY_TYPES, type AnomalyCandidate, type AnomalyType } from '../../core/domain/detectors/index.js';
import type { Label, LabelKind } from '../../simulator/labels.js';

/** Label kinds scored, and the detector type that should find each. */
export const KIND_TO_TYPE: Partial<Record<LabelKind, AnomalyType>> = {
  'after-hours': 'after_hours',
  spike: 'spike',
  stuck: 'flat',
  leak: 'leak',
  step: 'step',
  'month-over-target': 'over_target',
};

/** The scores of one anomaly type. */
export interface TypeScore {
  readonly type: AnomalyType;
  readonly labels: number;
  readonly found: number;
  readonly events: number;
  readonly truePositives: number;
  readonly precision: number | null;
  readonly recall: number | null;
  readonly f1: number | null;
  /** False positives that overlap a label of another kind on the same scope, by that kind. */
  readonly explainedBy: Readonly<Record<string, number>>;
}

interface Scored {
  readonly scopes: ReadonlySet<string>;
  readonly startMs: number;
  readonly endMs: number;
}

function labelScope(label: Label): string {
  if ('institution' in label) return `institution:${label.institution}`;
  if ('meter' in label) return `meter:${label.meter}`;
  return `gateway:${label.gateway}`;
}

function scopesOf(event: AnomalyCandidate, institutionOf: ReadonlyMap<string, string>): Set<string> {
  const scopes = new Set([event.scope]);
  if (event.scope.startsWith('meter:')) scopes.add(`institution:${institutionOf.get(event.scope.slice(6)) ?? ''}`);
  return scopes;
}

const overlaps = (a: { startMs: number; endMs: number }, b: { startMs: number; endMs: number }) =>
  a.startMs < b.endMs && b.startMs < a.endMs;

const ratio = (a: number, b: number) => (b === 0 ? null : a / b);

/** Precision, recall and F1 of every anomaly type. */
export function score(
  events: readonly AnomalyCandidate[],
  labels: readonly Label[],
  institutionOf: ReadonlyMap<string, string>,
): TypeScore[] {
  const metersOf = new Map<string, Set<string>>();
  for (const [meter, inst] of institutionOf) {
    const key = `institution:${inst}`;
    if (!metersOf.has(key)) metersOf.set(key, new Set());
    metersOf.get(key)?.add(`meter:${meter}`);
  }
  const spans = labels.map((l) => ({
    label: l,
    scope: labelScope(l),
    startMs: Date.parse(l.start),
    endMs: Date.parse(l.end),
  }));
  return ANOMALY_TYPES.map((type) => {
    const own = spans.filter((s) => KIND_TO_TYPE[s.label.kind] === type);
    const mine = events.filter((e) => e.type === type);
    const found = new Set<number>();
    const explainedBy: Record<string, number> = {};
    let tp = 0;
    for (const e of mine) {
      const scopes = scopesOf(e, institutionOf);
      const scored: Scored = { scopes, startMs: e.startMs, endMs: e.endMs };
      let hit = false;
      own.forEach((s, i) => {
        if (scopes.has(s.scope) && overlaps(s, scored)) {
          found.add(i);
          hit = true;
        }
      });
      if (hit) tp++;
      else {
        // The most specific other label explains a false positive: one on the event's own scope, else
        // one on its institution or, for an institution's event, on one of its meters.
        const near = e.scope.startsWith('institution:') ? (metersOf.get(e.scope) ?? new Set<string>()) : scopes;
        const others = spans.filter((s) => (scopes.has(s.scope) || near.has(s.scope)) && overlaps(s, scored));
        const other = others.find((s) => s.scope === e.scope) ?? others[0];
        const key = other === undefined ? 'none' : other.label.kind;
        explainedBy[key] = (explainedBy[key] ?? 0) + 1;
      }
    }
    // A type without labels in the scenario is not scored: its events are only counted.
    const precision = own.length === 0 ? null : ratio(tp, mine.length);
    const recall = ratio(found.size, own.length);
    const f1 =
      precision === null || recall === null || precision + recall === 0
        ? null
        : (2 * precision * recall) / (precision + recall);
    return {
      type,
      labels: own.length,
      found: found.size,
      events: mine.length,
      truePositives: tp,
      precision,
      recall,
      f1,
      explainedBy,
    };
  });
}

/**
 * The month target scored against the outcome instead of the labels: an over-target event is right
 * when its institution, energy and month truly end over the target (`actual > target`), whatever
 * made it so (a month over target, after-hours waste, a step, a leak); a month that truly ends over
 * target is found when an event names it.
 */
export function scoreOverTargetOutcome(
  events: readonly AnomalyCandidate[],
  targets: ReadonlyMap<string, number>,
  actual: ReadonlyMap<string, number>,
): TypeScore {
  const truth = new Set([...targets].filter(([key, target]) => (actual.get(key) ?? 0) > target).map(([key]) => key));
  const mine = events.filter((e) => e.type === 'over_target');
  const keys = mine.map((e) => `${e.scope.replace(/^institution:/, '')}|${e.energy}|${e.startMs}`);
  const tp = keys.filter((k) => truth.has(k)).length;
  const found = new Set(keys.filter((k) => truth.has(k))).size;
  const precision = ratio(tp, mine.length);
  const recall = ratio(found, truth.size);
  const f1 =
    precision === null || recall === null || precision + recall === 0
      ? null
      : (2 * precision * recall) / (precision + recall);
  return {
    type: 'over_target',
    labels: truth.size,
    found,
    events: mine.length,
    truePositives: tp,
    precision,
    recall,
    f1,
    explainedBy: {},
  };
}
