/**
 * Which weather station a building or a scope answers to (issue 18): a building's own station,
 * else its institution's. Pure and free of zod, so that the web page can use it too.
 */
import type { Scope } from './scope.js';

/** Where a building lies, as far as its weather is concerned. */
export interface StationHolders {
  readonly institutions: readonly { readonly id: string; readonly weatherStationId?: string | undefined }[];
  readonly buildings: readonly {
    readonly id: string;
    readonly institutionId: string;
    readonly weatherStationId?: string | undefined;
  }[];
}

/**
 * The weather station of a building: its own, else its institution's; undefined when neither names
 * one (or the building is unknown).
 */
export function effectiveWeatherStationId(registry: StationHolders, buildingId: string): string | undefined {
  const building = registry.buildings.find((b) => b.id === buildingId);
  if (building === undefined) return undefined;
  if (building.weatherStationId !== undefined) return building.weatherStationId;
  return registry.institutions.find((i) => i.id === building.institutionId)?.weatherStationId;
}

/**
 * The weather station of a scope: a meter's building's, a building's own or else its institution's
 * (`effectiveWeatherStationId`); an institution's own, else the one all its buildings share. A
 * district or the city is refused: its institutions may lie under different skies, so it is
 * normalised per institution instead (`core/mv/normalize-scope.ts`). Bad input is a value.
 */
export function scopeWeatherStation(
  registry: StationHolders & { readonly meters: readonly { readonly id: string; readonly buildingId: string }[] },
  scope: Scope,
): { ok: true; stationId: string } | { ok: false; reason: string } {
  const none = { ok: false as const, reason: `${scopeText(scope)} has no weather station` };
  if (scope.level === 'city' || scope.level === 'district')
    return {
      ok: false,
      reason:
        'applies to a meter, building or institution (one weather station and one model); a district or the city is normalised per institution',
    };
  if (scope.level === 'meter' || scope.level === 'building') {
    const buildingId =
      scope.level === 'building' ? scope.id : registry.meters.find((m) => m.id === scope.id)?.buildingId;
    const stationId = buildingId === undefined ? undefined : effectiveWeatherStationId(registry, buildingId);
    return stationId === undefined ? none : { ok: true, stationId };
  }
  const own = registry.institutions.find((i) => i.id === scope.id)?.weatherStationId;
  if (own !== undefined) return { ok: true, stationId: own };
  const stations = new Set(
    registry.buildings
      .filter((b) => b.institutionId === scope.id)
      .map((b) => effectiveWeatherStationId(registry, b.id) ?? ''),
  );
  const [only] = stations;
  if (stations.size === 1 && only !== undefined && only !== '') return { ok: true, stationId: only };
  return stations.size > 1
    ? { ok: false, reason: `${scopeText(scope)}: its buildings have different weather stations (or none)` }
    : none;
}

const scopeText = (scope: Scope) => (scope.level === 'city' ? 'city' : `${scope.level}:${scope.id}`);
