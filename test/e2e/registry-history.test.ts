import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryInput } from '../../core/domain/registry.js';
import { readingsTopic } from '../../core/domain/topics.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { hourlyMeter } from '../helpers/registry.js';

const H = 3_600_000;
const T0 = Date.parse('2026-11-02T00:00:00+08:00');
const iso = (ms: number) => new Date(ms).toISOString();

const meter = hourlyMeter;

const REGISTRY: RegistryInput = {
  districts: [{ id: 'd1', name: '一区' }],
  institutions: [{ id: 'i1', name: '机关', districtId: 'd1', type: 'office', floorAreaM2: 1000, occupants: 10 }],
  buildings: [
    { id: 'b1', institutionId: 'i1', name: '主楼', floorAreaM2: 600 },
    { id: 'b2', institutionId: 'i1', name: '副楼', floorAreaM2: 400 },
  ],
  gateways: [{ id: 'g1', secret: 'history-secret' }],
  meters: [meter('m1'), meter('main'), meter('sub', { parentId: 'main', subItem: '01A10' })],
};

type Problem = { path: string; message: string; event?: string };

describe('history that stays true: registry changes that would rewrite it are refused', () => {
  let t: TestPlatform;
  let gw: MqttClient;
  const hours = async (meterId: string) => {
    const res = await t.api<{ series: { value: number }[]; total: number }>(
      'GET',
      `/api/v1/consumption?scope=meter:${meterId}&from=2026-11-02&to=2026-11-03&interval=hour&energy=electricity`,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    t = await startTestPlatform();
    expect((await t.api('PUT', '/api/v1/registry', REGISTRY)).status).toBe(200);
    gw = await t.connectGateway('g1', 'history-secret');
    // m1 counts 20 kWh an hour, for the whole day.
    const readings = Array.from({ length: 25 }, (_, h) => ({ meter: 'm1', ts: T0 + h * H, value: 100 + 20 * h }));
    await gw.publishAsync(readingsTopic('g1'), JSON.stringify({ readings }), { qos: 1 });
    await t.platform.pipeline.drain();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses a multiplier change of a meter with readings (409 naming the field and the event to record)', async () => {
    expect((await hours('m1')).total).toBe(480);
    const changed = { meters: [meter('m1', { multiplier: 2 })] };
    const res = await t.api<{ code: string; details: Problem[] }>('PUT', '/api/v1/registry', changed);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('JN_REGISTRY_HISTORY');
    expect(res.body.details).toMatchObject([{ path: 'meters[0].multiplier', event: 'multiplier' }]);
    // Nothing changed: the day is still 480, also after one more reading.
    await gw.publishAsync(
      readingsTopic('g1'),
      JSON.stringify({ readings: [{ meter: 'm1', ts: T0 + 25 * H, value: 600 }] }),
      {
        qos: 1,
      },
    );
    await t.platform.pipeline.drain();
    expect((await hours('m1')).total).toBe(480);
    // Other fields, and meters without readings, still change through the registry.
    const renamed = await t.api('PUT', '/api/v1/registry', { meters: [meter('m1', { name: '一号表' })] });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    const fresh = await t.api('PUT', '/api/v1/registry', { meters: [meter('main', { multiplier: 40 })] });
    expect(fresh.status, JSON.stringify(fresh.body)).toBe(200);
    expect((await t.api('PUT', '/api/v1/registry', { meters: [meter('main', { multiplier: 1 })] })).status).toBe(200);
  });

  it('lists every history field a change touches: unit, modulus, direction, energy', async () => {
    const changed = {
      meters: [meter('m1', { unit: 'MWh', registerModulus: 1e8, direction: 'export', energy: 'electricity' })],
    };
    const res = await t.api<{ details: Problem[] }>('PUT', '/api/v1/registry', changed);
    expect(res.status).toBe(409);
    expect(res.body.details.map((d) => d.path)).toEqual([
      'meters[0].unit',
      'meters[0].registerModulus',
      'meters[0].direction',
    ]);
  });

  it('gives the exact answer for every hour when the same change is recorded as a multiplier event', async () => {
    const event = { type: 'multiplier', ts: iso(T0 + 12 * H), multiplier: 2 };
    expect((await t.api('POST', '/api/v1/meters/m1/events', event)).status).toBe(201);
    await t.platform.pipeline.drain();
    const day = await hours('m1');
    expect(day.series.map((p) => p.value)).toEqual([...Array(12).fill(20), ...Array(12).fill(40)]);
    expect(day.total).toBe(720);
  });

  it('refuses a parent in another building, of another energy, or a cycle, naming the field', async () => {
    const bad = async (meters: unknown[], path: string) => {
      const res = await t.api<{ code: string; details: Problem[] }>('PUT', '/api/v1/registry', { meters });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.details.map((d) => d.path)).toContain(path);
    };
    await bad([meter('x', { buildingId: 'b2', parentId: 'main' })], 'meters[0].parentId');
    await bad([meter('w', { energy: 'water', unit: 'm3', parentId: 'main' })], 'meters[0].parentId');
    await bad([meter('a', { parentId: 'b' }), meter('b', { parentId: 'a' })], 'meters[0].parentId');
    await bad([meter('self', { parentId: 'self' })], 'meters[0].parentId');
    await bad([meter('ghost', { parentId: 'nowhere' })], 'meters[0].parentId');
    await bad(
      [{ ...meter('v'), gatewayId: undefined, virtual: { plus: ['nowhere'], minus: [] } }],
      'meters[0].virtual.plus[0]',
    );
    await bad([{ ...meter('nogw'), gatewayId: undefined }], 'meters.0.gatewayId');
  });
});
