import fc from 'fast-check';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readingsTopic } from '../../core/domain/topics.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { smallCity } from '../helpers/registry.js';

const H = 3_600_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');

describe('fuzzing: hostile MQTT payloads and API query strings', () => {
  let t: TestPlatform;
  let gw: MqttClient;

  beforeAll(async () => {
    t = await startTestPlatform();
    expect((await t.api('PUT', '/api/v1/registry', smallCity())).status).toBe(200);
    gw = await t.connectGateway('gw-001', 'secret-gw-001');
  });

  afterAll(async () => {
    await t?.close();
  });

  it('survives random bytes and JSON-ish payloads: the connection stays, nothing crashes', async () => {
    const payload = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
      fc.string({ maxLength: 300 }).map((s) => Buffer.from(s)),
      fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(JSON.stringify(v))),
      fc
        .jsonValue({ maxDepth: 3 })
        .map((v) => Buffer.from(JSON.stringify({ readings: [v, { meter: v, ts: v, value: v }] }))),
    );
    await fc.assert(
      fc.asyncProperty(payload, async (bytes) => {
        await gw.publishAsync(readingsTopic('gw-001'), bytes, { qos: 1 });
        expect(gw.connected).toBe(true);
      }),
      { numRuns: 150 },
    );
    expect((await t.api('GET', '/healthz', undefined, '')).status).toBe(200);
  });

  it('stores every valid reading of a batch whatever bad items are mixed in', async () => {
    const bad = fc.oneof(
      fc.anything({ maxDepth: 2 }),
      fc.record({ meter: fc.constantFrom('m-hosp', 'm-gas', 'nope', ''), ts: fc.constant(T0), value: fc.double() }),
      fc.record({
        meter: fc.constant('m-light'),
        ts: fc.oneof(fc.string(), fc.constant('2026-13-45T99:00')),
        value: fc.integer(),
      }),
      fc.record({
        meter: fc.constant('m-hvac'),
        ts: fc.constant(T0),
        value: fc.oneof(fc.string(), fc.constant(null), fc.object()),
      }),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.double({ min: 0, max: 1e7, noNaN: true }), { minLength: 1, maxLength: 8 }),
        fc.array(bad, { maxLength: 8 }),
        fc.integer({ min: 0, max: 1000 }),
        async (values, bads, seed) => {
          run++;
          const base = T0 + run * 100 * H;
          const valid = values.map((value, i) => ({ meter: 'm-light', ts: base + i * H, value }));
          const items: unknown[] = [...valid];
          for (const [i, b] of bads.entries()) items.splice((seed + i * 7) % (items.length + 1), 0, b);
          await gw.publishAsync(readingsTopic('gw-001'), JSON.stringify({ readings: items }), { qos: 1 });
          await expect
            .poll(async () => (await t.platform.store.readings('m-light', base, base + 100 * H)).map((r) => r.value))
            .toEqual(values);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('answers random query strings with a 4xx or a 200, never a 5xx', async () => {
    const routes = [
      '/api/v1/consumption',
      '/api/v1/quality',
      '/api/v1/anomalies',
      '/api/v1/dead-letters',
      '/api/v1/reports/monthly',
      '/api/v1/reports/ranking',
      '/api/v1/targets/progress',
      '/api/v1/meters/m-light/readings',
      '/api/v1/audit',
    ];
    const value = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom(
        'city',
        'district:gulou',
        'meter:m-light',
        '2026-11-01',
        '2026-11',
        '2026',
        'kgce',
        'hour',
        'year',
      ),
      fc.integer().map(String),
    );
    const key = fc.constantFrom(
      'scope',
      'from',
      'to',
      'interval',
      'energy',
      'unit',
      'subItem',
      'per',
      'month',
      'year',
      'format',
      'limit',
      'status',
      'metric',
      'x',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.array(fc.tuple(key, value), { maxLength: 6 }),
        async (route, params) => {
          const query = params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
          const res = await fetch(`${t.platform.apiUrl}${route}?${query}`, {
            headers: { authorization: 'Bearer test-admin-token-0123456789' },
          });
          await res.arrayBuffer();
          expect(res.status, `${route}?${query}`).toBeLessThan(500);
        },
      ),
      { numRuns: 200 },
    );
  });
});
