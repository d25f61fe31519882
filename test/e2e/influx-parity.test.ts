import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readingsTopic } from '../../core/domain/topics.js';
import { type Influxd, influxdSkipReason, startInfluxd } from '../helpers/influxd.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { smallCity } from '../helpers/registry.js';

const H = 3_600_000;
const T0 = Date.parse('2026-10-30T00:00:00+08:00');
const HOURS = 72;

/**
 * Three days of hourly registers of the small city, with what real gateways do: shuffled batches,
 * redeliveries, a conflicting value, a glitch, a gap, a rollover.
 */
function traffic(): { gw1: unknown[][]; gw2: unknown[][] } {
  const series: Record<string, (h: number) => number> = {
    'm-light': (h) => 99_999_990 + h * 0.5 - (h * 0.5 + 99_999_990 >= 100_000_000 ? 100_000_000 : 0),
    'm-hvac': (h) => (h === 30 ? 5 : 500 + 10 * h + (h % 7)),
    'm-water': (h) => 10 + h * 0.25,
    'm-school': (h) => h * 3,
    'm-hosp': (h) => 100 + 20 * h,
    'm-gas': (h) => 2 * h,
  };
  const readings = (meters: string[]) =>
    meters.flatMap((meter) =>
      Array.from({ length: HOURS }, (_, h) => h)
        .filter((h) => !(meter === 'm-school' && h >= 20 && h < 26))
        .map((h) => ({
          meter,
          ts: T0 + h * H,
          value: Math.round((series[meter] as (h: number) => number)(h) * 1000) / 1000,
        })),
    );
  const shuffle = <T>(xs: T[]) =>
    [...xs].sort(
      (a, b) =>
        ((JSON.stringify(a).length * 7919 + xs.indexOf(a) * 104729) % 1013) -
        ((JSON.stringify(b).length * 7919 + xs.indexOf(b) * 104729) % 1013),
    );
  const batches = (xs: unknown[]) =>
    Array.from({ length: Math.ceil(xs.length / 25) }, (_, i) => xs.slice(i * 25, i * 25 + 25));
  const one = shuffle(readings(['m-light', 'm-hvac', 'm-water', 'm-school']));
  const two = readings(['m-hosp', 'm-gas']);
  return {
    gw1: [...batches(one), one.slice(0, 30), [{ meter: 'm-hvac', ts: T0 + 5 * H, value: 1 }]],
    gw2: batches(two),
  };
}

const QUERIES = [
  ...[
    'city',
    'district:gulou',
    'district:xuanwu',
    'institution:i-001',
    'building:b-002',
    'meter:m-light',
    'meter:m-school',
  ].flatMap((scope) => [
    `scope=${scope}&from=2026-10-29&to=2026-11-03&interval=day&energy=electricity`,
    `scope=${scope}&from=2026-10-01&to=2026-12-01&interval=month&unit=kgce`,
    `scope=${scope}&from=2026-01-01&to=2028-01-01&interval=year&unit=kgce`,
  ]),
  'scope=meter:m-hvac&from=2026-10-31T00:00&to=2026-11-01T12:00&interval=hour&energy=electricity',
  'scope=meter:m-school&from=2026-10-30T18:00&to=2026-10-31T04:00&interval=hour&energy=electricity',
  'scope=city&from=2026-10-01&to=2026-12-01&interval=month&subItem=01A',
  'scope=institution:i-001&from=2026-10-01&to=2026-12-01&interval=month&energy=electricity&per=m2',
  'scope=city&from=2026-10-01&to=2026-12-01&interval=month&energy=water',
  'scope=city&from=2026-10-01&to=2026-12-01&interval=day&energy=gas&per=capita',
];

/** A JSON value without the wall-clock fields (`receivedAt`, a correction's `at`). */
const withoutClock = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value), (key, v) => (['receivedAt', 'createdAt', 'at'].includes(key) ? undefined : v));

const skip = influxdSkipReason();

describe.skipIf(skip !== undefined)('the same API answers on the embedded and the InfluxDB backends', () => {
  let influxd: Influxd;
  let embedded: TestPlatform;
  let influx: TestPlatform;
  const clients: MqttClient[] = [];

  const feed = async (t: TestPlatform) => {
    expect((await t.api('PUT', '/api/v1/registry', smallCity())).status).toBe(200);
    const gw1 = await t.connectGateway('gw-001', 'secret-gw-001');
    const gw2 = await t.connectGateway('gw-002', 'secret-gw-002');
    clients.push(gw1, gw2);
    const { gw1: one, gw2: two } = traffic();
    for (const readings of one)
      await gw1.publishAsync(readingsTopic('gw-001'), JSON.stringify({ readings }), { qos: 1 });
    for (const readings of two)
      await gw2.publishAsync(readingsTopic('gw-002'), JSON.stringify({ readings }), { qos: 1 });
    await t.platform.pipeline.drain();
    const iso = (ms: number) => new Date(ms).toISOString();
    const event = { type: 'multiplier', ts: iso(T0 + 40 * H + 30 * 60_000), multiplier: 2 };
    expect((await t.api('POST', '/api/v1/meters/m-hosp/events', event)).status).toBe(201);
    const fix = { ts: iso(T0 + 50 * H), reason: 'gateway misread' };
    expect((await t.api('POST', '/api/v1/meters/m-gas/corrections', fix)).status).toBe(201);
    await t.platform.pipeline.drain();
  };

  beforeAll(async () => {
    influxd = await startInfluxd();
    const database = await influxd.createDatabase();
    embedded = await startTestPlatform();
    influx = await startTestPlatform({ STORE: 'influx', INFLUX_URL: influxd.url, INFLUX_DATABASE: database });
    await feed(embedded);
    await feed(influx);
  });
  afterAll(async () => {
    await embedded?.close();
    await influx?.close();
    await influxd?.stop();
  });

  it('runs on InfluxDB, healthy', async () => {
    const health = await influx.api<{ status: string; store: string; spoolBytes: number }>(
      'GET',
      '/healthz',
      undefined,
      '',
    );
    expect(health.body).toMatchObject({ status: 'ok', store: 'influx', spoolBytes: 0 });
  });

  it.each(QUERIES)('GET /api/v1/consumption?%s', async (q) => {
    const a = await embedded.api('GET', `/api/v1/consumption?${q}`);
    const b = await influx.api('GET', `/api/v1/consumption?${q}`);
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    expect((a.body as { total: number }).total).toBeGreaterThan(0);
    expect(b).toEqual(a);
  });

  it('gives the same raw readings, corrections, quality and dead letters', async () => {
    for (const path of [
      '/api/v1/meters/m-gas/readings?from=2026-10-29&to=2026-11-03',
      '/api/v1/meters/m-hvac/readings?from=2026-10-29&to=2026-11-03',
      '/api/v1/quality?month=2026-10&scope=city',
      '/api/v1/quality?month=2026-10&scope=district:gulou',
    ]) {
      const a = await embedded.api('GET', path);
      expect(a.status, JSON.stringify(a.body)).toBe(200);
      // The two platforms were fed a moment apart: receipt and creation times differ, nothing else.
      expect(withoutClock(await influx.api('GET', path)), path).toEqual(withoutClock(a));
    }
    const reasons = async (t: TestPlatform) =>
      (
        await t.api<{ deadLetters: { reason: string; meterId?: string }[] }>(
          'GET',
          '/api/v1/dead-letters?from=2020-01-01&to=2100-01-01',
        )
      ).body.deadLetters
        .map((d) => `${d.meterId}: ${d.reason}`)
        .sort();
    expect(await reasons(influx)).toEqual(await reasons(embedded));
    expect(await reasons(influx)).toHaveLength(1);
  });
});
