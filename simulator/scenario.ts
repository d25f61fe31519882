/**
 * A scenario: the faults and anomalies injected into a simulated run, as plain data (its labels
 * and the window they were planned for). planner.ts makes one; effects.ts and transport.ts apply
 * it to registers and to published messages.
 */
import type { Label } from './labels.js';

/** The faults and anomalies of a run. Plain data: JSON-serialisable, never mutated. */
export interface Scenario {
  /** Window the events were planned in, epoch ms, `[fromMs, toMs)`. */
  readonly fromMs: number;
  readonly toMs: number;
  /** Zone of the labels' local hours (after-hours nights, calendar months). */
  readonly timeZone: string;
  /** Reading interval the transport spans are aligned to, seconds. */
  readonly intervalS: number;
  /** Every injected event, sorted by start, then kind, then subject. */
  readonly labels: readonly Label[];
}

/** A scenario from labels read back from a file (`parseLabelsJsonLines`). */
export function scenarioFromLabels(
  labels: readonly Label[],
  window: { fromMs: number; toMs: number; timeZone: string; intervalS: number },
): Scenario {
  return { ...window, labels: [...labels] };
}

interface ScenarioIndex {
  readonly byMeter: Map<string, Label[]>;
  readonly byGateway: Map<string, Label[]>;
}

const indexes = new WeakMap<Scenario, ScenarioIndex>();

function push(map: Map<string, Label[]>, key: string, label: Label): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [label]);
  else list.push(label);
}

function indexOf(scenario: Scenario): ScenarioIndex {
  let index = indexes.get(scenario);
  if (index === undefined) {
    index = { byMeter: new Map(), byGateway: new Map() };
    for (const label of scenario.labels) {
      if ('gateway' in label) push(index.byGateway, label.gateway, label);
      else if ('meter' in label) push(index.byMeter, label.meter, label);
      if (label.kind === 'after-hours')
        for (const meterId of Object.keys(label.extraKwByMeter)) push(index.byMeter, meterId, label);
      if (label.kind === 'month-over-target' || label.kind === 'retrofit')
        for (const meterId of label.meters) push(index.byMeter, meterId, label);
    }
    indexes.set(scenario, index);
  }
  return index;
}

/** Labels naming a meter (directly or in an institution's list), gateway-level ones excluded. */
export function labelsOfMeter(scenario: Scenario, meterId: string): readonly Label[] {
  return indexOf(scenario).byMeter.get(meterId) ?? [];
}

/** Labels of a gateway's transport: late-upload, offline, clock-skew, malformed. */
export function labelsOfGateway(scenario: Scenario, gatewayId: string): readonly Label[] {
  return indexOf(scenario).byGateway.get(gatewayId) ?? [];
}
