/**
 * Target progress under reference weather (issue 18, item 4) on a real platform (DuckDB, Fastify):
 * `GET /api/v1/targets/progress?…&normalize=normal|base`. A building that follows its degree days
 * overshoots its quota in a cold year and keeps it once normalised; a district normalises each
 * institution with its own station and lists those it cannot, their raw figure kept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_COEFFICIENT_TABLE } from '../../core/domain/energy.js';
import { seedDistrict } from '../comparison/normalize-district.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { relDiff } from '../savings/fixture.js';

const TZ = 'Asia/Shanghai';

interface Progress {
  scope: string;
  unit: string;
  period: string;
  toDate: number;
  forecast: number;
  status: string;
  normalized?: {
    status: string;
    reference: string;
    reason?: string;
    through?: string;
    toDate: number;
    share: number;
    adjustment: number;
    forecast: number;
    targetStatus: string;
    institutions: {
      count: number;
      normalized: number;
      notNormalized: { institutionId: string; code: string; energy: string }[];
    };
  };
}
interface Answer {
  progress: Progress[];
}

let t: TestPlatform;
const raw: Record<string, number> = {};

beforeAll(async () => {
  t = await startTestPlatform({ TIMEZONE: TZ });
  await seedDistrict(t, TZ);
  for (const year of ['2021', '2022']) {
    const res = await t.api<{ total: number }>(
      'GET',
      `/api/v1/consumption?scope=institution:lab&energy=gas&from=${year}-01-01&to=${Number(year) + 1}-01-01&interval=year`,
    );
    raw[year] = res.body.total;
  }
  const cold = raw['2021'] ?? 0;
  const quota = (scope: string, energy: string, unit: string, value: number) => ({
    scope,
    energy,
    period: '2021',
    value,
    unit,
  });
  const put = await t.api('PUT', '/api/v1/targets', {
    targets: [
      quota('institution:lab', 'gas', 'm3', 0.95 * cold),
      quota('institution:lab', 'all', 'kgce/m2', 1),
      quota('district:cam', 'gas', 'm3', 3 * cold),
      quota('building:syn', 'gas', 'm3', cold),
      quota('city', 'all', 'kgco2', 1),
      { ...quota('institution:lab', 'gas', 'm3', 1.05 * (raw['2022'] ?? 0)), period: '2022' },
    ],
  });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
}, 180_000);

afterAll(async () => {
  await t?.close();
});

const progressOf = async (scope: string, year: string, normalize?: string) => {
  const res = await t.api<Answer>(
    'GET',
    `/api/v1/targets/progress?scope=${scope}&year=${year}${normalize === undefined ? '' : `&normalize=${normalize}`}`,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.progress;
};

describe('GET /api/v1/targets/progress?normalize= (issue 18, item 4)', () => {
  it("keeps a cold year's quota once normalised to a normal year, and answers as before without normalize", async () => {
    const [plain] = (await progressOf('institution:lab', '2021')).filter((p) => p.unit === 'm3');
    expect(plain?.normalized).toBeUndefined();
    expect(plain?.status).toBe('over');
    const [gas, kgce] = [
      ...(await progressOf('institution:lab', '2021', 'normal')).filter((p) => p.unit === 'm3'),
      ...(await progressOf('institution:lab', '2021', 'normal')).filter((p) => p.unit === 'kgce/m2'),
    ];
    expect(gas?.toDate).toBe(plain?.toDate);
    expect(gas?.status).toBe('over');
    const n = gas?.normalized;
    expect(n).toMatchObject({ status: 'normalized', reference: 'normal', targetStatus: 'on_track' });
    expect(n?.through).toBe('2022-01-01T00:00:00+08:00');
    expect(n?.institutions).toEqual({ count: 1, normalized: 1, notNormalized: [] });
    // A normal year (the mean of 2021 and 2022) uses about the mean of the two years.
    expect(relDiff(n?.toDate ?? 0, ((raw['2021'] ?? 0) + (raw['2022'] ?? 0)) / 2)).toBeLessThan(0.005);
    expect(n?.toDate).toBeCloseTo((gas?.toDate ?? 0) + (n?.adjustment ?? 0), 4);
    // The same adjustment in kgce per m² (all energies: gas only here; 1,000 m²).
    const perM2 = ((n?.adjustment ?? 0) * DEFAULT_COEFFICIENT_TABLE.kgcePerUnit.gas) / 1000;
    expect(kgce?.normalized?.adjustment).toBeCloseTo(perM2, 5);
  }, 120_000);

  it("puts a mild year into the year before's (cold) weather with normalize=base", async () => {
    const [gas] = await progressOf('institution:lab', '2022', 'base');
    expect(gas?.normalized).toMatchObject({ status: 'normalized', reference: '2021', targetStatus: 'over' });
    expect(gas?.status).toBe('on_track');
    expect(relDiff(gas?.normalized?.toDate ?? 0, raw['2021'] ?? 0)).toBeLessThan(0.005);
    // 2020 has no weather at the station: every day is unpredictable, the institution is listed.
    const [early] = await progressOf('institution:lab', '2021', 'base');
    expect(early?.normalized?.institutions.notNormalized).toEqual([
      expect.objectContaining({ institutionId: 'lab', code: 'JN_NORMALIZE_NO_CURRENT_DAYS', energy: 'gas' }),
    ]);
    expect(early?.normalized?.adjustment).toBe(0);
    expect(early?.normalized?.toDate).toBe(early?.toDate);
  }, 120_000);

  it('normalises a district per institution and lists those it cannot, their raw figure kept', async () => {
    const [district] = await progressOf('district:cam', '2021', 'normal');
    const [lab] = (await progressOf('institution:lab', '2021', 'normal')).filter((p) => p.unit === 'm3');
    const n = district?.normalized;
    expect(n?.institutions.count).toBe(3);
    expect(n?.institutions.normalized).toBe(1);
    expect(Object.fromEntries((n?.institutions.notNormalized ?? []).map((x) => [x.institutionId, x.code]))).toEqual({
      dark: 'JN_NORMALIZE_NO_STATION',
      fresh: 'JN_NORMALIZE_NO_NORMAL_YEAR',
    });
    expect(n?.adjustment).toBeCloseTo(lab?.normalized?.adjustment ?? Number.NaN, 5);
    expect(n?.toDate).toBeCloseTo((district?.toDate ?? 0) + (n?.adjustment ?? 0), 4);
  }, 120_000);

  it('refuses with a reason a building target and a carbon unit, and 400s a bad normalize', async () => {
    const [building] = await progressOf('building:syn', '2021', 'normal');
    expect(building?.normalized).toMatchObject({
      status: 'refused',
      reason: expect.stringContaining('per institution'),
    });
    const [carbon] = await progressOf('city', '2021', 'normal');
    expect(carbon?.normalized).toMatchObject({ status: 'refused', reason: expect.stringContaining('carbon') });
    const bad = await t.api<{ code: string; details: { path: string }[] }>(
      'GET',
      '/api/v1/targets/progress?scope=institution:lab&year=2021&normalize=weather',
    );
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('JN_REQUEST_INVALID');
    expect(bad.body.details.map((d) => d.path)).toContain('normalize');
  }, 60_000);
});
