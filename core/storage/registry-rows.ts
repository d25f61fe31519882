import type { Building, District, Gateway, Institution, Meter, Registry, WeatherStation } from '../domain/registry.js';

/** A row as a SQL driver returns it. */
type Row = Record<string, unknown>;

/**
 * The registry's five tables: their columns in insert order, shared by the DuckDB and PostgreSQL
 * metadata stores so that both read and write the same shape (one place for the mapping).
 */
export const REGISTRY_COLUMNS = {
  districts: ['id', 'name'],
  institutions: [
    'id',
    'name',
    'district_id',
    'type',
    'floor_area_m2',
    'occupants',
    'grid_region',
    'credit_code',
    'nature',
    'weather_station_id',
  ],
  buildings: ['id', 'institution_id', 'name', 'floor_area_m2', 'weather_station_id'],
  gateways: ['id', 'name', 'secret_hash'],
  meters: [
    'id',
    'name',
    'building_id',
    'gateway_id',
    'energy',
    'sub_item',
    'unit',
    'multiplier',
    'register_modulus',
    'interval_s',
    'direction',
    'max_plausible_per_hour',
    'installed_at',
    'registered_at',
    'parent_id',
    'reading',
    'virtual_plus',
    'virtual_minus',
    'attribution',
    'account_no',
  ],
  /** Issue 18, item 1 (schema version 14); `gateway_ids` comma-separated (ids hold no comma). */
  weather_stations: ['id', 'name', 'gateway_ids'],
} as const;

/** A registry table's name. */
export type RegistryTable = keyof typeof REGISTRY_COLUMNS;

/** Tables in the order a replace deletes them (children first); inserts run in the reverse order. */
export const REGISTRY_TABLES: readonly RegistryTable[] = [
  'weather_stations',
  'meters',
  'gateways',
  'buildings',
  'institutions',
  'districts',
];

/** Each table's rows of a registry, values in `REGISTRY_COLUMNS` order (undefined: NULL). */
export function registryRows(reg: Registry): Record<RegistryTable, unknown[][]> {
  return {
    districts: reg.districts.map((d) => [d.id, d.name]),
    institutions: reg.institutions.map((i) => [
      i.id,
      i.name,
      i.districtId,
      i.type,
      i.floorAreaM2,
      i.occupants,
      i.gridRegion,
      i.creditCode,
      i.nature,
      i.weatherStationId,
    ]),
    buildings: reg.buildings.map((b) => [b.id, b.institutionId, b.name, b.floorAreaM2, b.weatherStationId]),
    gateways: reg.gateways.map((g) => [g.id, g.name, g.secretHash]),
    meters: reg.meters.map((m) => [
      m.id,
      m.name,
      m.buildingId,
      m.gatewayId,
      m.energy,
      m.subItem,
      m.unit,
      m.multiplier,
      m.registerModulus,
      m.intervalS,
      m.direction,
      m.maxPlausiblePerHour,
      m.installedAt,
      m.registeredAt,
      m.parentId,
      m.reading,
      m.virtual?.plus.join(','),
      m.virtual?.minus.join(','),
      m.attribution === undefined ? undefined : JSON.stringify(m.attribution),
      m.accountNo,
    ]),
    weather_stations: (reg.weatherStations ?? []).map((w) => [w.id, w.name, w.gatewayIds?.join(',')]),
  };
}

const str = (v: unknown): string => String(v);
const opt = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));
const optNum = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));

/** The registry from its tables' rows (each table read `ORDER BY id`). */
export function registryOfRows(rows: Record<RegistryTable, readonly Row[]>): Registry {
  const districts: District[] = rows.districts.map((r) => ({ id: str(r.id), name: str(r.name) }));
  const institutions: Institution[] = rows.institutions.map((r) => ({
    id: str(r.id),
    name: str(r.name),
    districtId: str(r.district_id),
    type: str(r.type) as Institution['type'],
    floorAreaM2: Number(r.floor_area_m2),
    occupants: Number(r.occupants),
    ...(opt(r.grid_region) === undefined ? {} : { gridRegion: str(r.grid_region) as Institution['gridRegion'] }),
    ...(opt(r.credit_code) === undefined ? {} : { creditCode: str(r.credit_code) }),
    ...(opt(r.nature) === undefined ? {} : { nature: str(r.nature) as Institution['nature'] }),
    ...(opt(r.weather_station_id) === undefined ? {} : { weatherStationId: str(r.weather_station_id) }),
  }));
  const buildings: Building[] = rows.buildings.map((r) => ({
    id: str(r.id),
    institutionId: str(r.institution_id),
    name: str(r.name),
    floorAreaM2: Number(r.floor_area_m2),
    ...(opt(r.weather_station_id) === undefined ? {} : { weatherStationId: str(r.weather_station_id) }),
  }));
  const gateways: Gateway[] = rows.gateways.map((r) => {
    const name = opt(r.name);
    return { id: str(r.id), ...(name === undefined ? {} : { name }), secretHash: str(r.secret_hash) };
  });
  const meters: Meter[] = rows.meters.map((r) => {
    const name = opt(r.name);
    const subItem = opt(r.sub_item);
    const modulus = optNum(r.register_modulus);
    const direction = opt(r.direction) as Meter['direction'];
    const maxRate = optNum(r.max_plausible_per_hour);
    const installedAt = opt(r.installed_at);
    const registeredAt = opt(r.registered_at);
    const gatewayId = opt(r.gateway_id);
    const parentId = opt(r.parent_id);
    const reading = opt(r.reading) as Meter['reading'];
    const plus = opt(r.virtual_plus);
    const attribution = opt(r.attribution);
    const accountNo = opt(r.account_no);
    const ids = (text: string | undefined) => (text === undefined || text === '' ? [] : text.split(','));
    return {
      id: str(r.id),
      ...(name === undefined ? {} : { name }),
      buildingId: str(r.building_id),
      ...(gatewayId === undefined ? {} : { gatewayId }),
      energy: str(r.energy) as Meter['energy'],
      ...(subItem === undefined ? {} : { subItem }),
      unit: str(r.unit),
      multiplier: Number(r.multiplier),
      ...(modulus === undefined ? {} : { registerModulus: modulus }),
      intervalS: Number(r.interval_s),
      ...(direction === undefined ? {} : { direction }),
      ...(maxRate === undefined ? {} : { maxPlausiblePerHour: maxRate }),
      ...(installedAt === undefined ? {} : { installedAt }),
      ...(registeredAt === undefined ? {} : { registeredAt }),
      ...(parentId === undefined ? {} : { parentId }),
      ...(reading === undefined ? {} : { reading }),
      ...(plus === undefined ? {} : { virtual: { plus: ids(plus), minus: ids(opt(r.virtual_minus)) } }),
      ...(attribution === undefined ? {} : { attribution: JSON.parse(attribution) as Meter['attribution'] }),
      ...(accountNo === undefined ? {} : { accountNo }),
    };
  });
  const weatherStations: WeatherStation[] = rows.weather_stations.map((r) => {
    const gatewayIds = opt(r.gateway_ids);
    return {
      id: str(r.id),
      name: str(r.name),
      ...(gatewayIds === undefined ? {} : { gatewayIds: gatewayIds === '' ? [] : gatewayIds.split(',') }),
    };
  });
  // None is absent, as the merged registry has it (`mergeRegistry`).
  return {
    districts,
    institutions,
    buildings,
    gateways,
    meters,
    ...(weatherStations.length > 0 ? { weatherStations } : {}),
  };
}
