import type { MeterEventInput } from './meter-events.js';
import { type Meter, meterKind, type Registry } from './registry.js';
import type { Scope } from './scope.js';
import { subItemMatches } from './sub-items.js';
import { HOUR_MS } from './time.js';

/** Completeness below this share of expected readings is flagged (provincial monitoring norms, DOMAIN.md). */
export const COMPLETENESS_THRESHOLD = 0.9;

/** The part of [fromMs, toMs) in which a meter was expected to report: installed, not decommissioned, not in the future. */
export function activeSpan(
  meter: Meter,
  events: readonly MeterEventInput[],
  fromMs: number,
  toMs: number,
  nowMs: number,
): { fromMs: number; toMs: number } {
  const installed = meter.installedAt === undefined ? Number.NEGATIVE_INFINITY : Date.parse(meter.installedAt);
  const end = events.find((e) => e.type === 'decommission')?.ts ?? Number.POSITIVE_INFINITY;
  const from = Math.max(fromMs, installed);
  const to = Math.min(toMs, end, nowMs);
  return { fromMs: from, toMs: Math.max(from, to) };
}

/**
 * Readings a meter should have sent in [fromMs, toMs), from its configured interval; none for a
 * virtual meter (computed from others) or a manual one (read when someone reads it).
 */
export function expectedReadings(
  meter: Meter,
  events: readonly MeterEventInput[],
  fromMs: number,
  toMs: number,
  nowMs: number,
): number {
  if (meterKind(meter) !== 'gateway') return 0;
  const span = activeSpan(meter, events, fromMs, toMs, nowMs);
  return (span.toMs - span.fromMs) / (meter.intervalS * 1000);
}

/**
 * Expected readings of several meters in each of several ranges. Meters that share an interval, an
 * installation and a decommission expect the same, so the work is per such group (usually one for a
 * whole city), not per meter and range.
 */
export function expectedReadingsPerRange(
  meters: readonly Meter[],
  eventsOf: (meterId: string) => readonly MeterEventInput[],
  ranges: readonly { fromMs: number; toMs: number }[],
  nowMs: number,
): number[] {
  const groups = new Map<string, { meter: Meter; events: readonly MeterEventInput[]; count: number }>();
  for (const meter of meters) {
    const events = eventsOf(meter.id);
    const end = events.find((e) => e.type === 'decommission')?.ts ?? '';
    const key = `${meterKind(meter)}|${meter.intervalS}|${meter.installedAt ?? ''}|${end}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { meter, events, count: 1 });
    else group.count++;
  }
  return ranges.map((r) =>
    [...groups.values()].reduce(
      (sum, g) => sum + g.count * expectedReadings(g.meter, g.events, r.fromMs, r.toMs, nowMs),
      0,
    ),
  );
}

/** Hours of [fromMs, toMs) in which a meter was expected to report. */
export function expectedHours(
  meter: Meter,
  events: readonly MeterEventInput[],
  fromMs: number,
  toMs: number,
  nowMs: number,
): number {
  const span = activeSpan(meter, events, fromMs, toMs, nowMs);
  return Math.ceil((span.toMs - span.fromMs) / HOUR_MS);
}

/** Received / expected readings, at most 1 (a meter may send more often than configured); 1 when nothing was expected. */
export function completeness(received: number, expected: number): number {
  if (expected <= 0) return 1;
  return Math.min(1, received / expected);
}

/** Meters by scope (`district:ID`, `institution:ID`, `building:ID`, `meter:ID`), in registry order. */
interface ScopeIndex {
  readonly meters: Registry['meters'];
  readonly buildings: Registry['buildings'];
  readonly institutions: Registry['institutions'];
  readonly byScope: ReadonlyMap<string, readonly Meter[]>;
}

/** One index per registry (a registry is replaced, not changed): a scope's question walks its own meters only (issue 19). */
const scopeIndexes = new WeakMap<Registry, ScopeIndex>();

function scopeIndex(registry: Registry): ScopeIndex {
  const known = scopeIndexes.get(registry);
  if (
    known !== undefined &&
    known.meters === registry.meters &&
    known.buildings === registry.buildings &&
    known.institutions === registry.institutions
  )
    return known;
  const buildings = new Map(registry.buildings.map((b) => [b.id, b]));
  const institutions = new Map(registry.institutions.map((i) => [i.id, i]));
  const byScope = new Map<string, Meter[]>();
  const add = (key: string, m: Meter) => {
    const list = byScope.get(key);
    if (list === undefined) byScope.set(key, [m]);
    else list.push(m);
  };
  for (const m of registry.meters) {
    add(`meter:${m.id}`, m);
    add(`building:${m.buildingId}`, m);
    const institution = institutions.get(buildings.get(m.buildingId)?.institutionId ?? '');
    if (institution === undefined) continue;
    add(`institution:${institution.id}`, m);
    add(`district:${institution.districtId}`, m);
  }
  const index = {
    meters: registry.meters,
    buildings: registry.buildings,
    institutions: registry.institutions,
    byScope,
  };
  scopeIndexes.set(registry, index);
  return index;
}

/** The meters a scope covers, optionally of one energy and sub-item branch. */
export function metersInScope(
  registry: Registry,
  scope: Scope,
  filter: { energy?: string; subItem?: string } = {},
): Meter[] {
  const filtered = (m: Meter) =>
    (filter.energy === undefined || m.energy === filter.energy) &&
    (filter.subItem === undefined || subItemMatches(m.subItem, filter.subItem));
  if (scope.level === 'city') return registry.meters.filter(filtered);
  return (scopeIndex(registry).byScope.get(`${scope.level}:${scope.id}`) ?? []).filter(filtered);
}

/** Counts of meter-hours by quality in a bucket, as the store sums them. */
export interface QualityCounts {
  readonly goodHours: number;
  readonly estimatedHours: number;
  readonly suspectHours: number;
}

/** One label for a bucket: the worst quality of its meter-hours, `missing` when there is no data. */
export function bucketQuality(c: QualityCounts | undefined): 'good' | 'estimated' | 'suspect' | 'missing' {
  if (c === undefined || c.goodHours + c.estimatedHours + c.suspectHours === 0) return 'missing';
  if (c.suspectHours > 0) return 'suspect';
  if (c.estimatedHours > 0) return 'estimated';
  return 'good';
}
