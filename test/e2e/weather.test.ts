import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readingsTopic, weatherTopic } from '../../core/domain/topics.js';
import { startTestPlatform, TEST_ADMIN_TOKEN, type TestPlatform } from '../helpers/platform.js';
import { smallCity } from '../helpers/registry.js';
import { type Issued, issue } from '../security/fixture.js';

/**
 * Issue 18, item 1: weather through the API and MQTT, on a real platform (DuckDB, aedes, Fastify)
 * with a real slice of the shared Bedford data: a gap, a duplicate, a re-upload, a correction.
 * The degree days the API answers are checked against a computation written here on the CSV.
 */

const H = 3_600_000;
const TZ_OFFSET_MS = 8 * H; // Asia/Shanghai, the test platform's zone: no daylight saving.
const CSV = readFileSync(new URL('../../../shared/data/cambridge-weather/bedford_2017.csv', import.meta.url), 'utf8');
const [HEADER = '', ...ROWS] = CSV.trim().split('\n');
/** January and February 2017: 2017-01-11 12:00–15:00 UTC is missing in the source (4 h). */
const SLICE = ROWS.filter((r) => r.startsWith('2017-01') || r.startsWith('2017-02'));
const utc = (datetime: string) => Date.parse(`${datetime.replace(' ', 'T')}Z`);
const rows = SLICE.map((r) => {
  const [datetime = '', t = ''] = r.split(',');
  return { tsMs: utc(datetime), temperatureC: Number(t) };
});

/** Degree days by local day, as the README of the API says: the day's mean with ≥ 90 % of its 24 hours. */
function independentDays(heatingBaseC: number, coolingBaseC: number) {
  const byDay = new Map<string, number[]>();
  for (const r of rows) {
    const day = new Date(r.tsMs + TZ_OFFSET_MS).toISOString().slice(0, 10);
    byDay.set(day, [...(byDay.get(day) ?? []), r.temperatureC]);
  }
  const out = new Map<string, { hours: number; hdd: number | null; cdd: number | null }>();
  for (const [day, temps] of byDay) {
    const mean = temps.reduce((a, b) => a + b, 0) / temps.length;
    const enough = temps.length >= 21.6;
    out.set(day, {
      hours: temps.length,
      hdd: enough ? Math.max(0, heatingBaseC - mean) : null,
      cdd: enough ? Math.max(0, mean - coolingBaseC) : null,
    });
  }
  return out;
}

interface Bucket {
  from: string;
  meanC: number | null;
  hoursObserved: number;
  hoursMissing: number;
  hddC: number | null;
  cddC: number | null;
  daysWithDegreeDays: number | null;
}
interface Summary {
  buckets: Bucket[];
  gaps: { from: string; to: string; hours: number }[];
  hoursMissing: number;
}
interface PutAnswer {
  inserted: number;
  replaced: number;
  unchanged: number;
  duplicates: number;
  gaps: { from: string; to: string; hours: number }[];
}

describe('weather through the API and MQTT, with a gap and a duplicate', () => {
  let t: TestPlatform;
  let viewer: Issued;
  const put = async (station: string, body: string, contentType: string, token = TEST_ADMIN_TOKEN) => {
    const res = await fetch(`${t.platform.apiUrl}/api/v1/weather/${station}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      body,
    });
    return {
      status: res.status,
      body: (await res.json()) as PutAnswer & { code: string; details: { path: string }[] },
    };
  };
  const get = (query: string, station = 'bedford') =>
    t.api<Summary & { code?: string }>('GET', `/api/v1/weather/${station}?${query}`);

  beforeAll(async () => {
    t = await startTestPlatform();
    const city = smallCity();
    const registry = {
      ...city,
      institutions: city.institutions.map((i) => (i.id === 'i-001' ? { ...i, weatherStationId: 'bedford' } : i)),
      weatherStations: [{ id: 'bedford', name: 'Bedford (Met Office 461)', gatewayIds: ['gw-001'] }],
    };
    const res = await t.api('PUT', '/api/v1/registry', registry);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    viewer = await issue(t, { name: 'gulou viewer', role: 'viewer', scopes: ['district:gulou'] });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses an unknown station in the registry, naming the field', async () => {
    const res = await t.api<{ details: { path: string }[] }>('PUT', '/api/v1/registry', {
      buildings: [{ id: 'b-009', institutionId: 'i-001', name: 'x', floorAreaM2: 1, weatherStationId: 'luton' }],
    });
    expect(res.status).toBe(400);
    expect(res.body.details.map((d) => d.path)).toEqual(['buildings[0].weatherStationId']);
    const docs = await t.api<{ paths: Record<string, { put?: { requestBody?: { content: object } } }> }>(
      'GET',
      '/docs/json',
    );
    expect(Object.keys(docs.body.paths['/api/v1/weather/{stationId}']?.put?.requestBody?.content ?? {})).toEqual([
      'application/json',
      'text/csv',
    ]);
    const served = await t.api<{ weatherStations: unknown[] }>('GET', '/api/v1/registry');
    expect(served.body.weatherStations).toEqual([
      { id: 'bedford', name: 'Bedford (Met Office 461)', gatewayIds: ['gw-001'] },
    ]);
  });

  it('stores a CSV slice with a duplicate row, reports its gap, and counts a re-upload as unchanged', async () => {
    const withDuplicate = [HEADER, ...SLICE.slice(0, 10), SLICE[9], ...SLICE.slice(10)].join('\n');
    const first = await put('bedford', withDuplicate, 'text/csv; charset=utf-8');
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ inserted: SLICE.length, replaced: 0, unchanged: 0, duplicates: 1 });
    expect(first.body.gaps).toEqual([{ from: '2017-01-11T12:00:00.000Z', to: '2017-01-11T16:00:00.000Z', hours: 4 }]);
    const again = await put('bedford', withDuplicate, 'text/csv');
    expect(again.body).toMatchObject({ inserted: 0, replaced: 0, unchanged: SLICE.length, duplicates: 1 });
  });

  it('takes JSON: a corrected value is replaced, a new hour inserted', async () => {
    const body = JSON.stringify({
      observations: [
        { ts: '2017-01-01T00:00:00Z', temperatureC: 7.0 },
        { ts: '2017-01-01T09:00:00+08:00', temperatureC: 9.9 },
        { ts: '2017-03-01T00:00:00Z', temperatureC: 4.2 },
      ],
    });
    const res = await put('bedford', body, 'application/json');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ inserted: 1, replaced: 1, unchanged: 1, duplicates: 0 });
    expect(res.body.gaps).toHaveLength(1);
    // Put the source value back, for the degree-day checks below.
    const back = JSON.stringify({
      observations: [{ ts: '2017-01-01T01:00:00Z', temperatureC: rows[1]?.temperatureC }],
    });
    expect((await put('bedford', back, 'application/json')).body).toMatchObject({ replaced: 1 });
  });

  it('refuses a bad upload whole, naming the row and field; 404 for an unknown station; 403 for a reader', async () => {
    const csv = await put('bedford', `${HEADER}\n2017-04-01 00:00:00,5\n2017-04-01 01:00:00,hot\n`, 'text/csv');
    expect(csv.status).toBe(400);
    expect(csv.body.code).toBe('JN_REQUEST_INVALID');
    expect(csv.body.details.map((d) => d.path)).toEqual(['line 3.temperature_c']);
    const json = await put(
      'bedford',
      JSON.stringify({ observations: [{ ts: 'soon', temperatureC: 1 }] }),
      'application/json',
    );
    expect(json.status).toBe(400);
    expect(json.body.details.map((d) => d.path)).toEqual(['body.observations.0.ts']);
    expect((await get('from=2017-04-01&to=2017-04-02')).body.hoursMissing).toBe(24);
    expect((await put('luton', `${HEADER}\n${SLICE[0]}\n`, 'text/csv')).status).toBe(404);
    expect((await get('from=2017-01-01&to=2017-01-02', 'luton')).status).toBe(404);
    const reader = await put('bedford', `${HEADER}\n${SLICE[0]}\n`, 'text/csv', viewer.token);
    expect(reader.status).toBe(403);
    expect(reader.body.code).toBe('JN_FORBIDDEN');
  });

  it('answers hours, days and months with degree days as computed independently on the CSV', async () => {
    const days = independentDays(15.5, 10);
    const byDay = await t.api<Summary>(
      'GET',
      '/api/v1/weather/bedford?from=2017-01-01&to=2017-03-01&interval=day&heatingBaseC=15.5&coolingBaseC=10',
      undefined,
      viewer.token,
    );
    expect(byDay.status, JSON.stringify(byDay.body)).toBe(200);
    expect(byDay.body.buckets).toHaveLength(59);
    for (const b of byDay.body.buckets) {
      const want = days.get(b.from.slice(0, 10));
      expect(b.hoursObserved, b.from).toBe(want?.hours ?? 0);
      if (want?.hdd === null || want === undefined) expect(b.hddC, b.from).toBeNull();
      else {
        expect(b.hddC, b.from).toBeCloseTo(want.hdd, 5);
        expect(b.cddC, b.from).toBeCloseTo(want.cdd ?? Number.NaN, 5);
      }
    }
    // Local 1 January starts at 16:00 UTC the day before: 8 hours missing, too few for degree days.
    expect(byDay.body.buckets[0]).toMatchObject({ hoursObserved: 16, hoursMissing: 8, hddC: null });
    const byMonth = await get('from=2017-01-01&to=2017-03-01&interval=month&heatingBaseC=15.5&coolingBaseC=10');
    const [jan] = byMonth.body.buckets;
    const janDays = [...days].filter(([d, v]) => d.startsWith('2017-01') && v.hdd !== null);
    expect(jan?.daysWithDegreeDays).toBe(janDays.length);
    expect(jan?.hddC).toBeCloseTo(
      janDays.reduce((n, [, v]) => n + (v.hdd ?? 0), 0),
      3,
    );
    expect(byMonth.body.gaps[0]).toEqual({
      from: '2017-01-01T00:00:00+08:00',
      to: '2017-01-01T08:00:00+08:00',
      hours: 8,
    });
    const byHour = await get('from=2017-01-11T18:00&to=2017-01-12&interval=hour');
    expect(byHour.body.buckets.map((b) => b.hoursMissing)).toEqual([0, 0, 1, 1, 1, 1]);
    expect(byHour.body.buckets[2]).toMatchObject({ meanC: null, hddC: null });
    const t0 = rows.find((r) => r.tsMs === Date.parse('2017-01-11T10:00:00Z'))?.temperatureC ?? Number.NaN;
    expect(byHour.body.buckets[0]?.hddC).toBeCloseTo(Math.max(0, 18 - t0) / 24, 5);
    expect(byHour.body.gaps).toEqual([
      { from: '2017-01-11T20:00:00+08:00', to: '2017-01-12T00:00:00+08:00', hours: 4 },
    ]);
  });

  it('takes observations over MQTT with a gap and a duplicate, dead-letters a gateway not allowed and a bad value, and keeps meter ingest going', async () => {
    const T = Date.parse('2018-06-01T00:00:00Z');
    const obs = (h: number, temperatureC: number) => ({ ts: new Date(T + h * H).toISOString(), temperatureC });
    const gw1 = await t.connectGateway('gw-001', 'secret-gw-001');
    const gw2 = await t.connectGateway('gw-002', 'secret-gw-002');
    await gw1.publishAsync(
      weatherTopic('gw-001'),
      JSON.stringify({
        stationId: 'bedford',
        observations: [obs(0, 14.1), obs(1, 13.8), obs(2, 400), obs(3, 13.0), obs(1, 13.8)],
      }),
      { qos: 1 },
    );
    await gw1.publishAsync(weatherTopic('gw-001'), '{"stationId": "bedford", "observations": [', { qos: 1 });
    await gw2.publishAsync(
      weatherTopic('gw-002'),
      JSON.stringify({ stationId: 'bedford', observations: [obs(2, 13.3)] }),
      {
        qos: 1,
      },
    );
    const readingTs = Math.floor(Date.now() / H) * H - H;
    await gw1.publishAsync(
      readingsTopic('gw-001'),
      JSON.stringify({ meter: 'm-light', ts: readingTs, value: 1234.5 }),
      {
        qos: 1,
      },
    );
    const hours = () => get('from=2018-06-01T08:00&to=2018-06-01T12:00&interval=hour');
    await expect.poll(async () => (await hours()).body.buckets.map((b) => b.hoursObserved)).toEqual([1, 1, 0, 1]);
    expect((await hours()).body.gaps).toEqual([
      { from: '2018-06-01T10:00:00+08:00', to: '2018-06-01T11:00:00+08:00', hours: 1 },
    ]);
    const letters = async (code: string) =>
      (
        await t.api<{ deadLetters: { gatewayId: string; topic: string; reason: string }[] }>(
          'GET',
          `/api/v1/dead-letters?from=2020-01-01&to=2100-01-01&code=${code}`,
        )
      ).body.deadLetters;
    await expect.poll(async () => (await letters('foreign_station')).length).toBe(1);
    expect((await letters('foreign_station'))[0]).toMatchObject({ gatewayId: 'gw-002', topic: weatherTopic('gw-002') });
    await expect.poll(async () => (await letters('invalid_payload')).length).toBe(1);
    // The impossible 400 °C beside good observations: refused alone, its hour left a gap.
    expect((await letters('invalid_weather')).map((l) => l.reason)).toEqual([
      expect.stringMatching(/^observations\[2\]\.temperatureC: /),
    ]);
    const day = new Date(readingTs + TZ_OFFSET_MS).toISOString().slice(0, 10);
    const next = new Date(readingTs + TZ_OFFSET_MS + 24 * H).toISOString().slice(0, 10);
    await expect
      .poll(
        async () =>
          (
            await t.api<{ readings: { value: number }[] }>(
              'GET',
              `/api/v1/meters/m-light/readings?from=${day}&to=${next}`,
            )
          ).body.readings,
      )
      .toEqual([expect.objectContaining({ value: 1234.5 })]);
    expect(gw1.connected && gw2.connected).toBe(true);
  });
});
