import type { Registry, RegistryInput } from '../../core/domain/registry.js';

/** A small city for end-to-end tests: 2 districts, 3 institutions, 4 buildings, 2 gateways, 6 meters. */
export function smallCity(): RegistryInput {
  return {
    districts: [
      { id: 'gulou', name: '鼓楼区' },
      { id: 'xuanwu', name: '玄武区' },
    ],
    institutions: [
      { id: 'i-001', name: '市行政中心', districtId: 'gulou', type: 'office', floorAreaM2: 52000, occupants: 1800 },
      { id: 'i-002', name: '第一中学', districtId: 'gulou', type: 'school', floorAreaM2: 20000, occupants: 400 },
      { id: 'i-003', name: '人民医院', districtId: 'xuanwu', type: 'hospital', floorAreaM2: 30000, occupants: 1000 },
    ],
    buildings: [
      { id: 'b-001', institutionId: 'i-001', name: '1号楼', floorAreaM2: 26000 },
      { id: 'b-002', institutionId: 'i-001', name: '2号楼', floorAreaM2: 26000 },
      { id: 'b-003', institutionId: 'i-002', name: '教学楼', floorAreaM2: 20000 },
      { id: 'b-004', institutionId: 'i-003', name: '门诊楼', floorAreaM2: 30000 },
    ],
    gateways: [
      { id: 'gw-001', secret: 'secret-gw-001' },
      { id: 'gw-002', secret: 'secret-gw-002' },
    ],
    meters: [
      {
        id: 'm-light',
        buildingId: 'b-001',
        gatewayId: 'gw-001',
        energy: 'electricity',
        subItem: '01A10',
        unit: 'kWh',
        multiplier: 80,
        registerModulus: 100000000,
        intervalS: 3600,
      },
      {
        id: 'm-hvac',
        buildingId: 'b-002',
        gatewayId: 'gw-001',
        energy: 'electricity',
        subItem: '01B00',
        unit: 'kWh',
        multiplier: 1,
        intervalS: 3600,
      },
      {
        id: 'm-water',
        buildingId: 'b-001',
        gatewayId: 'gw-001',
        energy: 'water',
        unit: 'm3',
        multiplier: 1,
        intervalS: 3600,
      },
      {
        id: 'm-school',
        buildingId: 'b-003',
        gatewayId: 'gw-001',
        energy: 'electricity',
        subItem: '01A00',
        unit: 'kWh',
        multiplier: 1,
        intervalS: 3600,
      },
      {
        id: 'm-hosp',
        buildingId: 'b-004',
        gatewayId: 'gw-002',
        energy: 'electricity',
        unit: 'kWh',
        multiplier: 1,
        intervalS: 3600,
      },
      {
        id: 'm-gas',
        buildingId: 'b-004',
        gatewayId: 'gw-002',
        energy: 'gas',
        unit: 'm3',
        multiplier: 1,
        intervalS: 3600,
      },
    ],
  };
}

/**
 * A stored registry of one office building behind gateway `g` with electricity meters of 15-minute
 * interval (multiplier 1 unless given), for store-level tests.
 */
export function oneBuildingRegistry(meters: readonly { id: string; multiplier?: number }[]): Registry {
  return {
    districts: [{ id: 'd', name: 'D' }],
    institutions: [{ id: 'i', name: 'I', districtId: 'd', type: 'office', floorAreaM2: 100, occupants: 1 }],
    buildings: [{ id: 'b', institutionId: 'i', name: 'B', floorAreaM2: 100 }],
    gateways: [{ id: 'g', secretHash: 'x' }],
    meters: meters.map((m) => ({
      id: m.id,
      buildingId: 'b',
      gatewayId: 'g',
      energy: 'electricity' as const,
      unit: 'kWh',
      multiplier: m.multiplier ?? 1,
      intervalS: 900,
    })),
  };
}

/** An hourly electricity meter in kWh of building `b1` read by gateway `g1`, with overrides. */
export function hourlyMeter(id: string, over: Record<string, unknown> = {}) {
  return {
    id,
    buildingId: 'b1',
    gatewayId: 'g1',
    energy: 'electricity' as const,
    unit: 'kWh',
    multiplier: 1,
    intervalS: 3600,
    ...over,
  };
}
