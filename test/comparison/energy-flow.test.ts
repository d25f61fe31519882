import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HourlyConsumption } from '../../core/domain/consumption.js';
import { ENERGY_INFO, type Energy } from '../../core/domain/energy.js';
import type { EnergyFlow } from '../../core/domain/energy-flow.js';
import type { RegistryInput } from '../../core/domain/registry.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';

const H = 3_600_000;
const at = (local: string) => Date.parse(`${local}T00:00:00+08:00`);
const FROM = '2025-03-01';
const TO = '2025-03-04';

const meter = (id: string, buildingId: string, energy: Energy, over: Record<string, unknown> = {}) => ({
  id,
  buildingId,
  gatewayId: 'gw-1',
  energy,
  unit: ENERGY_INFO[energy].nativeUnit,
  multiplier: 1,
  intervalS: 3600,
  ...over,
});
/**
 * b1: a main meter over lighting and HVAC, HVAC over a chiller, plus gas and water; b2: two main
 * meters, one classified (01C00), one not; b3: heat, and a main meter whose sub-meter reads more
 * than it (a negative remainder).
 */
const REGISTRY: RegistryInput = {
  districts: [{ id: 'd1', name: '鼓楼区' }],
  institutions: [
    { id: 'i1', name: 'A', districtId: 'd1', type: 'office', floorAreaM2: 10_000, occupants: 100 },
    { id: 'i2', name: 'B', districtId: 'd1', type: 'school', floorAreaM2: 8_000, occupants: 50 },
  ],
  buildings: [
    { id: 'b1', institutionId: 'i1', name: '主楼', floorAreaM2: 10_000 },
    { id: 'b2', institutionId: 'i2', name: '教学楼', floorAreaM2: 5_000 },
    { id: 'b3', institutionId: 'i2', name: '锅炉房', floorAreaM2: 3_000 },
  ],
  gateways: [{ id: 'gw-1', secret: 'secret-gw-1' }],
  meters: [
    meter('main', 'b1', 'electricity'),
    meter('light', 'b1', 'electricity', { parentId: 'main', subItem: '01A10' }),
    meter('hvac', 'b1', 'electricity', { parentId: 'main', subItem: '01B00' }),
    meter('chiller', 'b1', 'electricity', { parentId: 'hvac', subItem: '01B10' }),
    meter('gas', 'b1', 'gas'),
    meter('water', 'b1', 'water'),
    meter('power', 'b2', 'electricity', { subItem: '01C00' }),
    meter('plain', 'b2', 'electricity'),
    meter('heat', 'b3', 'heat'),
    meter('b3-main', 'b3', 'electricity'),
    meter('it', 'b3', 'electricity', { parentId: 'b3-main', subItem: '01D10' }),
  ],
};
/** Micro-units per hour. */
const HOURLY: Record<string, number> = {
  main: 100_000_000,
  light: 30_000_000,
  hvac: 50_000_000,
  chiller: 20_000_000,
  gas: 2_000_000,
  water: 1_000_000,
  power: 5_000_000,
  plain: 7_250_000,
  heat: 100_000,
  'b3-main': 10_000_000,
  it: 12_000_000,
};
const HOURS = (at(TO) - at(FROM)) / H;
/** kgce of a node or link, per the GB/T 2589-2020 coefficients, over the whole period. */
const KGCE = { electricity: 0.1229, gas: 1.2143, heat: 34.12 };
const el = (kwhPerHour: number) => kwhPerHour * HOURS * KGCE.electricity;

describe('GET /api/v1/energy-flow (issue 17, item 3)', () => {
  let t: TestPlatform;
  const flow = async (scope: string) => {
    const res = await t.api<EnergyFlow>('GET', `/api/v1/energy-flow?scope=${scope}&from=${FROM}&to=${TO}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  const consumption = async (query: string) => {
    const res = await t.api<{ total: number }>('GET', `/api/v1/consumption?from=${FROM}&to=${TO}&${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.total;
  };
  const micro = (kgce: number) => Math.round(kgce * 1e6);

  beforeAll(async () => {
    t = await startTestPlatform();
    const put = await t.api('PUT', '/api/v1/registry', REGISTRY);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const rows: HourlyConsumption[] = Object.entries(HOURLY).flatMap(([meterId, amountMicro]) =>
      Array.from({ length: HOURS }, (_, i) => ({
        meterId,
        hourStartMs: at(FROM) + i * H,
        amountMicro,
        estimatedMicro: 0,
        quality: 'good' as const,
        readingsCount: 1,
      })),
    );
    await t.platform.store.replaceHourly(
      Object.keys(HOURLY).map((meterId) => ({ meterId, fromMs: at(FROM), toMs: at(TO) })),
      rows,
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  it('flows energy → sub-item (the trees’ remainders) → building, water beside it', async () => {
    const f = await flow('city');
    expect(f.unit).toBe('kgce');
    expect(f.nodes.map((n) => n.id)).toEqual([
      'energy:electricity',
      'energy:gas',
      'energy:heat',
      'subItem:01A',
      'subItem:01B',
      'subItem:01C',
      'subItem:01D',
      'subItem:unmetered',
      'building:b1',
      'building:b2',
      'building:b3',
    ]);
    expect(f.nodes.find((n) => n.id === 'subItem:01B')).toMatchObject({ name: '空调用电', nameEn: 'Air conditioning' });
    const value = (source: string, target: string) =>
      f.links.find((l) => l.source === source && l.target === target)?.valueKgce;
    expect(value('energy:electricity', 'subItem:01A')).toBeCloseTo(el(30), 6);
    expect(value('energy:electricity', 'subItem:01B')).toBeCloseTo(el(50), 6);
    expect(value('subItem:unmetered', 'building:b1')).toBeCloseTo(el(20), 6);
    expect(value('subItem:unmetered', 'building:b2')).toBeCloseTo(el(7.25), 6);
    // b3's sub-meter read more than its main meter: the remainder is negative, and kept.
    expect(value('subItem:unmetered', 'building:b3')).toBeCloseTo(el(-2), 6);
    expect(value('subItem:01D', 'building:b3')).toBeCloseTo(el(12), 6);
    expect(value('energy:gas', 'building:b1')).toBeCloseTo(2 * HOURS * KGCE.gas, 6);
    expect(value('energy:heat', 'building:b3')).toBeCloseTo(0.1 * HOURS * KGCE.heat, 6);
    expect(f.links.some((l) => l.source.includes('water') || l.target.includes('water'))).toBe(false);
    expect(f.waterM3).toBeCloseTo(HOURS, 6);
  });

  it('adds up exactly: links out of each energy, into each building, through each sub-item', async () => {
    const f = await flow('city');
    const sum = (ids: (l: (typeof f.links)[number]) => boolean) =>
      f.links.filter(ids).reduce((s, l) => s + micro(l.valueKgce), 0);
    for (const n of f.nodes) {
      const out = sum((l) => l.source === n.id);
      const into = sum((l) => l.target === n.id);
      if (n.kind === 'energy') expect(out, n.id).toBe(micro(n.valueKgce));
      if (n.kind === 'building') expect(into, n.id).toBe(micro(n.valueKgce));
      if (n.kind === 'subItem') expect([into, out], n.id).toEqual([micro(n.valueKgce), micro(n.valueKgce)]);
    }
    expect(f.nodes.filter((n) => n.kind === 'energy').reduce((s, n) => s + micro(n.valueKgce), 0)).toBe(
      micro(f.totalKgce),
    );
  });

  it('matches /consumption: each energy, sub-item and building, the total and the water', async () => {
    const f = await flow('city');
    const node = (id: string) => f.nodes.find((n) => n.id === id)?.valueKgce;
    for (const energy of ['electricity', 'gas', 'heat'])
      expect(node(`energy:${energy}`), energy).toBeCloseTo(
        await consumption(`scope=city&energy=${energy}&unit=kgce`),
        5,
      );
    for (const subItem of ['01A', '01B', '01C', '01D', 'unmetered'])
      expect(node(`subItem:${subItem}`), subItem).toBeCloseTo(
        await consumption(`scope=city&subItem=${subItem}&unit=kgce`),
        5,
      );
    for (const b of ['b1', 'b2', 'b3'])
      expect(node(`building:${b}`), b).toBeCloseTo(await consumption(`scope=building:${b}&unit=kgce`), 5);
    expect(f.totalKgce).toBeCloseTo(await consumption('scope=city&unit=kgce'), 5);
    expect(f.waterM3).toBeCloseTo(await consumption('scope=city&energy=water'), 6);
    // An institution's flow holds its buildings only, and matches its own total.
    const i2 = await flow('institution:i2');
    expect(i2.nodes.filter((n) => n.kind === 'building').map((n) => n.id)).toEqual(['building:b2', 'building:b3']);
    expect(i2.totalKgce).toBeCloseTo(await consumption('scope=institution:i2&unit=kgce'), 5);
    expect(i2.waterM3).toBe(0);
  });

  it('refuses a meter scope, bad dates and a scope outside the token’s, naming the field', async () => {
    const bad = async (query: string, field: string, status = 400) => {
      const res = await t.api<{ details: { path: string }[] }>('GET', `/api/v1/energy-flow?${query}`);
      expect(res.status, query).toBe(status);
      if (status === 400) expect(res.body.details.map((d) => d.path)).toEqual([field]);
    };
    await bad(`scope=meter:main&from=${FROM}&to=${TO}`, 'scope');
    await bad(`scope=building:nope&from=${FROM}&to=${TO}`, 'scope');
    await bad(`scope=city&from=2025-02-30&to=${TO}`, 'from');
    await bad(`scope=city&from=${TO}&to=${FROM}`, 'to');
    const issued = await t.api<{ token: string }>('POST', '/api/v1/tokens', {
      name: 'viewer of B',
      role: 'viewer',
      scopes: ['institution:i2'],
    });
    expect(issued.status).toBe(201);
    const viewer = issued.body.token;
    const city = await t.api('GET', `/api/v1/energy-flow?scope=city&from=${FROM}&to=${TO}`, undefined, viewer);
    expect(city.status).toBe(403);
    const own = await t.api('GET', `/api/v1/energy-flow?scope=institution:i2&from=${FROM}&to=${TO}`, undefined, viewer);
    expect(own.status).toBe(200);
  });
});
