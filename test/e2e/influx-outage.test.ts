import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readingsTopic } from '../../core/domain/topics.js';
import { type Influxd, influxdSkipReason, startInfluxd } from '../helpers/influxd.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { smallCity } from '../helpers/registry.js';

const H = 3_600_000;
const T0 = Date.parse('2026-10-01T00:00:00+08:00');
const skip = influxdSkipReason();

describe.skipIf(skip !== undefined)('ingest through an InfluxDB outage (slow, then down, then back)', () => {
  let influxd: Influxd;
  let database: string;
  let t: TestPlatform;
  let gw: MqttClient;
  let hoursSent = 0;

  /** m-hvac: 10 kWh an hour, m-light: 0.5 × 80 = 40 kWh an hour; one message per hour, in order. */
  const publishHours = async (count: number) => {
    for (let i = 0; i < count; i++, hoursSent++) {
      const ts = T0 + hoursSent * H;
      const readings = [
        { meter: 'm-hvac', ts, value: 500 + 10 * hoursSent },
        { meter: 'm-light', ts, value: 1000 + 0.5 * hoursSent },
      ];
      await gw.publishAsync(readingsTopic('gw-001'), JSON.stringify({ readings }), { qos: 1 });
    }
  };
  const health = async () =>
    (await t.api<{ status: string; spoolBytes: number }>('GET', '/healthz', undefined, '')).body;
  const spoolGauge = async () => {
    const text = (await t.api<string>('GET', '/metrics', undefined, '')).body;
    return Number(/^jieneng_store_spool_bytes (\d+)/m.exec(text)?.[1] ?? Number.NaN);
  };
  const total = async (meter: string) =>
    (
      await t.api<{ total: number }>(
        'GET',
        `/api/v1/consumption?scope=meter:${meter}&from=2026-09-01&to=2026-12-01&interval=month&energy=electricity`,
      )
    ).body.total;
  const countInInflux = async (meter: string) =>
    (await influxd.query(`SELECT count(value) FROM readings WHERE meter = '${meter}'`, database)).results[0]
      ?.series?.[0]?.values[0]?.[1];

  beforeAll(async () => {
    influxd = await startInfluxd();
    database = await influxd.createDatabase();
    t = await startTestPlatform({
      STORE: 'influx',
      INFLUX_URL: influxd.url,
      INFLUX_DATABASE: database,
      INFLUX_TIMEOUT_MS: '500',
    });
    expect((await t.api('PUT', '/api/v1/registry', smallCity())).status).toBe(200);
    gw = await t.connectGateway('gw-001', 'secret-gw-001');
  });
  afterAll(async () => {
    influxd?.resume();
    await t?.close();
    await influxd?.stop();
  });

  it('keeps accepting readings, reports degraded with the spool size, and stores every reading exactly once after', async () => {
    await publishHours(24);
    await t.platform.pipeline.drain();
    expect(await health()).toMatchObject({ status: 'ok', spoolBytes: 0 });
    expect(await total('m-hvac')).toBe(230);

    // Slow: the server hangs (SIGSTOP); writes time out and go to the spool.
    influxd.pause();
    await publishHours(24);
    await t.platform.pipeline.drain();
    await expect.poll(async () => (await health()).status).toBe('degraded');
    expect((await health()).spoolBytes).toBeGreaterThan(0);
    expect(await spoolGauge()).toBeGreaterThan(0);

    // Down: the server is killed; ingest goes on into the spool.
    await influxd.kill();
    await publishHours(24);
    await t.platform.pipeline.drain();
    expect((await health()).status).toBe('degraded');
    const spooled = await spoolGauge();
    expect(spooled).toBeGreaterThan(0);

    // Back on the same port and data directory: the spool drains in order.
    await influxd.start();
    await expect.poll(async () => (await health()).status, { timeout: 30_000 }).toBe('ok');
    expect(await spoolGauge()).toBe(0);
    expect(await countInInflux('m-hvac')).toBe(72);
    expect(await countInInflux('m-light')).toBe(72);
    expect(await total('m-hvac')).toBe(710);
    expect(await total('m-light')).toBe(71 * 40);
    const metrics = (await t.api<string>('GET', '/metrics', undefined, '')).body;
    expect(metrics).toMatch(/^jieneng_readings_accepted_total 144$/m);

    // And life goes on, undisturbed.
    await publishHours(2);
    await t.platform.pipeline.drain();
    expect(await total('m-hvac')).toBe(730);
    expect(await countInInflux('m-hvac')).toBe(74);
  });
});
