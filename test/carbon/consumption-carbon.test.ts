import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CARBON_TABLES, gridFactor } from '../../core/domain/carbon.js';
import type { GridRegion } from '../../core/domain/carbon-factors.js';
import { GBT_2589_2020 } from '../../core/domain/energy.js';
import { localToEpochMs } from '../../core/domain/time.js';
import { readingsTopic } from '../../core/domain/topics.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { hourlyMeter } from '../helpers/registry.js';

const TZ = 'Asia/Shanghai';
const DAY_MS = 86_400_000;
/** Readings at local midnight from 2022-12-01 to 2023-02-01: December in 2022's factors, January in 2023's. */
const T0 = localToEpochMs(TZ, 2022, 12, 1);
const DAYS = 62;

const inst = (id: string, gridRegion?: string) => ({
  id,
  name: id,
  districtId: 'd1',
  type: 'office',
  floorAreaM2: 1000,
  occupants: 10,
  ...(gridRegion === undefined ? {} : { gridRegion }),
});
const meter = (id: string, buildingId: string, energy: string, unit: string) =>
  hourlyMeter(id, { buildingId, energy, unit, intervalS: 86_400, installedAt: new Date(T0 - DAY_MS).toISOString() });

/** Three institutions: one in the East grid, one in the North grid, one without a region (the setting: southern). */
const REGISTRY = {
  districts: [{ id: 'd1', name: '一区' }],
  institutions: [inst('i-east', 'east'), inst('i-north', 'north'), inst('i-default')],
  buildings: [
    { id: 'b-east', institutionId: 'i-east', name: '东楼', floorAreaM2: 1000 },
    { id: 'b-north', institutionId: 'i-north', name: '北楼', floorAreaM2: 1000 },
    { id: 'b-default', institutionId: 'i-default', name: '南楼', floorAreaM2: 1000 },
  ],
  gateways: [{ id: 'g1', secret: 'carbon-secret-g1' }],
  meters: [
    meter('e-east', 'b-east', 'electricity', 'kWh'),
    meter('gas-east', 'b-east', 'gas', 'm3'),
    meter('e-north', 'b-north', 'electricity', 'kWh'),
    meter('w-north', 'b-north', 'water', 'm3'),
    meter('e-default', 'b-default', 'electricity', 'kWh'),
  ],
};

/** Native units per day of each meter. */
const PER_DAY = {
  'e-east': 100,
  'gas-east': 10,
  'e-north': 200,
  'w-north': 5,
  'e-default': 50,
} as const;
const DEC_DAYS = 31;
const JAN_DAYS = 31;

const grid = (year: number, region: GridRegion) => gridFactor(year, region).value;
const GAS_CO2 = DEFAULT_CARBON_TABLES.fuels.kgco2PerUnit.gas ?? Number.NaN;
const ev = (year: number) => DEFAULT_CARBON_TABLES.equalValue.electricityKgcePerKwh[year] ?? Number.NaN;

/** kgCO₂ of the city in a month of `days` days of `year`: each institution's electricity by its region, gas by its factor. */
function cityKgco2(year: number, days: number): number {
  return (
    days * PER_DAY['e-east'] * grid(year, 'east') +
    days * PER_DAY['gas-east'] * GAS_CO2 +
    days * PER_DAY['e-north'] * grid(year, 'north') +
    days * PER_DAY['e-default'] * grid(year, 'southern')
  );
}

interface Answer {
  unit: string;
  series: { start: string; value: number }[];
  total: number;
  factors?: {
    table: string;
    fuels?: string;
    coefficients?: string;
    years: number[];
    regions?: string[];
    notes?: string[];
  };
}

describe('carbon and equal-value coal in /consumption (issue 16, item 2)', () => {
  let t: TestPlatform;
  const get = async (query: string) => {
    const res = await t.api<Answer>('GET', `/api/v1/consumption?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  const months = 'from=2022-12-01&to=2023-02-01&interval=month';

  beforeAll(async () => {
    t = await startTestPlatform({ DEFAULT_GRID_REGION: 'southern' });
    const put = await t.api('PUT', '/api/v1/registry', REGISTRY);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const gw = await t.connectGateway('g1', 'carbon-secret-g1');
    const readings = Object.entries(PER_DAY).flatMap(([id, perDay]) =>
      Array.from({ length: DAYS + 1 }, (_, d) => ({ meter: id, ts: T0 + d * DAY_MS, value: 1000 + d * perDay })),
    );
    for (let i = 0; i < readings.length; i += 100)
      await gw.publishAsync(readingsTopic('g1'), JSON.stringify({ readings: readings.slice(i, i + 100) }), { qos: 1 });
    await t.platform.pipeline.drain();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('converts each month by its year’s factor and each institution’s region, water excluded', async () => {
    const city = await get(`scope=city&${months}&unit=kgco2`);
    expect(city.unit).toBe('kgco2');
    expect(city.series.map((p) => p.start.slice(0, 7))).toEqual(['2022-12', '2023-01']);
    expect(city.series[0]?.value).toBeCloseTo(cityKgco2(2022, DEC_DAYS), 6);
    expect(city.series[1]?.value).toBeCloseTo(cityKgco2(2023, JAN_DAYS), 6);
    expect(city.total).toBeCloseTo(cityKgco2(2022, DEC_DAYS) + cityKgco2(2023, JAN_DAYS), 6);
    // The district is the same three institutions, converted the same way.
    expect((await get(`scope=district:d1&${months}&unit=kgco2`)).total).toBeCloseTo(city.total, 6);
  });

  it('names the table, the years and the regions used', async () => {
    const city = await get(`scope=city&${months}&unit=kgco2`);
    expect(city.factors).toEqual({
      table: DEFAULT_CARBON_TABLES.grid.version,
      fuels: DEFAULT_CARBON_TABLES.fuels.version,
      years: [2022, 2023],
      regions: ['east', 'north', 'southern'],
    });
  });

  it('uses one institution’s region for its institution, building and meter scopes', async () => {
    const dec = DEC_DAYS * PER_DAY['e-north'];
    const north = await get(`scope=institution:i-north&${months}&unit=kgco2`);
    expect(north.series[0]?.value).toBeCloseTo(dec * grid(2022, 'north'), 6);
    expect(north.series[1]?.value).toBeCloseTo(JAN_DAYS * PER_DAY['e-north'] * grid(2023, 'north'), 6);
    expect(north.factors?.regions).toEqual(['north']);
    expect((await get(`scope=building:b-north&${months}&unit=kgco2`)).total).toBeCloseTo(north.total, 6);
    expect((await get(`scope=meter:e-north&${months}&unit=kgco2`)).total).toBeCloseTo(north.total, 6);
    const gas = await get(`scope=institution:i-east&${months}&unit=kgco2&energy=gas`);
    expect(gas.total).toBeCloseTo((DEC_DAYS + JAN_DAYS) * PER_DAY['gas-east'] * GAS_CO2, 6);
    const fallback = await get(`scope=institution:i-default&${months}&unit=kgco2&energy=electricity`);
    expect(fallback.factors?.regions).toEqual(['southern']);
    expect(fallback.series[0]?.value).toBeCloseTo(DEC_DAYS * PER_DAY['e-default'] * grid(2022, 'southern'), 6);
  });

  it('splits yearly buckets at the year boundary and divides intensities', async () => {
    const years = await get('scope=city&from=2022-12-01&to=2023-02-01&interval=year&unit=kgco2');
    expect(years.series.map((p) => p.value)).toEqual([
      expect.closeTo(cityKgco2(2022, DEC_DAYS), 6),
      expect.closeTo(cityKgco2(2023, JAN_DAYS), 6),
    ]);
    const perM2 = await get(`scope=institution:i-east&${months}&unit=kgco2&per=m2`);
    expect(perM2.unit).toBe('kgco2/m2');
    expect(perM2.series[0]?.value).toBeCloseTo(
      (DEC_DAYS * PER_DAY['e-east'] * grid(2022, 'east') + DEC_DAYS * PER_DAY['gas-east'] * GAS_CO2) / 1000,
      6,
    );
  });

  it('gives electricity its year’s 等价值 in kgce_ev, gas its 当量值, and keeps kgce calorific', async () => {
    const east = await get(`scope=institution:i-east&${months}&unit=kgce_ev`);
    const gas = (days: number) => days * PER_DAY['gas-east'] * GBT_2589_2020.kgcePerUnit.gas;
    expect(east.unit).toBe('kgce_ev');
    expect(east.series[0]?.value).toBeCloseTo(DEC_DAYS * PER_DAY['e-east'] * ev(2022) + gas(DEC_DAYS), 6);
    expect(east.series[1]?.value).toBeCloseTo(JAN_DAYS * PER_DAY['e-east'] * ev(2023) + gas(JAN_DAYS), 6);
    expect(east.factors).toEqual({
      table: DEFAULT_CARBON_TABLES.equalValue.version,
      coefficients: GBT_2589_2020.version,
      years: [2022, 2023],
    });
    const kgce = await get(`scope=institution:i-east&${months}&unit=kgce`);
    expect(kgce.series[0]?.value).toBeCloseTo(DEC_DAYS * PER_DAY['e-east'] * 0.1229 + gas(DEC_DAYS), 6);
    expect(kgce.factors).toBeUndefined();
  });

  it('refuses kgco2 of water, and an unknown gridRegion naming the field', async () => {
    const water = await t.api<{ code: string }>(
      'GET',
      `/api/v1/consumption?scope=city&${months}&unit=kgco2&energy=water`,
    );
    expect(water.status).toBe(400);
    expect(water.body.code).toBe('JN_REQUEST_INVALID');
    const bad = await t.api<{ code: string; details: { path: string }[] }>('PUT', '/api/v1/registry', {
      institutions: [inst('i-east', 'east'), inst('i-mars', 'mars')],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('JN_REGISTRY_INVALID');
    // Schema problems are named as the registry names them (`meters.0.gatewayId`).
    expect(bad.body.details.map((d) => d.path)).toEqual(['institutions.1.gridRegion']);
  });

  it('computes a kgco2/m2 target’s progress per year and region', async () => {
    const put = await t.api('PUT', '/api/v1/targets', {
      targets: [{ scope: 'city', energy: 'all', period: '2023-01', value: 100, unit: 'kgco2/m2' }],
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const res = await t.api<{ progress: { toDate: number }[] }>('GET', '/api/v1/targets/progress?scope=city&year=2023');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.progress[0]?.toDate).toBeCloseTo(cityKgco2(2023, JAN_DAYS) / 3000, 6);
  });
});
