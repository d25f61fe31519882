import type { MeterEvent, MeterEventInput } from './meter-events.js';
import { cycleFrom } from './meter-tree.js';
import type { Meter, Registry } from './registry.js';

/** A dated move or parent change (issue "The meter model"). */
export type AttributionEvent = Extract<MeterEventInput, { type: 'move' | 'parent' }>;

/** Whether an event re-attributes the meter's hours (a move or a parent change). */
export function isAttributionEvent(e: MeterEventInput): e is AttributionEvent {
  return e.type === 'move' || e.type === 'parent';
}

/** A problem with an event: the field and why. */
export interface EventProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * The registry after a move or parent change of `meterId` at `event.ts`: the meter's current
 * building and parent become its newest `attribution` entry (until `event.ts`) and the event's
 * become current. A move also detaches the meter from its parent (a parent is in the same
 * building). Refused, with the fields at fault: an unknown or virtual meter, an instant before the
 * meter's last move or parent change or in the future, a move to an unknown building or the same
 * one, a move of a meter that has sub-meters, a parent that is unknown, the meter itself, virtual,
 * in another building, of another energy, the current one, or that makes a cycle. Pure.
 */
export function applyAttributionEvent(
  registry: Registry,
  meterId: string,
  event: AttributionEvent,
  history: readonly Pick<MeterEvent, 'type' | 'ts'>[],
  nowMs: number,
): { registry: Registry; problems: EventProblem[] } {
  const problems: EventProblem[] = [];
  const bad = (path: string, message: string) => problems.push({ path, message });
  const meters = new Map(registry.meters.map((m) => [m.id, m]));
  const meter = meters.get(meterId);
  if (meter === undefined || meter.virtual !== undefined) {
    bad('id', meter === undefined ? `unknown meter "${meterId}"` : 'a virtual meter is never part of a tree');
    return { registry, problems };
  }
  const last = Math.max(...history.filter((e) => e.type === 'move' || e.type === 'parent').map((e) => e.ts));
  if (event.ts <= last)
    bad('ts', `must be after the meter's last move or parent change (${new Date(last).toISOString()})`);
  if (event.ts > nowMs) bad('ts', 'is in the future: record a move or parent change once it has happened');
  let next: Meter;
  if (event.type === 'move') {
    if (!registry.buildings.some((b) => b.id === event.buildingId))
      bad('buildingId', `unknown building "${event.buildingId}"`);
    else if (event.buildingId === meter.buildingId) bad('buildingId', `the meter is in "${event.buildingId}" already`);
    const children = registry.meters.filter((m) => m.parentId === meterId).map((m) => m.id);
    if (children.length > 0)
      bad('buildingId', `the meter has sub-meters (${children.join(', ')}): move or detach them first`);
    const { parentId: _detached, ...rest } = meter;
    next = { ...rest, buildingId: event.buildingId };
  } else {
    const parent = event.parentId === null ? undefined : meters.get(event.parentId);
    if (event.parentId === null && meter.parentId === undefined) bad('parentId', 'the meter has no parent already');
    else if (event.parentId !== null) {
      if (event.parentId === meterId) bad('parentId', 'a meter cannot be its own parent');
      else if (parent === undefined) bad('parentId', `unknown meter "${event.parentId}"`);
      else if (parent.virtual !== undefined) bad('parentId', `"${parent.id}" is a virtual meter`);
      else if (parent.buildingId !== meter.buildingId)
        bad('parentId', `"${parent.id}" is in building "${parent.buildingId}", not "${meter.buildingId}"`);
      else if (parent.energy !== meter.energy)
        bad('parentId', `"${parent.id}" meters ${parent.energy}, not ${meter.energy}`);
      else if (parent.id === meter.parentId) bad('parentId', `"${parent.id}" is the meter's parent already`);
      else if (cycleFrom(meterId, (id) => (id === meterId ? parent.id : meters.get(id)?.parentId), meters.size))
        bad('parentId', `"${parent.id}" is below this meter: that would make a cycle`);
    }
    const { parentId: _old, ...rest } = meter;
    next = event.parentId === null ? rest : { ...rest, parentId: event.parentId };
  }
  if (problems.length > 0) return { registry, problems };
  const until = new Date(event.ts).toISOString();
  const entry = {
    until,
    buildingId: meter.buildingId,
    ...(meter.parentId === undefined ? {} : { parentId: meter.parentId }),
  };
  next = { ...next, attribution: [...(meter.attribution ?? []), entry] };
  return { registry: { ...registry, meters: registry.meters.map((m) => (m.id === meterId ? next : m)) }, problems };
}
