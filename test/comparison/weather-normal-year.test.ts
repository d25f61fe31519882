/**
 * A normal year's weather, and districts and the city normalised per institution (issue 18,
 * item 4), on a real platform (DuckDB, broker, Fastify): `GET /api/v1/consumption?…&normalize=normal`
 * and `normalize=weather` on `district:`/`city`.
 *
 * - b104's gas of 2018 in a normal year of Bedford (2017 and 2018): the pure model on the CSV.
 * - A synthetic building that follows its degree days, a cold year and a mild one: in a normal
 *   year (their mean) it uses the mean of the two years' use.
 * - A district of four institutions with gas: one normalised, one without a station, one whose
 *   station holds nothing, one without data in the period — counted and listed; the sums are the
 *   normalised institution's own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMeters } from '../../bench/savings/data.js';
import type { Comparison } from '../../core/domain/comparison.js';
import type { HourlyConsumption } from '../../core/domain/consumption.js';
import type { RegistryInput } from '../../core/domain/registry.js';
import { HOUR_MS, localToEpochMs } from '../../core/domain/time.js';
import type { NormalYearAnswer, ReferenceFigure, ScopeNormalizedSum } from '../../core/domain/weather-normalized.js';
import { normalYear } from '../../core/mv/normal-year.js';
import { normalReference, underReference } from '../../core/mv/normalize-reference.js';
import { hourlyTemperatures, projectSteps } from '../../core/mv/project-steps.js';
import type { HourRecord } from '../../core/mv/series.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { relDiff } from '../savings/fixture.js';
import { hddBuilding } from './hdd-building.js';

const TZ = 'Europe/London';

const meter = (id: string, buildingId: string) => ({
  id,
  buildingId,
  gatewayId: 'gw-1',
  energy: 'gas' as const,
  unit: 'm3',
  multiplier: 1,
  intervalS: 3600,
});
const institution = (id: string, weatherStationId?: string) => ({
  id,
  name: id,
  districtId: 'cam',
  type: 'office' as const,
  floorAreaM2: 1000,
  occupants: 10,
  ...(weatherStationId === undefined ? {} : { weatherStationId }),
});
const REGISTRY: RegistryInput = {
  districts: [{ id: 'cam', name: 'Cambridge' }],
  institutions: [
    institution('estate', 'bedford'),
    institution('lab'),
    institution('dark'),
    institution('fresh', 'empty'),
  ],
  buildings: [
    { id: 'b104', institutionId: 'estate', name: 'b104', floorAreaM2: 3214 },
    { id: 'syn', institutionId: 'lab', name: 'syn', floorAreaM2: 1000, weatherStationId: 'synth' },
    { id: 'nowhere', institutionId: 'dark', name: 'nowhere', floorAreaM2: 1000 },
    { id: 'fb', institutionId: 'fresh', name: 'fb', floorAreaM2: 1000 },
  ],
  gateways: [{ id: 'gw-1', secret: 'secret-gw-1' }],
  weatherStations: [
    { id: 'bedford', name: 'Bedford' },
    { id: 'synth', name: 'Synthetic' },
    { id: 'empty', name: 'No data yet' },
  ],
  meters: [meter('b104-gas', 'b104'), meter('syn-gas', 'syn'), meter('dark-gas', 'nowhere'), meter('fresh-gas', 'fb')],
};

interface Answer {
  total: number;
  comparison?: Comparison;
  normalYear?: NormalYearAnswer;
}
interface Problem {
  code: string;
  details: { path: string }[];
}

let t: TestPlatform;
let b104: HourRecord[];

beforeAll(async () => {
  t = await startTestPlatform({ TIMEZONE: TZ });
  const put = await t.api('PUT', '/api/v1/registry', REGISTRY);
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  const gas = (await loadMeters()).find((m) => m.building === 'b104' && m.energy === 'gas');
  if (gas === undefined) throw new Error('no b104 gas');
  b104 = [...(gas.years.get(2017) ?? []), ...(gas.years.get(2018) ?? [])];
  const rows: HourlyConsumption[] = b104
    .filter((h) => Number.isFinite(h.kwh))
    .map((h) => ({
      meterId: 'b104-gas',
      hourStartMs: h.hourMs,
      amountMicro: Math.round(h.kwh * 1e6),
      estimatedMicro: 0,
      quality: 'good',
      readingsCount: 1,
    }));
  const syn = hddBuilding('syn-gas', TZ, [
    [2021, 5],
    [2022, 11],
  ]);
  const copy = (meterId: string) => syn.rows.map((r) => ({ ...r, meterId }));
  const span = (meterId: string, list: readonly HourlyConsumption[]) => ({
    meterId,
    fromMs: list[0]?.hourStartMs ?? 0,
    toMs: (list.at(-1)?.hourStartMs ?? 0) + HOUR_MS,
  });
  await t.platform.store.replaceHourly(
    [span('b104-gas', rows), span('syn-gas', syn.rows), span('dark-gas', syn.rows), span('fresh-gas', syn.rows)],
    [...rows, ...syn.rows, ...copy('dark-gas'), ...copy('fresh-gas')],
  );
  await t.platform.store.weather.putObservations(
    'bedford',
    b104.filter((h) => Number.isFinite(h.temperatureC)).map((h) => ({ tsMs: h.hourMs, temperatureC: h.temperatureC })),
  );
  await t.platform.store.weather.putObservations('synth', syn.weather);
}, 180_000);

afterAll(async () => {
  await t?.close();
});

const get = async (query: string) => {
  const res = await t.api<Answer>('GET', `/api/v1/consumption?${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
const figure = (n: NormalYearAnswer | undefined): Extract<ReferenceFigure, { status: 'normalized' }> => {
  if (n?.status !== 'normalized') throw new Error(`not normalised: ${JSON.stringify(n)}`);
  return n;
};
const summed = (n: NormalYearAnswer | ScopeNormalizedSum | undefined): ScopeNormalizedSum => {
  if (n?.status !== 'summed') throw new Error(`not summed: ${JSON.stringify(n)}`);
  return n;
};
const YEAR_2022 = 'energy=gas&from=2022-01-01&to=2023-01-01&interval=month';

describe('GET /api/v1/consumption?normalize=normal (issue 18, item 4)', () => {
  it("gives b104's gas of 2018 in Bedford's normal year as the pure model on the CSV does", async () => {
    const a = await get('scope=building:b104&energy=gas&from=2018-01-01&to=2019-01-01&interval=month&normalize=normal');
    const n = figure(a.normalYear);
    const observations = b104
      .filter((h) => Number.isFinite(h.temperatureC))
      .map((h) => ({ tsMs: h.hourMs, temperatureC: h.temperatureC }));
    const normal = normalYear(observations, TZ);
    if (!normal.ok) throw new Error(normal.reason);
    const steps = projectSteps(
      'daily',
      localToEpochMs(TZ, 2018, 1),
      localToEpochMs(TZ, 2019, 1),
      TZ,
      new Map(b104.map((h) => [h.hourMs, h.kwh])),
      hourlyTemperatures(observations),
    );
    const want = underReference('gas', steps, normalReference(normal.normal));
    if (want.status !== 'normalized') throw new Error(want.reason);
    expect(relDiff(n.total, want.totalExact)).toBeLessThan(1e-9);
    expect(relDiff(n.current, want.currentExact)).toBeLessThan(1e-9);
    expect(n).toMatchObject({ reference: 'normal', referenceYears: [2017, 2018], weatherStationId: 'bedford' });
    expect(n.days).toEqual(want.days);
    expect(n.adjustment).toBeCloseTo(n.total - n.current, 5);
    // No compare asked: no comparison; the raw total stands beside.
    expect(a.comparison).toBeUndefined();
    expect(a.total).toBeGreaterThan(n.current - 1e-6);
  }, 120_000);

  it('puts a mild year of a building that follows its degree days at the mean of a cold and a mild year', async () => {
    const mild = await get(`scope=building:syn&${YEAR_2022}&normalize=normal`);
    const cold = await get(
      `scope=building:syn&energy=gas&from=2021-01-01&to=2022-01-01&interval=month&normalize=normal`,
    );
    const n = figure(mild.normalYear);
    expect(n.days).toMatchObject({ days: 365, used: 365, unpredictable: 0 });
    expect(relDiff(n.total, (mild.total + cold.total) / 2)).toBeLessThan(0.005);
    // The mild year used less than in a normal year; the cold one more; both land on the same normal figure.
    expect(n.change).toBeLessThan(-0.1);
    expect(figure(cold.normalYear).change).toBeGreaterThan(0.1);
    expect(relDiff(figure(cold.normalYear).total, n.total)).toBeLessThan(0.005);
  }, 120_000);

  it('withholds the figure with a reason when the station holds no normal year', async () => {
    const a = await get(`scope=building:fb&${YEAR_2022}&normalize=normal`);
    expect(a.normalYear).toMatchObject({
      status: 'refused',
      code: 'JN_NORMALIZE_NO_NORMAL_YEAR',
      weatherStationId: 'empty',
      referenceYears: [],
    });
    expect(a.total).toBeGreaterThan(0);
  }, 60_000);

  it('answers 400 naming normalize when it cannot apply', async () => {
    const cases = [
      'scope=building:syn&from=2022-01-01&to=2023-01-01&unit=kgce&normalize=normal',
      `scope=building:syn&${YEAR_2022}&per=m2&normalize=normal`,
      'scope=building:syn&energy=gas&from=2022-01-01T06:00&to=2022-02-01&normalize=normal',
      // Without a weather station: the building, its institution and its meter.
      `scope=building:nowhere&${YEAR_2022}&normalize=normal`,
      `scope=institution:dark&${YEAR_2022}&normalize=normal`,
      `scope=meter:dark-gas&${YEAR_2022}&normalize=normal`,
    ];
    for (const query of cases) {
      const res = await t.api<Problem>('GET', `/api/v1/consumption?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.code, query).toBe('JN_REQUEST_INVALID');
      expect(
        res.body.details.map((d) => d.path),
        query,
      ).toEqual(['normalize']);
    }
    const unknown = await t.api<Problem>('GET', `/api/v1/consumption?scope=building:syn&${YEAR_2022}&normalize=tmy`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.details.map((d) => d.path)).toContain('normalize');
  }, 60_000);
});

describe('districts and the city, per institution (issue 18, item 4)', () => {
  it("sums the institutions normalised, lists the others, and equals the one institution's own figure", async () => {
    const district = await get(`scope=district:cam&${YEAR_2022}&compare=last_year&normalize=weather`);
    const sum = summed(district.comparison?.normalizedSum);
    expect(district.comparison?.normalized).toBeUndefined();
    expect(sum.reference).toBe('compared');
    expect(sum.institutions.count).toBe(4);
    expect(sum.institutions.normalized).toBe(1);
    const codes = Object.fromEntries(sum.institutions.notNormalized.map((n) => [n.institutionId, n.code]));
    expect(codes).toEqual({
      estate: 'JN_NORMALIZE_TOO_FEW_DAYS',
      dark: 'JN_NORMALIZE_NO_STATION',
      fresh: 'JN_NORMALIZE_TOO_FEW_DAYS',
    });
    expect(sum.institutions.notNormalized.find((n) => n.institutionId === 'dark')?.weatherStationId).toBeNull();
    const lab = await get(`scope=institution:lab&${YEAR_2022}&compare=last_year&normalize=weather`);
    const own = lab.comparison?.normalized;
    if (own?.status !== 'normalized') throw new Error(JSON.stringify(own));
    // The staged search finds the full one's model here; daily sums equal hourly sums.
    expect(relDiff(sum.total, own.total)).toBeLessThan(1e-9);
    expect(relDiff(sum.current, own.current)).toBeLessThan(1e-9);
    expect(Math.abs(sum.change ?? 1)).toBeLessThan(0.005);
    // The raw comparison covers every institution: dark and fresh use as much again as lab.
    expect(district.comparison?.change).toBeLessThan(-0.2);
    expect(district.total).toBeGreaterThan(2.9 * sum.current);
  }, 120_000);

  it("puts the city's institutions each in its station's normal year", async () => {
    const city = await get(`scope=city&${YEAR_2022}&normalize=normal`);
    const sum = summed(city.normalYear);
    expect(sum.reference).toBe('normal');
    const codes = Object.fromEntries(sum.institutions.notNormalized.map((n) => [n.institutionId, n.code]));
    expect(codes).toEqual({
      estate: 'JN_NORMALIZE_TOO_FEW_DAYS',
      dark: 'JN_NORMALIZE_NO_STATION',
      fresh: 'JN_NORMALIZE_NO_NORMAL_YEAR',
    });
    const lab = figure((await get(`scope=institution:lab&${YEAR_2022}&normalize=normal`)).normalYear);
    expect(relDiff(sum.total, lab.total)).toBeLessThan(1e-9);
    expect(sum.change).toBe(lab.change);
  }, 120_000);

  it('still needs compare for normalize=weather, and one energy in its native unit', async () => {
    for (const query of [
      `scope=city&${YEAR_2022}&normalize=weather`,
      'scope=district:cam&from=2022-01-01&to=2023-01-01&unit=kgce&normalize=normal',
    ]) {
      const res = await t.api<Problem>('GET', `/api/v1/consumption?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.details.map((d) => d.path)).toEqual(['normalize']);
    }
  }, 60_000);
});
