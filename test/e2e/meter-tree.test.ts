import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketStart, formatLocalIso } from '../../core/domain/time.js';
import { readingsTopic } from '../../core/domain/topics.js';
import { type Influxd, influxdSkipReason, startInfluxd } from '../helpers/influxd.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { hourlyMeter } from '../helpers/registry.js';

const H = 3_600_000;
const TZ = 'Asia/Shanghai';
/** The day before yesterday, local midnight: day 1 balances, day 2 (yesterday) drifts. */
const T0 = bucketStart(Date.now(), 'day', TZ) - 48 * H;
const day = (k: number) => formatLocalIso(T0 + k * 24 * H, TZ).slice(0, 10);

const meter = (id: string, over: Record<string, unknown> = {}) =>
  hourlyMeter(id, { installedAt: new Date(T0 - H).toISOString(), ...over });

/** A building metered as a tree (main + three sub-meters), a flat institution beside it, a virtual meter. */
const REGISTRY = {
  districts: [{ id: 'd1', name: '一区' }],
  institutions: [
    { id: 'i1', name: '机关一', districtId: 'd1', type: 'office', floorAreaM2: 10_000, occupants: 100 },
    { id: 'i2', name: '学校二', districtId: 'd1', type: 'school', floorAreaM2: 8_000, occupants: 50 },
  ],
  buildings: [
    { id: 'b1', institutionId: 'i1', name: '主楼', floorAreaM2: 10_000 },
    { id: 'b2', institutionId: 'i2', name: '教学楼', floorAreaM2: 8_000 },
  ],
  gateways: [{ id: 'g1', secret: 'tree-secret-g1' }],
  meters: [
    meter('main'),
    meter('light', { parentId: 'main', subItem: '01A10' }),
    meter('hvac', { parentId: 'main', subItem: '01B00' }),
    meter('power', { parentId: 'main', subItem: '01C00' }),
    meter('school', { buildingId: 'b2' }),
    {
      id: 'v-rest',
      buildingId: 'b1',
      energy: 'electricity',
      unit: 'kWh',
      virtual: { plus: ['main'], minus: ['light'] },
    },
  ],
};

/** kWh per hour: day 1 the sub-meters add up to 95 % of the main meter, day 2 lighting reads 10 instead of 30. */
const RATE: Record<string, (h: number) => number> = {
  main: () => 100,
  light: (h) => (h < 24 ? 30 : 10),
  hvac: () => 40,
  power: () => 25,
  school: () => 7,
};

/** Cumulative registers at every hour from T0 to T0 + 48 h. */
function registers(): { meter: string; ts: number; value: number }[] {
  return Object.entries(RATE).flatMap(([id, rate]) => {
    let value = 1000;
    return Array.from({ length: 49 }, (_, h) => {
      if (h > 0) value += rate(h - 1);
      return { meter: id, ts: T0 + h * H, value };
    });
  });
}

const backends = [
  { name: 'embedded (DuckDB)', influx: false },
  { name: 'InfluxDB', influx: true },
].filter((b) => !b.influx || influxdSkipReason() === undefined);

describe.each(backends)('a meter tree through the broker: $name', ({ influx }) => {
  let t: TestPlatform;
  let influxd: Influxd | undefined;
  const total = async (query: string) => {
    const res = await t.api<{ total: number }>('GET', `/api/v1/consumption?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.total;
  };
  const day1 = `from=${day(0)}&to=${day(1)}&interval=day`;

  beforeAll(async () => {
    influxd = influx ? await startInfluxd() : undefined;
    const env: Record<string, string> =
      influxd === undefined
        ? {}
        : { STORE: 'influx', INFLUX_URL: influxd.url, INFLUX_DATABASE: await influxd.createDatabase() };
    t = await startTestPlatform(env);
    const put = await t.api('PUT', '/api/v1/registry', REGISTRY);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const gw = await t.connectGateway('g1', 'tree-secret-g1');
    const all = registers();
    for (let i = 0; i < all.length; i += 50)
      await gw.publishAsync(readingsTopic('g1'), JSON.stringify({ readings: all.slice(i, i + 50) }), { qos: 1 });
    await t.platform.pipeline.drain();
  });
  afterAll(async () => {
    await t?.close();
    await influxd?.stop();
  });

  it('counts the main meter once in the building, institution and city totals', async () => {
    expect(await total(`scope=building:b1&${day1}&energy=electricity`)).toBe(2400);
    expect(await total(`scope=institution:i1&${day1}&energy=electricity`)).toBe(2400);
    expect(await total(`scope=district:d1&${day1}&energy=electricity`)).toBe(2400 + 168);
    expect(await total(`scope=city&${day1}&energy=electricity`)).toBe(2400 + 168);
    expect(await total(`scope=meter:light&${day1}&energy=electricity`)).toBe(720);
  });

  it('splits the total into sub-items and unmetered, which add up to it exactly', async () => {
    const sub = (code: string) => total(`scope=institution:i1&${day1}&subItem=${code}`);
    const parts = [await sub('01A'), await sub('01B00'), await sub('01C'), await sub('unmetered')];
    expect(parts).toEqual([720, 960, 600, 120]);
    expect(parts.reduce((s, x) => s + x, 0)).toBe(2400);
    const kgce = await total(`scope=institution:i1&${day1}&unit=kgce`);
    expect(kgce).toBeCloseTo(2400 * 0.1229, 6);
  });

  it('answers a virtual meter in every interval and unit, outside every total', async () => {
    expect(await total(`scope=meter:v-rest&${day1}&energy=electricity`)).toBe(2400 - 720);
    expect(await total(`scope=meter:v-rest&from=${day(0)}&to=${day(2)}&interval=hour&energy=electricity`)).toBe(
      4800 - 720 - 240,
    );
    expect(await total(`scope=meter:v-rest&${day1}&unit=kgce`)).toBeCloseTo(1680 * 0.1229, 6);
  });

  it('balances each parent against its sub-meters, and flags the day they drift', async () => {
    type Balance = { meters: { meterId: string; parent: number; children: number; share: number; flagged: boolean }[] };
    const day1Balance = await t.api<Balance>('GET', `/api/v1/balance?scope=building:b1&${day1}`);
    expect(day1Balance.status, JSON.stringify(day1Balance.body)).toBe(200);
    expect(day1Balance.body.meters).toMatchObject([
      { meterId: 'main', parent: 2400, children: 2280, difference: 120, share: 0.05, flagged: false },
    ]);
    const day2 = await t.api<Balance>('GET', `/api/v1/balance?scope=institution:i1&from=${day(1)}&to=${day(2)}`);
    expect(day2.body.meters).toMatchObject([{ meterId: 'main', children: 1800, share: 0.25, flagged: true }]);
    expect((await t.api('GET', `/api/v1/balance?scope=city&${day1}`)).status).toBe(400);
    // The nightly detection raises an imbalance anomaly on the main meter for yesterday, with the balance.
    const run = await t.api<{ lastRun: { outcome: string } }>('POST', '/api/v1/jobs/detect-daily/run');
    expect(run.body.lastRun.outcome, JSON.stringify(run.body)).toBe('ok');
    const found = await t.api<{ anomalies: { type: string; scope: string; evidence: Record<string, unknown> }[] }>(
      'GET',
      `/api/v1/anomalies?type=imbalance&from=${day(0)}&to=${day(3)}`,
    );
    expect(found.status, JSON.stringify(found.body)).toBe(200);
    expect(found.body.anomalies).toHaveLength(1);
    expect(found.body.anomalies[0]).toMatchObject({
      type: 'imbalance',
      scope: 'meter:main',
      evidence: { parent: 2400, children: 1800, difference: 600, share: 0.25, tolerance: 0.05 },
    });
  });

  it('keeps the hours before a dated move with the old building, and a parent change from its instant', async () => {
    const day2 = `from=${day(1)}&to=${day(2)}&interval=day&energy=electricity`;
    // school moves from b2 (i2) to b1 (i1) at 12:00 on day 1, then goes under main at 12:00 on day 2.
    const move = { type: 'move', ts: new Date(T0 + 12 * H).toISOString(), buildingId: 'b1' };
    const moved = await t.api('POST', '/api/v1/meters/school/events', move);
    expect(moved.status, JSON.stringify(moved.body)).toBe(201);
    await t.platform.pipeline.drain();
    await expect.poll(() => total(`scope=institution:i2&${day1}&energy=electricity`)).toBe(12 * 7);
    expect(await total(`scope=institution:i1&${day1}&energy=electricity`)).toBe(2400 + 12 * 7);
    expect(await total(`scope=city&${day1}&energy=electricity`)).toBe(2400 + 168);
    const parent = { type: 'parent', ts: new Date(T0 + 36 * H).toISOString(), parentId: 'main' };
    const put = await t.api('POST', '/api/v1/meters/school/events', parent);
    expect(put.status, JSON.stringify(put.body)).toBe(201);
    await t.platform.pipeline.drain();
    // Day 2: school counts in i1's total until 12:00, then is inside main's measurement.
    await expect.poll(() => total(`scope=institution:i1&${day2}`)).toBe(2400 + 12 * 7);
    expect(await total(`scope=institution:i2&${day2}`)).toBe(0);
    expect(await total(`scope=meter:school&${day2}`)).toBe(168);
    // The registry shows where it is now, and where it was before.
    const reg = await t.api<{
      meters: { id: string; buildingId: string; parentId?: string; attribution?: unknown[] }[];
    }>('GET', '/api/v1/registry');
    expect(reg.body.meters.find((m) => m.id === 'school')).toMatchObject({
      buildingId: 'b1',
      parentId: 'main',
      attribution: [
        { until: move.ts, buildingId: 'b2' },
        { until: parent.ts, buildingId: 'b1' },
      ],
    });
    // Refused: an earlier instant than the last change, a parent in another building, a cycle.
    const refuse = async (body: unknown, meterId: string, path: string) => {
      const res = await t.api<{ details: { path: string }[] }>('POST', `/api/v1/meters/${meterId}/events`, body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.details.map((d) => d.path)).toContain(path);
    };
    await refuse({ type: 'parent', ts: new Date(T0).toISOString(), parentId: null }, 'school', 'ts');
    await refuse({ type: 'parent', ts: new Date(T0 + 40 * H).toISOString(), parentId: 'school' }, 'main', 'parentId');
    await refuse({ type: 'move', ts: new Date(T0 + 40 * H).toISOString(), buildingId: 'b2' }, 'main', 'buildingId');
  });
});
