import type { Energy } from '../domain/energy.js';
import { metersInScope } from '../domain/quality.js';
import type { Meter, Registry } from '../domain/registry.js';
import type { Scope } from '../domain/scope.js';
import { scopeFilter } from '../domain/series.js';
import type { Interval } from '../domain/time.js';
import type { SeriesStore } from '../storage/store.js';

/** Consumption by meter and bucket start (epoch ms), in the energy's native unit. */
export type MeterAmounts = Map<string, Map<number, number>>;

/**
 * The meters whose consumption a scope's cost counts (issue "The statutory year", item 1): the
 * meters of the scope (and energy) without a parent, since a sub-meter's consumption is inside its
 * parent's (core/storage/store.ts `AggregateQuery`); for a meter scope, that meter. Virtual meters
 * never count. Membership is the registry's current one: dated attribution (a meter moved or
 * re-parented during the period) is not followed here.
 */
export function costedMeters(registry: Registry, scope: Scope, energy: Energy | undefined): Meter[] {
  return metersInScope(registry, scope, energy === undefined ? {} : { energy }).filter(
    (m) => m.virtual === undefined && (scope.level === 'meter' || m.parentId === undefined),
  );
}

/** The meters a utility account's bills of an energy cover: those carrying its number, without a parent. */
export function accountMeters(registry: Registry, accountNo: string, energy: Energy): Meter[] {
  return registry.meters.filter(
    (m) => m.accountNo === accountNo && m.energy === energy && m.virtual === undefined && m.parentId === undefined,
  );
}

/**
 * Each meter's own consumption in [fromMs, toMs) by local bucket (grouped by meter: a meter counts
 * its own amount), for the meters of a scope or one meter; only `amount` is read.
 */
export async function meterAmounts(
  store: SeriesStore,
  filter: Scope | { readonly meterId: string },
  energy: Energy | undefined,
  span: { readonly fromMs: number; readonly toMs: number; readonly interval: Interval; readonly timeZone: string },
): Promise<MeterAmounts> {
  const out: MeterAmounts = new Map();
  if (span.toMs <= span.fromMs) return out;
  const rows = await store.aggregate({
    filter: {
      ...('level' in filter ? scopeFilter(filter) : { meterId: filter.meterId }),
      ...(energy === undefined ? {} : { energy }),
    },
    fromMs: span.fromMs,
    toMs: span.toMs,
    interval: span.interval,
    timeZone: span.timeZone,
    groupBy: 'meter',
    sums: [],
  });
  for (const r of rows) {
    const byBucket = out.get(r.groupId) ?? new Map<number, number>();
    byBucket.set(r.bucketStartMs, (byBucket.get(r.bucketStartMs) ?? 0) + r.amount);
    out.set(r.groupId, byBucket);
  }
  return out;
}

/**
 * `meterAmounts` of a scope, completed with those of `extra` meters outside it (an account's meters
 * in another scope), each over its own span.
 */
export async function withExtraMeters(
  store: SeriesStore,
  inScope: MeterAmounts,
  extra: readonly { readonly meter: Meter; readonly fromMs: number; readonly toMs: number }[],
  span: { readonly interval: Interval; readonly timeZone: string },
): Promise<MeterAmounts> {
  for (const { meter, fromMs, toMs } of extra) {
    if (inScope.has(meter.id)) continue;
    const one = await meterAmounts(store, { meterId: meter.id }, meter.energy, { ...span, fromMs, toMs });
    inScope.set(meter.id, one.get(meter.id) ?? new Map());
  }
  return inScope;
}
