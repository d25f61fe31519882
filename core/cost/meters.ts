import type { Energy } from '../domain/energy.js';
import { metersInScope } from '../domain/quality.js';
import type { Meter, Registry } from '../domain/registry.js';
import type { Scope } from '../domain/scope.js';

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

/**
 * The meters a utility account's bills of an energy cover (those carrying its number, without a
 * parent), by account and energy: the registry indexed once (a city-year has thousands of bills).
 */
export function accountIndex(registry: Registry): (accountNo: string, energy: Energy) => Meter[] {
  const byKey = new Map<string, Meter[]>();
  for (const m of registry.meters) {
    if (m.accountNo === undefined || m.virtual !== undefined || m.parentId !== undefined) continue;
    const key = `${m.accountNo}\u0000${m.energy}`;
    byKey.set(key, [...(byKey.get(key) ?? []), m]);
  }
  return (accountNo, energy) => byKey.get(`${accountNo}\u0000${energy}`) ?? [];
}
