import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readingsTopic } from '../../core/domain/topics.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { smallCity } from '../helpers/registry.js';

interface Point {
  start: string;
  value: number;
  completeness: number;
  quality: string;
  estimatedShare: number;
}
interface Series {
  series: Point[];
  total: number;
}

const H = 3_600_000;
const T0 = Date.parse('2026-10-05T00:00:00+08:00');
const iso = (ms: number) => new Date(ms).toISOString();

describe('meter truth through the broker and the API', () => {
  let t: TestPlatform;
  let gw: MqttClient;
  const publish = (readings: { meter: string; ts: number; value: number }[]) =>
    gw.publishAsync(readingsTopic('gw-001'), JSON.stringify({ readings }), { qos: 1 });
  const series = async (query: string) => {
    const res = await t.api<Series>('GET', `/api/v1/consumption?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  const total = async (meter: string, from = '2026-10-01', to = '2026-11-01') =>
    (await series(`scope=meter:${meter}&from=${from}&to=${to}&interval=month&energy=electricity`)).total;
  const settle = () => t.platform.pipeline.drain();

  beforeAll(async () => {
    t = await startTestPlatform();
    const city = smallCity();
    city.meters = city.meters.map((m) =>
      m.id === 'm-school' ? { ...m, installedAt: '2026-10-01T00:00:00+08:00', maxPlausiblePerHour: 500 } : m,
    );
    expect((await t.api('PUT', '/api/v1/registry', city)).status).toBe(200);
    gw = await t.connectGateway('gw-001', 'secret-gw-001');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('gives the same hours for a week uploaded shuffled, in batches, with redeliveries', async () => {
    // m-hvac: 10 kWh an hour for a week, hourly readings.
    const week = Array.from({ length: 7 * 24 + 1 }, (_, i) => ({
      meter: 'm-hvac',
      ts: T0 + i * H,
      value: 500 + 10 * i,
    }));
    const shuffled = [...week].sort((a, b) => ((a.ts * 7919) % 1013) - ((b.ts * 7919) % 1013));
    for (let i = 0; i < shuffled.length; i += 25) await publish(shuffled.slice(i, i + 25));
    await publish(shuffled.slice(0, 40)); // a gateway that re-sends what it was not sure of
    await settle();
    expect(await total('m-hvac')).toBe(7 * 24 * 10);
    const hours = await series('scope=meter:m-hvac&from=2026-10-05&to=2026-10-06&interval=hour&energy=electricity');
    expect(hours.series.every((p) => p.value === 10 && p.quality === 'good' && p.completeness === 1)).toBe(true);
    const metrics = await t.api<string>('GET', '/metrics', undefined, '');
    expect(metrics.body).toMatch(/jieneng_readings_duplicate_total 40/);
  });

  it('refuses a different value for a stored reading and keeps the first (dead letter)', async () => {
    await publish([{ meter: 'm-hvac', ts: T0 + 5 * H, value: 999 }]);
    await settle();
    expect(await total('m-hvac')).toBe(7 * 24 * 10);
    const dead = await t.api<{ deadLetters: { reason: string; meterId: string }[] }>(
      'GET',
      '/api/v1/dead-letters?from=2020-01-01&to=2100-01-01',
    );
    expect(
      dead.body.deadLetters.some((d) => d.meterId === 'm-hvac' && d.reason.includes('already stored with value 550')),
    ).toBe(true);
  });

  it('recomputes a late reading that splits a gap, and marks the gap estimated until then', async () => {
    // m-light (×80): readings at 00:00 and 04:00, then the 02:00 one arrives days late.
    await publish([
      { meter: 'm-light', ts: T0, value: 100 },
      { meter: 'm-light', ts: T0 + 4 * H, value: 104 },
    ]);
    await settle();
    let hours = await series(
      'scope=meter:m-light&from=2026-10-05T00:00&to=2026-10-05T04:00&interval=hour&energy=electricity',
    );
    expect(hours.series.map((p) => [p.value, p.quality])).toEqual(Array(4).fill([80, 'estimated']));
    await publish([{ meter: 'm-light', ts: T0 + 2 * H, value: 103 }]);
    await settle();
    hours = await series(
      'scope=meter:m-light&from=2026-10-05T00:00&to=2026-10-05T04:00&interval=hour&energy=electricity',
    );
    expect(hours.series.map((p) => p.value)).toEqual([120, 120, 40, 40]);
    expect(hours.total).toBe(320);
  });

  it('never counts a meter replacement as consumption, even when the event comes after the data', async () => {
    // m-school: 5 kWh/h; replaced at 03:30 (old final 1017.5, new initial 12.5).
    const old = [0, 1, 2, 3].map((i) => ({ meter: 'm-school', ts: T0 + i * H, value: 1000 + 5 * i }));
    const fresh = [4, 5, 6].map((i) => ({ meter: 'm-school', ts: T0 + i * H, value: 12.5 + 2.5 + 5 * (i - 4) }));
    await publish([...old, ...fresh]);
    await settle();
    const before = await total('m-school');
    expect(before).toBe(25); // the drop is suspect and counted 0: 15 before it, 10 after it
    const res = await t.api<{ type: string; createdBy: string }>('POST', '/api/v1/meters/m-school/events', {
      type: 'replace',
      ts: '2026-10-05T03:30:00+08:00',
      oldFinal: 1017.5,
      newInitial: 12.5,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.createdBy).toMatch(/admin/);
    expect(await total('m-school')).toBe(30);
    const events = await t.api<{ events: { type: string; ts: string }[] }>('GET', '/api/v1/meters/m-school/events');
    expect(events.body.events).toEqual([expect.objectContaining({ type: 'replace', ts: '2026-10-04T19:30:00.000Z' })]);
  });

  it('applies a multiplier change from its timestamp and refuses contradictory events', async () => {
    const res = await t.api('POST', '/api/v1/meters/m-hvac/events', {
      type: 'multiplier',
      ts: iso(T0 + 24 * H),
      multiplier: 2,
    });
    expect(res.status).toBe(201);
    expect(await total('m-hvac')).toBe(24 * 10 + 6 * 24 * 20);
    const twice = await t.api<{ code: string; message: string }>('POST', '/api/v1/meters/m-school/events', {
      type: 'replace',
      ts: '2026-10-05T03:30:00+08:00',
      oldFinal: 1,
      newInitial: 0,
    });
    expect(twice.status).toBe(400);
    expect(twice.body.code).toBe('JN_EVENT_CONFLICT');
    const zero = await t.api<{ message: string }>('POST', '/api/v1/meters/m-hvac/events', {
      type: 'multiplier',
      ts: iso(T0),
      multiplier: 0,
    });
    expect(zero.status).toBe(400);
    expect(zero.body.message).toMatch(/^multiplier/);
    const unknown = await t.api('POST', '/api/v1/meters/nope/events', { type: 'decommission', ts: iso(T0) });
    expect(unknown.status).toBe(404);
  });

  it('lets an officer invalidate a reading: excluded from consumption, raw value and who/why kept', async () => {
    // m-water: 1 m3/h with a bad reading at 02:00 that is not an obvious glitch (too high but rising).
    await publish([10, 11, 12.9, 13, 14].map((value, i) => ({ meter: 'm-water', ts: T0 + i * H, value })));
    await settle();
    const q = 'scope=meter:m-water&from=2026-10-05T00:00&to=2026-10-05T04:00&interval=hour&energy=water';
    expect((await series(q)).series.map((p) => p.value)).toEqual([1, 1.9, 0.1, 1]);
    const res = await t.api('POST', '/api/v1/meters/m-water/corrections', {
      ts: iso(T0 + 2 * H),
      reason: 'register misread by the gateway',
    });
    expect(res.status).toBe(201);
    expect((await series(q)).series.map((p) => p.value)).toEqual([1, 1, 1, 1]);
    const raw = await t.api<{ readings: { value: number; invalid?: { reason: string; by: string } }[] }>(
      'GET',
      '/api/v1/meters/m-water/readings?from=2026-10-05&to=2026-10-06',
    );
    expect(raw.body.readings[2]).toMatchObject({ value: 12.9, invalid: { reason: 'register misread by the gateway' } });
    expect(
      (await t.api('POST', '/api/v1/meters/m-water/corrections', { ts: iso(T0 + 2 * H), reason: 'again' })).status,
    ).toBe(400);
    expect(
      (await t.api('POST', '/api/v1/meters/m-water/corrections', { ts: iso(T0 + 2 * H + 1), reason: 'none there' }))
        .status,
    ).toBe(404);
  });

  it('rejects readings far in the future or before installation into the dead letters', async () => {
    await publish([
      { meter: 'm-school', ts: Date.parse('2026-09-30T00:00:00+08:00'), value: 1 },
      { meter: 'm-school', ts: Date.now() + 3 * 86_400_000, value: 1 },
    ]);
    await settle();
    const dead = await t.api<{ deadLetters: { reason: string }[] }>(
      'GET',
      '/api/v1/dead-letters?from=2020-01-01&to=2100-01-01',
    );
    const reasons = dead.body.deadLetters.map((d) => d.reason);
    expect(reasons.some((r) => r.includes("before the meter's installation"))).toBe(true);
    expect(reasons.some((r) => r.includes('in the future'))).toBe(true);
  });

  it('reports completeness per meter and institution for a month, with the meters below 90 %', async () => {
    const res = await t.api<{
      meters: { meterId: string; completeness: number; received: number; expected: number }[];
      institutions: { institutionId: string; completeness: number }[];
      below: string[];
    }>('GET', '/api/v1/quality?month=2026-10&scope=institution:i-001');
    expect(res.status).toBe(200);
    const hvac = res.body.meters.find((m) => m.meterId === 'm-hvac');
    expect(hvac?.received).toBe(7 * 24 + 1);
    expect(hvac?.expected).toBe(31 * 24);
    expect(hvac?.completeness).toBeCloseTo(169 / 744, 6);
    expect(res.body.below).toContain('m-hvac');
    expect(res.body.meters.map((m) => m.meterId).sort()).toEqual(['m-hvac', 'm-light', 'm-water']);
    expect(res.body.institutions).toHaveLength(1);
    expect((await t.api('GET', '/api/v1/quality?month=2026-13')).status).toBe(400);
    expect((await t.api('GET', '/api/v1/quality?month=2099-01')).status).toBe(400);
  });
});
