import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GBT_2589_2020 } from '../../core/domain/energy.js';
import type { Meter } from '../../core/domain/registry.js';
import { readingsTopic } from '../../core/domain/topics.js';
import { type Influxd, influxdSkipReason, startInfluxd } from '../helpers/influxd.js';
import { startTestPlatform, TEST_ADMIN_TOKEN, type TestPlatform } from '../helpers/platform.js';
import { smallCity } from '../helpers/registry.js';

interface Point {
  start: string;
  value: number;
  estimatedShare: number;
  quality: string;
}
interface Series {
  unit: string;
  coefficients?: string;
  series: Point[];
  total: number;
}
interface Problem {
  path: string;
  message: string;
}
interface Entered {
  meter: string;
  enteredBy: string;
  receivedAt: string;
  stored: number;
  duplicates: number;
  readings: { ts: string; value: number }[];
}
interface EnergyLine {
  energy: string;
  unit: string;
  amount: number;
  kgce: number;
  estimatedShare: number;
}

const OCT = '2026-10-01T00:00:00+08:00';
const OCT16 = '2026-10-16T00:00:00+08:00';
const NOV = '2026-11-01T00:00:00+08:00';
const day = (d: number) => `2026-10-${String(d).padStart(2, '0')}T00:00:00+08:00`;
const coef = GBT_2589_2020.kgcePerUnit;
/** A day of 24 hours each rounded to whole micro-units. */
const DAY_TOLERANCE = 24e-6;

/** Manual meters of the hospital (i-003, district xuanwu): fuels bought and a coal register read by hand. */
const MANUAL: Partial<Meter>[] = [
  { id: 'm-diesel', energy: 'diesel', unit: 'L' },
  { id: 'm-gasoline', energy: 'gasoline', unit: 'kg' },
  { id: 'm-coal', energy: 'coal', unit: 'kg' },
  { id: 'm-other', energy: 'other', unit: 'kgce' },
];

const backends = [
  { name: 'embedded (DuckDB)', influx: false },
  { name: 'InfluxDB', influx: true },
].filter((b) => !b.influx || influxdSkipReason() === undefined);

describe.each(backends)('manual meters and fuels (issue 15, item 5): $name', ({ influx }) => {
  let t: TestPlatform;
  let influxd: Influxd | undefined;
  let officer: string;
  let outsider: string;
  let viewer: string;
  const enter = (meter: string, body: unknown, token = officer) =>
    t.api<Entered & { code: string; details: Problem[] }>(
      'POST',
      `/api/v1/meters/${meter}/manual-readings`,
      body,
      token,
    );
  const series = async (query: string) => {
    const res = await t.api<Series>('GET', `/api/v1/consumption?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  const issue = async (name: string, role: string, scopes: string[]) => {
    const res = await t.api<{ token: string }>('POST', '/api/v1/tokens', { name, role, scopes });
    expect(res.status).toBe(201);
    return res.body.token;
  };
  const stored = async (meter: string) =>
    (
      await t.api<{ readings: { ts: string; value: number; gatewayId: string; receivedAt: string }[] }>(
        'GET',
        `/api/v1/meters/${meter}/readings?from=2026-01-01&to=2027-01-01`,
      )
    ).body.readings;

  beforeAll(async () => {
    influxd = influx ? await startInfluxd() : undefined;
    t = await startTestPlatform(
      influxd === undefined
        ? {}
        : { STORE: 'influx', INFLUX_URL: influxd.url, INFLUX_DATABASE: await influxd.createDatabase() },
    );
    const city = smallCity();
    city.meters.push(
      ...MANUAL.map(
        (m) => ({ buildingId: 'b-004', reading: 'manual' as const, multiplier: 1, intervalS: 900, ...m }) as Meter,
      ),
    );
    const put = await t.api('PUT', '/api/v1/registry', city);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    officer = await issue('hospital energy officer', 'officer', ['institution:i-003']);
    outsider = await issue('city hall officer', 'officer', ['institution:i-001']);
    viewer = await issue('hospital viewer', 'viewer', ['institution:i-003']);
  });
  afterAll(async () => {
    await t?.close();
    await influxd?.stop();
  });

  it('spreads 200 L of diesel over October: 168 kg, 244.7928 kgce, every day estimated', async () => {
    const res = await enter('m-diesel', { amounts: [{ from: OCT, to: NOV, amount: 200 }] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      meter: 'm-diesel',
      stored: 2,
      duplicates: 0,
      enteredBy: 'hospital energy officer',
    });
    expect(res.body.readings.map((r) => r.value)).toEqual([0, 200]);
    const month = await series('scope=meter:m-diesel&from=2026-10-01&to=2026-11-01&interval=month&energy=diesel');
    expect(month.unit).toBe('kg');
    expect(month.total).toBeCloseTo(200 * 0.84, 6);
    expect(month.series[0]).toMatchObject({ quality: 'estimated', estimatedShare: 1 });
    const kgce = await series('scope=meter:m-diesel&from=2026-10-01&to=2026-11-01&interval=month&unit=kgce');
    expect(kgce.coefficients).toBe(GBT_2589_2020.version);
    expect(kgce.total).toBeCloseTo(200 * 0.84 * coef.diesel, 6);
    expect(kgce.total).toBeCloseTo(244.7928, 6);
    const days = await series('scope=meter:m-diesel&from=2026-10-01&to=2026-11-01&interval=day&energy=diesel');
    expect(days.series).toHaveLength(31);
    // Pro rata in integer micro-units: each hour within 1e-6 kg of 168 / 744, the days adding up exactly.
    for (const p of days.series) {
      expect(Math.abs(p.value - 168 / 31)).toBeLessThanOrEqual(DAY_TOLERANCE);
      expect(p.quality).toBe('estimated');
    }
    expect(days.total).toBe(168);
  });

  it('takes gasoline deliveries in any order and one entered late, each spread over its own period', async () => {
    const res = await enter('m-gasoline', {
      amounts: [
        { from: OCT16, to: NOV, amount: 60 },
        { from: OCT, to: OCT16, amount: 90 },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const q = 'scope=meter:m-gasoline&from=2026-10-01&to=2026-11-01&interval=day&energy=gasoline';
    const days = (await series(q)).series;
    expect(days[2]?.value).toBeCloseTo(90 / 15, 6);
    expect(days[20]?.value).toBeCloseTo(60 / 16, 6);
    // September's delivery, entered after October's: counted down before the register's first reading.
    const late = await enter('m-gasoline', { amounts: [{ from: '2026-09-01T00:00:00+08:00', to: OCT, amount: 30 }] });
    expect(late.status, JSON.stringify(late.body)).toBe(201);
    const sep = await series('scope=meter:m-gasoline&from=2026-09-01&to=2026-11-01&interval=month&energy=gasoline');
    expect(sep.series.map((p) => p.value)).toEqual([30, 150]);
  });

  it('spreads a coal register read by hand pro rata between its readings', async () => {
    const readings = [
      { ts: OCT, value: 5000 },
      { ts: day(11), value: 5600 },
      { ts: NOV, value: 6500 },
    ];
    const res = await enter('m-coal', { readings });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const coal = await series('scope=meter:m-coal&from=2026-10-01&to=2026-11-01&interval=day&energy=coal');
    const days = coal.series;
    expect(coal.total).toBe(1500);
    expect(days[4]?.value).toBeCloseTo(60, 6);
    expect(Math.abs((days[19]?.value ?? 0) - 900 / 21)).toBeLessThanOrEqual(DAY_TOLERANCE);
    expect(days.every((p) => p.quality === 'estimated')).toBe(true);
    // The same entry again changes nothing: 200, not 201.
    const again = await enter('m-coal', { readings });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ stored: 0, duplicates: 3 });
  });

  it('adds the fuels into the institution kgce and the monthly report, with their coefficients', async () => {
    expect((await enter('m-other', { amounts: [{ from: OCT, to: NOV, amount: 50 }] })).status).toBe(201);
    const expected = {
      diesel: { amount: 168, kgce: 168 * coef.diesel },
      gasoline: { amount: 150, kgce: 150 * coef.gasoline },
      coal: { amount: 1500, kgce: 1500 * coef.coal },
      other: { amount: 50, kgce: 50 },
    };
    const sum = Object.values(expected).reduce((s, e) => s + e.kgce, 0);
    const kgce = await series('scope=institution:i-003&from=2026-10-01&to=2026-11-01&interval=month&unit=kgce');
    expect(kgce.total).toBeCloseTo(sum, 6);
    const report = await t.api<{
      coefficients: { version: string; kgcePerUnit: Record<string, number> };
      energies: string[];
      total: { energies: EnergyLine[]; totalKgce: number };
    }>('GET', '/api/v1/reports/monthly?month=2026-10&scope=institution:i-003');
    expect(report.status, JSON.stringify(report.body)).toBe(200);
    expect(report.body.coefficients.version).toBe(GBT_2589_2020.version);
    expect(report.body.coefficients.kgcePerUnit).toMatchObject({
      diesel: 1.4571,
      gasoline: 1.4714,
      coal: 0.7143,
      other: 1,
    });
    expect(report.body.energies).toEqual(expect.arrayContaining(Object.keys(expected)));
    for (const [energy, e] of Object.entries(expected)) {
      const line = report.body.total.energies.find((l) => l.energy === energy);
      expect(line, energy).toMatchObject({ amount: e.amount, kgce: Math.round(e.kgce * 100) / 100, estimatedShare: 1 });
    }
    expect(report.body.total.totalKgce).toBeCloseTo(sum, 1);
    const csv = await t.api<string>('GET', '/api/v1/reports/monthly?month=2026-10&scope=institution:i-003&format=csv');
    for (const name of ['柴油', '汽油', '原煤', '其他能源']) expect(csv.body).toContain(name);
  });

  it('records who entered the readings and when', async () => {
    const diesel = await stored('m-diesel');
    expect(diesel.map((r) => r.value)).toEqual([0, 200]);
    expect(diesel.every((r) => r.gatewayId.startsWith('manual:tok-') && r.receivedAt !== '')).toBe(true);
    const audit = await t.api<{ audit: { tokenName: string; entity: string; after: Record<string, unknown> }[] }>(
      'GET',
      '/api/v1/audit?from=2026-01-01&to=2100-01-01',
    );
    const entry = audit.body.audit.find((a) => a.entity === 'meter:m-diesel');
    expect(entry).toMatchObject({
      tokenName: 'hospital energy officer',
      after: { manual: 'amounts', items: 1, stored: 2, source: diesel[0]?.gatewayId },
    });
  });

  it('refuses a user out of scope, a viewer, and a gateway meter', async () => {
    const body = { readings: [{ ts: day(2), value: 1 }] };
    const outside = await enter('m-coal', body, outsider);
    expect(outside.status).toBe(403);
    expect(outside.body.code).toBe('JN_FORBIDDEN');
    expect((await enter('m-coal', body, viewer)).status).toBe(403);
    const gatewayMeter = await enter('m-hosp', body);
    expect(gatewayMeter.status).toBe(409);
    expect(gatewayMeter.body.code).toBe('JN_METER_NOT_MANUAL');
    expect((await enter('m-none', body, TEST_ADMIN_TOKEN)).status).toBe(404);
  });

  it('refuses a whole entry with a bad item, naming the item’s field', async () => {
    const bad = await enter('m-coal', {
      readings: [
        { ts: '2026-11-05T00:00:00+08:00', value: 6600 },
        { ts: '2099-01-01T00:00:00+08:00', value: 6700 },
        { ts: '2026-11-07T00:00:00+08:00', value: 6800 },
        { ts: '2026-11-08T00:00:00+08:00', value: 'a lot' },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d) => d.path)).toEqual(['readings[3].value']);
    const future = await enter('m-coal', {
      readings: [
        { ts: '2026-11-05T00:00:00+08:00', value: 6600 },
        { ts: '2099-01-01T00:00:00+08:00', value: 6700 },
      ],
    });
    expect(future.status).toBe(400);
    expect(future.body.details).toEqual([{ path: 'readings[1].ts', message: expect.stringContaining('future') }]);
    const conflict = await enter('m-coal', { readings: [{ ts: day(11), value: 5700 }] });
    expect(conflict.status).toBe(400);
    expect(conflict.body.details).toEqual([{ path: 'readings[0].value', message: expect.stringContaining('5600') }]);
    // All or nothing: the valid items beside the bad ones were not stored.
    expect((await stored('m-coal')).map((r) => r.value)).toEqual([5000, 5600, 6500]);
    const inside = await enter('m-diesel', { amounts: [{ from: day(5), to: day(6), amount: 10 }] });
    expect(inside.status).toBe(400);
    expect(inside.body.details.map((d) => d.path)).toEqual(['amounts[0].from']);
    const overlap = await enter('m-diesel', {
      amounts: [
        { from: NOV, to: '2026-11-10T00:00:00+08:00', amount: 10 },
        { from: '2026-11-05T00:00:00+08:00', to: '2026-11-20T00:00:00+08:00', amount: 10 },
      ],
    });
    expect(overlap.status).toBe(400);
    expect(overlap.body.details.map((d) => d.path)).toEqual(['amounts[1].from']);
    // The worst a form or a script can send: a 1970 clock, 1e308, a body nested 5,000 deep.
    const clock1970 = await enter('m-coal', {
      readings: [
        { ts: '1970-01-01T00:00:00Z', value: 7000 },
        { ts: '2026-11-09T00:00:00+08:00', value: 7100 },
      ],
    });
    expect(clock1970.status).toBe(400);
    expect(clock1970.body.details.map((d) => d.path)).toEqual(['readings[0].ts']);
    const enormous = await enter('m-coal', { readings: [{ ts: '2026-11-09T00:00:00+08:00', value: 1e308 }] });
    expect(enormous.status).toBe(400);
    expect(enormous.body.details.map((d) => d.path)).toEqual(['readings[0].value']);
    const huge = await enter('m-diesel', { amounts: [{ from: NOV, to: '2026-11-10T00:00:00+08:00', amount: 1e308 }] });
    expect(huge.status).toBe(400);
    const deep = await fetch(`${t.platform.apiUrl}/api/v1/meters/m-coal/manual-readings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${officer}`, 'content-type': 'application/json' },
      body: `${'{"readings":'.repeat(5000)}[]${'}'.repeat(5000)}`,
    });
    expect(deep.status).toBe(400);
    expect((await stored('m-diesel')).map((r) => r.value)).toEqual([0, 200]);
    expect((await stored('m-coal')).map((r) => r.value)).toEqual([5000, 5600, 6500]);
  });

  it('dead-letters readings of a manual meter published by MQTT, with the reason', async () => {
    const gw = await t.connectGateway('gw-002', 'secret-gw-002');
    await gw.publishAsync(readingsTopic('gw-002'), JSON.stringify({ meter: 'm-diesel', ts: NOV, value: 999 }), {
      qos: 1,
    });
    await expect
      .poll(async () => {
        const res = await t.api<{ deadLetters: { code: string; reason: string }[] }>(
          'GET',
          '/api/v1/dead-letters?from=2020-01-01&to=2100-01-01&meterId=m-diesel',
        );
        return res.body.deadLetters;
      })
      .toEqual([expect.objectContaining({ code: 'foreign_meter', reason: expect.stringContaining('manual meter') })]);
    expect((await stored('m-diesel')).map((r) => r.value)).toEqual([0, 200]);
  });

  it('leaves a manual reading the store failed on to its user: its dead letter is not re-published', async () => {
    const tsMs = Date.parse(day(20));
    await t.platform.store.addDeadLetters([
      {
        code: 'store_failed',
        reason: 'store_failed: disk full',
        receivedAtMs: Date.now(),
        gatewayId: 'manual:tok-someone',
        meterId: 'm-coal',
        tsMs,
        raw: JSON.stringify({ meter: 'm-coal', ts: tsMs, value: 5800 }),
      },
    ]);
    const letters = await t.api<{ deadLetters: { id: string }[] }>(
      'GET',
      '/api/v1/dead-letters?from=2020-01-01&to=2100-01-01&meterId=m-coal&code=store_failed',
    );
    const id = letters.body.deadLetters[0]?.id;
    const retry = await t.api<{ code: string }>('POST', `/api/v1/dead-letters/${id}/retry`);
    expect(retry.status).toBe(409);
    expect(retry.body.code).toBe('JN_DEAD_LETTER_NOT_RETRIABLE');
  });
});
