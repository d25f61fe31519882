/**
 * The cost of a period by institution and energy (issue 16, items 1 and 3): one `scopeCost` of the
 * scope, its meters' shares summed. A meter's share does not depend on the scope asked, so each
 * institution's figure is what `GET /consumption?unit=yuan` answers for it alone. Shared by the
 * reports and the annual statistics forms.
 */
import type { Energy } from '../domain/energy.js';
import type { Registry } from '../domain/registry.js';
import type { Scope } from '../domain/scope.js';
import type { Store } from '../storage/store.js';
import { scopeCost } from './scope-cost.js';

/** The cost of [fromMs, toMs) by institution and energy, in micro-yuan (water included). */
export async function costByInstitution(
  store: Store,
  registry: Registry,
  q: { readonly scope: Scope; readonly fromMs: number; readonly toMs: number; readonly timeZone: string },
): Promise<Map<string, Map<Energy, number>>> {
  const cost = await scopeCost(store, registry, { ...q, bucketStartsMs: [q.fromMs] });
  const institutionOf = new Map(registry.buildings.map((b) => [b.id, b.institutionId]));
  const meters = new Map(registry.meters.map((m) => [m.id, m]));
  const out = new Map<string, Map<Energy, number>>();
  for (const [meterId, micro] of cost.byMeterMicro) {
    const meter = meters.get(meterId);
    const id = meter === undefined ? undefined : institutionOf.get(meter.buildingId);
    if (meter === undefined || id === undefined) continue;
    const byEnergy = out.get(id) ?? new Map<Energy, number>();
    byEnergy.set(meter.energy, (byEnergy.get(meter.energy) ?? 0) + micro);
    out.set(id, byEnergy);
  }
  return out;
}
