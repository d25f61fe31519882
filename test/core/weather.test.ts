import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { accessOf, registryInScope } from '../../core/domain/access.js';
import { EMPTY_REGISTRY, mergeRegistry, type Registry } from '../../core/domain/registry.js';
import { effectiveWeatherStationId, weatherGaps } from '../../core/domain/weather.js';
import {
  parseWeatherCsv,
  uploadObservations,
  validateWeatherMessage,
  WeatherUploadSchema,
} from '../../core/domain/weather-input.js';
import { weatherBuckets } from '../../core/domain/weather-summary.js';

const H = 3_600_000;
const BEDFORD_2017 = new URL('../../../shared/data/cambridge-weather/bedford_2017.csv', import.meta.url);
const csv2017 = readFileSync(BEDFORD_2017, 'utf8');

describe('weather CSV (MIDAS extract, datetime,temperature_c in UTC)', () => {
  it('reads the whole shared 2017 file and finds its documented gaps', () => {
    const parsed = parseWeatherCsv(csv2017);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const { observations, duplicates } = uploadObservations(WeatherUploadSchema.parse(parsed.upload));
    expect(observations).toHaveLength(8418);
    expect(duplicates).toBe(0);
    expect(observations[0]).toEqual({ tsMs: Date.parse('2017-01-01T00:00:00Z'), temperatureC: 7 });
    const gaps = weatherGaps(observations, Date.parse('2017-01-01T00:00:00Z'), Date.parse('2018-01-01T00:00:00Z'));
    expect(gaps.reduce((n, g) => n + g.hours, 0)).toBe(342);
    // The README's gaps are inclusive; ours end at the next observed hour.
    expect(gaps).toContainEqual({
      fromMs: Date.parse('2017-09-07T19:00:00Z'),
      toMs: Date.parse('2017-09-21T16:00:00Z'),
      hours: 333,
    });
    expect(gaps).toContainEqual({
      fromMs: Date.parse('2017-08-16T09:00:00Z'),
      toMs: Date.parse('2017-08-16T10:00:00Z'),
      hours: 1,
    });
  });

  it('names the line and column of every bad row, and refuses conflicting repeats', () => {
    const text = [
      'datetime,temperature_c',
      '2018-01-01 00:00:00,5.0',
      '2018-01-01 01:00:00,warm',
      '2018-13-01 02:00:00,5.0',
      '2018-01-01 03:30:00,5.0',
      '2018-01-01 04:00:00,61',
      '2018-01-01 00:00:00,5.0',
      '2018-01-01 00:00:00,6.0',
    ].join('\r\n');
    const parsed = parseWeatherCsv(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.map((p) => p.path)).toEqual([
      'line 3.temperature_c',
      'line 4.datetime',
      'line 5.datetime',
      'line 6.temperature_c',
      'line 8.temperature_c',
    ]);
    expect(parsed.problems[4]?.message).toMatch(/already given on line 2/);
    expect(parseWeatherCsv('time,temp\n2018-01-01 00:00:00,1')).toEqual({
      ok: false,
      problems: [{ path: 'line 1', message: 'expected the header datetime,temperature_c' }],
    });
  });

  it('counts a repeated row with the same value as a duplicate, not as a problem', () => {
    const parsed = parseWeatherCsv('\uFEFFtemperature_c,datetime\n1.5,2018-01-01 00:00:00\n1.5,2018-01-01 00:00:00\n');
    if (!parsed.ok) throw new Error('refused');
    expect(uploadObservations(parsed.upload)).toEqual({
      observations: [{ tsMs: Date.parse('2018-01-01T00:00:00Z'), temperatureC: 1.5 }],
      duplicates: 1,
    });
  });
});

describe('weather JSON upload', () => {
  it('names the field of a bad observation', () => {
    const result = WeatherUploadSchema.safeParse({
      observations: [
        { ts: '2018-01-01T08:00:00+08:00', temperatureC: 1 },
        { ts: '2018-01-01T01:15:00Z', temperatureC: 1 },
        { ts: '2018-01-01T02:00:00Z', temperatureC: -95 },
        { ts: '2018-01-01T00:00:00Z', temperatureC: 2 },
      ],
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual([
      'observations.2.temperatureC',
      'observations.1.ts',
      'observations.3.temperatureC',
    ]);
  });
});

describe('weather over MQTT', () => {
  const stations = [{ id: 'bedford', name: 'Bedford', gatewayIds: ['gw-001'] }];
  const latest = Date.parse('2019-01-01T00:00:00Z');
  const message = (body: unknown) => JSON.stringify(body);

  it('refuses garbage, an unknown station and a gateway the station does not allow, whole', () => {
    expect(validateWeatherMessage('{nope', 'gw-001', stations, latest).rejections[0]?.code).toBe('invalid_payload');
    const noObs = message({ stationId: 'bedford', observations: [] });
    expect(validateWeatherMessage(noObs, 'gw-001', stations, latest).rejections[0]?.code).toBe('invalid_payload');
    const obs = [{ ts: '2018-01-01T00:00:00Z', temperatureC: 1 }];
    const unknown = validateWeatherMessage(
      message({ stationId: 'luton', observations: obs }),
      'gw-001',
      stations,
      latest,
    );
    expect(unknown).toMatchObject({ observations: [], rejections: [{ code: 'unknown_station' }] });
    const foreign = validateWeatherMessage(
      message({ stationId: 'bedford', observations: obs }),
      'gw-002',
      stations,
      latest,
    );
    expect(foreign).toMatchObject({ observations: [], rejections: [{ code: 'foreign_station' }] });
  });

  it('refuses the worst a device sends: a 1970 clock, 1e308 °C, a payload nested 5,000 deep, one of 10 MB', () => {
    const out = validateWeatherMessage(
      message({
        stationId: 'bedford',
        observations: [
          { ts: '1970-01-01T00:00:00Z', temperatureC: 5 },
          { ts: '2018-01-01T00:00:00Z', temperatureC: 1e308 },
          { ts: '2018-01-01T01:00:00Z', temperatureC: -1e308 },
          { ts: '2018-01-01T02:00:00Z', temperatureC: 3 },
        ],
      }),
      'gw-001',
      stations,
      latest,
    );
    expect(out.observations).toEqual([{ tsMs: Date.parse('2018-01-01T02:00:00Z'), temperatureC: 3 }]);
    expect(out.rejections.map((r) => r.code)).toEqual(['invalid_weather', 'invalid_weather', 'invalid_weather']);
    expect(out.rejections[0]?.reason).toContain('before 2000');
    const deep = `{"stationId":"bedford","observations":[${'['.repeat(5000)}${']'.repeat(5000)}]}`;
    const nested = validateWeatherMessage(deep, 'gw-001', stations, latest);
    expect(nested.observations).toEqual([]);
    expect(nested.rejections.length).toBeGreaterThan(0);
    const huge = message({
      stationId: 'bedford',
      observations: [{ ts: '2018-01-01T00:00:00Z', temperatureC: 1, pad: 'x'.repeat(10_000_000) }],
    });
    const big = validateWeatherMessage(huge, 'gw-001', stations, latest);
    expect(big.rejections.every((r) => r.raw.length <= 2000)).toBe(true);
  });

  it('keeps the good observations beside bad ones', () => {
    const out = validateWeatherMessage(
      message({
        stationId: 'bedford',
        observations: [
          { ts: '2018-01-01T00:00:00Z', temperatureC: 1 },
          { ts: '2018-01-01T01:00:00Z', temperatureC: 400 },
          { ts: '2018-01-01T02:00:00Z', temperatureC: 2 },
          'garbage',
          { ts: '2019-01-01T05:00:00Z', temperatureC: 2 },
        ],
      }),
      'gw-001',
      stations,
      latest,
    );
    expect(out.stationId).toBe('bedford');
    expect(out.observations.map((o) => o.temperatureC)).toEqual([1, 2]);
    expect(out.rejections.map((r) => r.code)).toEqual(['invalid_weather', 'invalid_weather', 'invalid_weather']);
    expect(out.rejections[2]?.reason).toMatch(/observations\[4\]\.ts: in the future/);
  });
});

describe('weather stations in the registry', () => {
  const base: Registry = {
    ...EMPTY_REGISTRY,
    districts: [{ id: 'd1', name: 'D' }],
    institutions: [{ id: 'i1', name: 'I', districtId: 'd1', type: 'office', floorAreaM2: 1, occupants: 1 }],
    buildings: [
      { id: 'b1', institutionId: 'i1', name: 'B1', floorAreaM2: 1 },
      { id: 'b2', institutionId: 'i1', name: 'B2', floorAreaM2: 1, weatherStationId: 'own' },
    ],
    gateways: [{ id: 'g1', secretHash: 'h' }],
  };

  it('refuses unknown stations, unknown gateways of a station and a repeated station id, naming the field', () => {
    const { problems } = mergeRegistry(base, {
      ...EMPTY_REGISTRY,
      institutions: [{ ...(base.institutions[0] as Registry['institutions'][number]), weatherStationId: 'nope' }],
      weatherStations: [
        { id: 'ws', name: 'W', gatewayIds: ['g1'] },
        { id: 'ws', name: 'W again', gatewayIds: ['g1', 'g9'] },
      ],
    });
    expect(problems.map((p) => p.path).sort()).toEqual([
      'buildings(b2).weatherStationId',
      'institutions[0].weatherStationId',
      'weatherStations[1].gatewayIds[1]',
      'weatherStations[1].id',
    ]);
  });

  it('shows a scoped reader every station, with only the gateways in its scope', () => {
    const registry: Registry = {
      ...base,
      districts: [...base.districts, { id: 'd2', name: 'D2' }],
      gateways: [...base.gateways, { id: 'g2', secretHash: 'h' }],
      meters: [
        {
          id: 'm1',
          buildingId: 'b1',
          gatewayId: 'g1',
          energy: 'electricity',
          unit: 'kWh',
          multiplier: 1,
          intervalS: 900,
        },
      ],
      weatherStations: [
        { id: 'ws', name: 'W', gatewayIds: ['g1', 'g2'] },
        { id: 'api-only', name: 'A' },
      ],
    };
    const seen = registryInScope(registry, accessOf({ role: 'viewer', scopes: ['district:d1'] }, registry));
    expect(seen.weatherStations).toEqual([
      { id: 'ws', name: 'W', gatewayIds: ['g1'] },
      { id: 'api-only', name: 'A' },
    ]);
  });

  it("gives a building its own station, else its institution's", () => {
    const registry = {
      institutions: [{ id: 'i1', weatherStationId: 'inst' }, { id: 'i2' }],
      buildings: [
        { id: 'b1', institutionId: 'i1' },
        { id: 'b2', institutionId: 'i1', weatherStationId: 'own' },
        { id: 'b3', institutionId: 'i2' },
      ],
    };
    expect(effectiveWeatherStationId(registry, 'b1')).toBe('inst');
    expect(effectiveWeatherStationId(registry, 'b2')).toBe('own');
    expect(effectiveWeatherStationId(registry, 'b3')).toBeUndefined();
    expect(effectiveWeatherStationId(registry, 'nope')).toBeUndefined();
  });
});

describe('weather summary', () => {
  const day = Date.parse('2018-01-01T00:00:00Z');
  const bases = { heatingBaseC: 18, coolingBaseC: 18 };

  it('gives degree days of a day from its mean only with 90 % of its hours, and of an hour per 24', () => {
    const full = Array.from({ length: 24 }, (_, i) => ({ tsMs: day + i * H, temperatureC: i < 12 ? 8 : 12 }));
    const [d] = weatherBuckets(full, day, day + 24 * H, 'day', 'UTC', bases);
    expect(d).toMatchObject({ meanC: 10, minC: 8, maxC: 12, hoursObserved: 24, hoursMissing: 0, hddC: 8, cddC: 0 });
    const sparse = full.filter((_, i) => i % 8 !== 0);
    expect(weatherBuckets(sparse, day, day + 24 * H, 'day', 'UTC', bases)[0]).toMatchObject({
      hoursObserved: 21,
      hoursMissing: 3,
      hddC: null,
      daysWithDegreeDays: 0,
    });
    const [h0, h1] = weatherBuckets(sparse, day, day + 2 * H, 'hour', 'UTC', bases);
    expect(h0).toMatchObject({ meanC: null, hddC: null, hoursMissing: 1 });
    expect(h1).toMatchObject({ meanC: 8, daysWithDegreeDays: null });
    expect(h1?.hddC).toBeCloseTo(10 / 24, 6);
  });
});
