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
  const out = new Map<string, Map<Energy, number>>();
  // By the registry's meters (a city has ~10 per institution): sums of whole micro-yuan, exact in any order.
  for (const meter of registry.meters) {
    const micro = cost.byMeterMicro.get(meter.id);
    const id = micro === undefined ? undefined : institutionOf.get(meter.buildingId);
    if (micro === undefined || id === undefined) continue;
    let byEnergy = out.get(id);
    if (byEnergy === undefined) {
      byEnergy = new Map<Energy, number>();
      out.set(id, byEnergy);
    }
    byEnergy.set(meter.energy, (byEnergy.get(meter.energy) ?? 0) + micro);
  }
  return out;
}
