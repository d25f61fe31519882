import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readingsTopic } from '../../core/domain/topics.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { smallCity } from '../helpers/registry.js';
import { waitFor } from '../helpers/wait.js';

interface Series {
  unit: string;
  series: { start: string; value: number }[];
  total: number;
  note?: string;
}

const HOURS = [
  '2026-10-31T22:00:00+08:00',
  '2026-10-31T23:00:00+08:00',
  '2026-11-01T00:00:00+08:00',
  '2026-11-01T01:00:00+08:00',
  '2026-11-01T02:00:00+08:00',
  '2026-11-01T03:00:00+08:00',
];
const REGISTERS: Record<string, number[]> = {
  'm-light': [1000.0, 1000.5, 1001.0, 1002.0, 1002.5, 1003.0], // ×80: 40 40 80 40 40
  'm-hvac': [500, 510, 520, 530, 540, 550],
  'm-water': [10, 11, 12, 13, 14, 15],
  'm-school': [0, 5, 10, 15, 20, 25],
  'm-hosp': [100, 120, 140, 160, 180, 200],
  'm-gas': [0, 2, 4, 6, 8, 10],
};

describe('the spine: MQTT in, exact totals out', () => {
  let t: TestPlatform;
  let gw1: MqttClient;
  let gw2: MqttClient;

  const consumption = async (query: string) => {
    const res = await t.api<Series>('GET', `/api/v1/consumption?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    t = await startTestPlatform();
    const put = await t.api('PUT', '/api/v1/registry', smallCity());
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    gw1 = await t.connectGateway('gw-001', 'secret-gw-001');
    gw2 = await t.connectGateway('gw-002', 'secret-gw-002');
    // gw-001 sends batches with ISO timestamps, with bad readings mixed in.
    for (let h = 0; h < HOURS.length; h++) {
      const readings: unknown[] = ['m-light', 'm-hvac', 'm-water', 'm-school'].map((meter) => ({
        meter,
        ts: HOURS[h],
        value: REGISTERS[meter]?.[h],
      }));
      readings.push({ meter: 'm-light', ts: HOURS[h], value: 'abc' });
      readings.push({ meter: 'm-hosp', ts: HOURS[h], value: 1 }); // another gateway's meter
      readings.push({ meter: 'nope', ts: HOURS[h], value: 1 });
      await gw1.publishAsync(readingsTopic('gw-001'), JSON.stringify({ readings }), { qos: 1 });
    }
    await gw1.publishAsync(readingsTopic('gw-001'), '{not json', { qos: 1 });
    // gw-002 sends single readings with epoch-millisecond timestamps, at QoS 0 and 1.
    for (let h = 0; h < HOURS.length; h++) {
      for (const meter of ['m-hosp', 'm-gas']) {
        const payload = JSON.stringify({ meter, ts: Date.parse(HOURS[h] as string), value: REGISTERS[meter]?.[h] });
        await gw2.publishAsync(readingsTopic('gw-002'), payload, { qos: h % 2 === 0 ? 1 : 0 });
      }
    }
    const expected = 415 * 0.1229 + 10 * 1.2143;
    await waitFor(
      async () => (await consumption('scope=city&from=2026-10-01&to=2026-12-01&interval=month&unit=kgce')).total,
      (total) => Math.abs(total - expected) < 1e-6,
    );
  });

  afterAll(async () => {
    await t?.close();
  });

  it('gives hourly consumption of a meter with its multiplier, in local time', async () => {
    const r = await consumption(
      'scope=meter:m-light&from=2026-10-31T22:00&to=2026-11-01T03:00&interval=hour&energy=electricity',
    );
    expect(r.unit).toBe('kWh');
    expect(r.series.map((p) => p.start)).toEqual(HOURS.slice(0, 5));
    expect(r.series.map((p) => p.value)).toEqual([40, 40, 80, 40, 40]);
    expect(r.total).toBe(240);
  });

  it('buckets days and months at local midnight', async () => {
    const days = await consumption(
      'scope=institution:i-001&from=2026-10-31&to=2026-11-02&interval=day&energy=electricity',
    );
    expect(days.series.map((p) => [p.start, p.value])).toEqual([
      ['2026-10-31T00:00:00+08:00', 100],
      ['2026-11-01T00:00:00+08:00', 190],
    ]);
    const months = await consumption('scope=city&from=2026-10-01&to=2026-12-01&interval=month&energy=electricity');
    expect(months.series.map((p) => [p.start, p.value])).toEqual([
      ['2026-10-01T00:00:00+08:00', 150],
      ['2026-11-01T00:00:00+08:00', 265],
    ]);
    const year = await consumption('scope=city&from=2026-01-01&to=2027-01-01&interval=year&energy=water');
    expect(year.series).toHaveLength(1);
    expect(year.total).toBe(5);
    expect(year.unit).toBe('m3');
  });

  it('sums up the hierarchy exactly: meters → buildings → institutions → districts → city', async () => {
    const q = 'from=2026-10-01&to=2026-12-01&interval=month&energy=electricity';
    const total = async (scope: string) => (await consumption(`scope=${scope}&${q}`)).total;
    const meters = await Promise.all(['m-light', 'm-hvac', 'm-school', 'm-hosp'].map((m) => total(`meter:${m}`)));
    const buildings = await Promise.all(['b-001', 'b-002', 'b-003', 'b-004'].map((b) => total(`building:${b}`)));
    const institutions = await Promise.all(['i-001', 'i-002', 'i-003'].map((i) => total(`institution:${i}`)));
    const districts = await Promise.all(['gulou', 'xuanwu'].map((d) => total(`district:${d}`)));
    const city = await total('city');
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(meters).toEqual([240, 50, 25, 100]);
    expect(sum(buildings)).toBe(city);
    expect(sum(institutions)).toBe(city);
    expect(sum(districts)).toBe(city);
    expect(sum(meters)).toBe(city);
    expect(city).toBe(415);
  });

  it('converts to kgce with the coefficient table, water excluded from all-energy totals', async () => {
    const elec = await consumption(
      'scope=city&from=2026-10-01&to=2026-12-01&interval=month&energy=electricity&unit=kgce',
    );
    expect(elec.unit).toBe('kgce');
    expect(elec.total).toBeCloseTo(415 * 0.1229, 9);
    const all = await consumption('scope=city&from=2026-10-01&to=2026-12-01&interval=month&unit=kgce');
    expect(all.total).toBeCloseTo(415 * 0.1229 + 10 * 1.2143, 9);
    expect(all.note).toMatch(/water/);
    const water = await consumption('scope=city&from=2026-10-01&to=2026-12-01&interval=month&energy=water&unit=kgce');
    expect(water.total).toBeCloseTo(5 * 0.0857, 9);
  });

  it('filters sub-item branches and divides by floor area or occupants', async () => {
    const q = 'scope=city&from=2026-10-01&to=2026-12-01&interval=month';
    expect((await consumption(`${q}&subItem=01A`)).total).toBe(265);
    expect((await consumption(`${q}&subItem=01A00`)).total).toBe(265);
    expect((await consumption(`${q}&subItem=01A10`)).total).toBe(240);
    expect((await consumption(`${q}&subItem=01B00`)).total).toBe(50);
    const perM2 = await consumption(
      'scope=institution:i-001&from=2026-10-01&to=2026-12-01&interval=month&energy=electricity&per=m2',
    );
    expect(perM2.unit).toBe('kWh/m2');
    expect(perM2.total).toBeCloseTo(290 / 52000, 6);
    const perCapita = await consumption(
      'scope=institution:i-001&from=2026-10-01&to=2026-12-01&interval=month&energy=electricity&per=capita',
    );
    expect(perCapita.total).toBeCloseTo(290 / 1800, 6);
  });

  it('keeps raw readings as received', async () => {
    const res = await t.api<{ readings: { ts: string; value: number; gatewayId: string }[] }>(
      'GET',
      '/api/v1/meters/m-hosp/readings?from=2026-10-31&to=2026-11-02',
    );
    expect(res.status).toBe(200);
    expect(res.body.readings.map((r) => r.value)).toEqual(REGISTERS['m-hosp']);
    expect(res.body.readings[0]).toMatchObject({ ts: '2026-10-31T14:00:00.000Z', gatewayId: 'gw-002' });
  });

  it('dead-letters every bad reading with its reason and keeps the valid ones beside it', async () => {
    const today = new Date();
    const from = new Date(today.getTime() - 86_400_000).toISOString().slice(0, 10);
    const to = new Date(today.getTime() + 2 * 86_400_000).toISOString().slice(0, 10);
    const res = await t.api<{ deadLetters: { reason: string; meterId: string | null; gatewayId: string }[] }>(
      'GET',
      `/api/v1/dead-letters?from=${from}&to=${to}`,
    );
    expect(res.status).toBe(200);
    const reasons = res.body.deadLetters.map((d) => d.reason);
    expect(reasons.filter((r) => r.includes('value'))).toHaveLength(6);
    expect(reasons.filter((r) => r.includes('not assigned to gateway "gw-001"'))).toHaveLength(6);
    expect(reasons.filter((r) => r.includes('unknown meter "nope"'))).toHaveLength(6);
    expect(reasons.filter((r) => r.includes('not valid JSON'))).toHaveLength(1);
    const metrics = await t.api<string>('GET', '/metrics', undefined, '');
    expect(metrics.body).toMatch(/jieneng_readings_rejected_total\{reason="foreign_meter"\} 6/);
    expect(metrics.body).toMatch(/jieneng_readings_accepted_total 36/);
  });

  it('refuses wrong or unknown gateway credentials at CONNECT', async () => {
    await expect(t.connectGateway('gw-001', 'wrong-secret')).rejects.toThrow(
      /Bad username or password|Not authorized/i,
    );
    await expect(t.connectGateway('gw-999', 'secret-gw-001')).rejects.toThrow(
      /Bad username or password|Not authorized/i,
    );
  });

  it('does not let a gateway publish on another gateway topic, and keeps serving the others', async () => {
    const intruder = await t.connectGateway('gw-001', 'secret-gw-001');
    const closed = new Promise<void>((resolve) => intruder.once('close', () => resolve()));
    intruder.publish(readingsTopic('gw-002'), JSON.stringify({ meter: 'm-hosp', ts: HOURS[5], value: 999_999 }), {
      qos: 1,
    });
    await closed;
    const r = await consumption('scope=meter:m-hosp&from=2026-10-01&to=2026-12-01&interval=month&energy=electricity');
    expect(r.total).toBe(100);
    await gw2.publishAsync(
      readingsTopic('gw-002'),
      JSON.stringify({ meter: 'm-hosp', ts: '2026-11-01T04:00:00+08:00', value: 220 }),
      { qos: 1 },
    );
    await expect
      .poll(
        async () =>
          (await consumption('scope=meter:m-hosp&from=2026-10-01&to=2026-12-01&interval=month&energy=electricity'))
            .total,
      )
      .toBe(120);
  });

  it('answers bad queries with a 400 naming the field', async () => {
    const bad = async (query: string) => {
      const res = await t.api<{ code: string; message: string }>('GET', `/api/v1/consumption?${query}`);
      expect(res.status).toBe(400);
      return res.body;
    };
    const ok = 'from=2026-10-01&to=2026-11-01&energy=electricity';
    expect((await bad(`scope=planet:x&${ok}`)).message).toMatch(/^scope/);
    expect((await bad(`scope=district:nowhere&${ok}`)).code).toBe('JN_SCOPE_UNKNOWN');
    expect((await bad('scope=city&from=2026-11-01&to=2026-10-01&energy=electricity')).message).toMatch(/^to/);
    expect((await bad('scope=city&from=2026-02-30&to=2026-11-01&energy=electricity')).message).toMatch(/^from/);
    expect((await bad('scope=city&from=2026-10-01&to=2026-11-01&energy=plutonium')).message).toMatch(/energy/);
    expect((await bad('scope=city&from=2026-10-01&to=2026-11-01')).message).toMatch(/^energy/);
    expect((await bad(`scope=city&${ok}&interval=fortnight`)).message).toMatch(/interval/);
    expect((await bad(`scope=city&${ok}&subItem=lights`)).message).toMatch(/subItem/);
    expect((await bad('scope=city&to=2026-11-01&energy=electricity')).message).toMatch(/from/);
  });

  it('requires a bearer token on the API but not on health', async () => {
    expect((await t.api('GET', '/api/v1/registry', undefined, '')).status).toBe(401);
    expect((await t.api('GET', '/api/v1/registry', undefined, 'not-a-token')).status).toBe(401);
    const health = await t.api<{ status: string }>('GET', '/healthz', undefined, '');
    expect(health.body.status).toBe('ok');
    const registry = await t.api<{ gateways: Record<string, unknown>[] }>('GET', '/api/v1/registry');
    expect(registry.body.gateways[0]).not.toHaveProperty('secretHash');
    expect(JSON.stringify(registry.body)).not.toContain('secret-gw-001');
  });

  it('dead-letters an oversized payload with its reason, and refuses unknown topics, without harm to others', async () => {
    const small = await startTestPlatform({ MQTT_MAX_PAYLOAD_BYTES: '2048' });
    try {
      expect((await small.api('PUT', '/api/v1/registry', smallCity())).status).toBe(200);
      const gw = await small.connectGateway('gw-001', 'secret-gw-001');
      const readings = Array.from({ length: 100 }, (_, i) => ({
        meter: 'm-hvac',
        ts: Date.parse(HOURS[0] as string) + i * 60_000,
        value: i,
      }));
      await gw.publishAsync(readingsTopic('gw-001'), JSON.stringify({ readings }), { qos: 1 });
      await gw.publishAsync(readingsTopic('gw-001'), JSON.stringify({ meter: 'm-hvac', ts: HOURS[0], value: 500 }), {
        qos: 1,
      });
      await small.platform.pipeline.drain();
      const dead = await small.api<{ deadLetters: { reason: string }[] }>(
        'GET',
        '/api/v1/dead-letters?from=2020-01-01&to=2100-01-01',
      );
      expect(dead.body.deadLetters.map((d) => d.reason)).toEqual([expect.stringMatching(/exceeds 2048/)]);
      const raw = await small.api<{ readings: unknown[] }>(
        'GET',
        '/api/v1/meters/m-hvac/readings?from=2026-10-01&to=2026-12-01',
      );
      expect(raw.body.readings).toHaveLength(1);
      // An unknown topic (even under the gateway's own prefix) closes the connection; others go on.
      const closed = new Promise<void>((resolve) => gw.once('close', () => resolve()));
      gw.publish('jieneng/v1/gw-001/firmware', 'x', { qos: 1 });
      await closed;
      const other = await small.connectGateway('gw-002', 'secret-gw-002');
      await other.publishAsync(readingsTopic('gw-002'), JSON.stringify({ meter: 'm-gas', ts: HOURS[0], value: 1 }), {
        qos: 1,
      });
      await small.platform.pipeline.drain();
      const gas = await small.api<{ readings: unknown[] }>(
        'GET',
        '/api/v1/meters/m-gas/readings?from=2026-10-01&to=2026-12-01',
      );
      expect(gas.body.readings).toHaveLength(1);
      const metrics = await small.api<string>('GET', '/metrics', undefined, '');
      expect(metrics.body).toMatch(/jieneng_readings_rejected_total\{reason="oversized"\} 1/);
      expect(metrics.body).toMatch(/jieneng_readings_rejected_total\{reason="topic"\} 1/);
    } finally {
      await small.close();
    }
  });

  it('serves its OpenAPI description at /docs', async () => {
    const res = await t.api<{ openapi: string; paths: Record<string, unknown> }>('GET', '/docs/json', undefined, '');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3/);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/consumption',
        '/api/v1/registry',
        '/api/v1/meters/{id}/events',
        '/api/v1/quality',
      ]),
    );
  });
});
