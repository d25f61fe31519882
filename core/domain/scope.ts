import type { Registry } from './registry.js';

/** Levels of the hierarchy a consumption query can address. */
export type ScopeLevel = 'city' | 'district' | 'institution' | 'building' | 'meter';

/** A parsed scope: `city`, or a level with an id (`district:gulou`). */
export type Scope = { readonly level: 'city' } | { readonly level: Exclude<ScopeLevel, 'city'>; readonly id: string };

const LEVELS = new Set(['district', 'institution', 'building', 'meter']);

/** Parses `city`, `district:ID`, `institution:ID`, `building:ID` or `meter:ID`; undefined when malformed. */
export function parseScope(text: string): Scope | undefined {
  if (text === 'city') return { level: 'city' };
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  const level = text.slice(0, colon);
  const id = text.slice(colon + 1);
  if (!LEVELS.has(level) || id === '') return undefined;
  return { level: level as Exclude<ScopeLevel, 'city'>, id };
}

/** The canonical text of a scope. */
export function formatScope(scope: Scope): string {
  return scope.level === 'city' ? 'city' : `${scope.level}:${scope.id}`;
}

/** Whether the scope's id exists in the registry. */
export function scopeExists(scope: Scope, registry: Registry): boolean {
  switch (scope.level) {
    case 'city':
      return true;
    case 'district':
      return registry.districts.some((d) => d.id === scope.id);
    case 'institution':
      return registry.institutions.some((d) => d.id === scope.id);
    case 'building':
      return registry.buildings.some((d) => d.id === scope.id);
    case 'meter':
      return registry.meters.some((d) => d.id === scope.id);
  }
}

/** Floor area (m²) and occupants of a scope, for intensity figures; a meter takes its building's area. */
export function scopeDenominators(scope: Scope, registry: Registry): { floorAreaM2: number; occupants: number } {
  const institutions = (ids: Set<string>) => registry.institutions.filter((i) => ids.has(i.id));
  const sum = (rows: { floorAreaM2: number; occupants?: number }[]) => ({
    floorAreaM2: rows.reduce((s, r) => s + r.floorAreaM2, 0),
    occupants: rows.reduce((s, r) => s + (r.occupants ?? 0), 0),
  });
  switch (scope.level) {
    case 'city':
      return sum([...registry.institutions]);
    case 'district':
      return sum(registry.institutions.filter((i) => i.districtId === scope.id));
    case 'institution':
      return sum(institutions(new Set([scope.id])));
    case 'building':
    case 'meter': {
      const buildingId =
        scope.level === 'building' ? scope.id : registry.meters.find((m) => m.id === scope.id)?.buildingId;
      const building = registry.buildings.find((b) => b.id === buildingId);
      const inst = registry.institutions.find((i) => i.id === building?.institutionId);
      // A building's occupants are not known; share the institution's by floor area.
      const share = building && inst ? building.floorAreaM2 / inst.floorAreaM2 : 0;
      return { floorAreaM2: building?.floorAreaM2 ?? 0, occupants: inst ? inst.occupants * share : 0 };
    }
  }
}
