import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HourlyConsumption } from '../../core/domain/consumption.js';
import { pathPct, reductionPctOf, reductionStatus } from '../../core/domain/reduction-targets.js';
import type { RegistryInput } from '../../core/domain/registry.js';
import { overlappingTargets, ReductionTargetSchema, TargetSchema } from '../../core/domain/targets.js';
import type { ReductionProgress } from '../../core/reduction-progress.js';
import type { Notice } from '../../core/reports/notice.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';

const H = 3_600_000;
/** The issue's example: −5 % kgce/m² against the base year. */
const REDUCTION = {
  scope: 'city',
  energy: 'all',
  kind: 'reduction',
  baseYear: 2020,
  period: '2025',
  reductionPct: 5,
  unit: 'kgce/m2',
} as const;
const issuesOf = (input: unknown) => {
  const r = TargetSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
};

describe('reduction targets: the schema (issue 16, item 6)', () => {
  it('accepts the issue’s example and the 14th plan’s per-person, water and CO₂ targets', () => {
    expect(issuesOf(REDUCTION)).toEqual([]);
    expect(issuesOf({ ...REDUCTION, reductionPct: 6, unit: 'kgce/capita' })).toEqual([]);
    expect(issuesOf({ ...REDUCTION, energy: 'water', reductionPct: 6, unit: 'm3/capita' })).toEqual([]);
    expect(issuesOf({ ...REDUCTION, reductionPct: 7, unit: 'kgco2/m2' })).toEqual([]);
  });

  it('refuses inconsistent reductions naming the field', () => {
    expect(issuesOf({ ...REDUCTION, reductionPct: 0 })).toEqual(['reductionPct']);
    expect(issuesOf({ ...REDUCTION, reductionPct: 100 })).toEqual(['reductionPct']);
    expect(issuesOf({ ...REDUCTION, baseYear: 2025 })).toEqual(['baseYear']);
    expect(issuesOf({ ...REDUCTION, baseYear: 2020.5 })).toEqual(['baseYear']);
    expect(issuesOf({ ...REDUCTION, period: '2025-12' })).toEqual(['period']);
    expect(issuesOf({ ...REDUCTION, value: 17.5 })).toEqual(['value']);
    expect(issuesOf({ ...REDUCTION, unit: 'kgce' })).toEqual(['unit']);
    expect(issuesOf({ ...REDUCTION, energy: 'water', unit: 'kgco2/capita' })).toEqual(['unit']);
    const { baseYear: _, ...noBase } = REDUCTION;
    expect(issuesOf(noBase)).toEqual(['baseYear']);
    expect(issuesOf({ ...REDUCTION, kind: 'cap' })).toEqual(['kind']);
  });

  it('keeps quotas as they were: kind optional, no base year or percentage', () => {
    const quota = { scope: 'city', energy: 'all', period: '2025', value: 9.5, unit: 'kgce/m2' };
    expect(issuesOf(quota)).toEqual([]);
    expect(issuesOf({ ...quota, kind: 'quota' })).toEqual([]);
    expect(issuesOf({ ...quota, value: undefined })).toEqual(['value']);
    expect(issuesOf({ ...quota, baseYear: 2020 })).toEqual(['baseYear']);
    expect(issuesOf({ ...quota, reductionPct: 5 })).toEqual(['reductionPct']);
  });

  it('keys a reduction by scope, energy, target year and unit, apart from the quota of that year', () => {
    const r = ReductionTargetSchema.parse(REDUCTION);
    const q = TargetSchema.parse({ scope: 'city', energy: 'all', period: '2025', value: 9.5, unit: 'kgce/m2' });
    expect(overlappingTargets([q, r, { ...r, unit: 'kgce/capita' }])).toEqual([]);
    expect(overlappingTargets([r, { ...r, reductionPct: 6 }])).toEqual([
      { path: 'targets[1].period', message: expect.stringMatching(/overlaps targets\[0\].*target year and unit/) },
    ]);
  });
});

describe('reduction targets: the linear path and the status', () => {
  const t = { baseYear: 2020, period: '2025', reductionPct: 5 };

  it('expects reductionPct × elapsed / span of the way, from 0 % in the base year to all of it', () => {
    expect(pathPct(t, 2020)).toBe(0);
    expect(pathPct(t, 2022)).toBeCloseTo(2, 12);
    expect(pathPct(t, 2025)).toBe(5);
    expect(pathPct(t, 2027)).toBe(5);
    expect(reductionPctOf(20, 19)).toBeCloseTo(5, 12);
    expect(reductionPctOf(20, 21)).toBeCloseTo(-5, 12);
  });

  it('is on track at or ahead of the path, at risk within one year’s share behind, off track beyond', () => {
    // 2022: the path is at 2 %; one year's share is 1 %.
    expect(reductionStatus(t, { year: 2022, reductionPct: 2 })).toBe('on_track');
    expect(reductionStatus(t, { year: 2022, reductionPct: 3.5 })).toBe('on_track');
    expect(reductionStatus(t, { year: 2022, reductionPct: 1.5 })).toBe('at_risk');
    expect(reductionStatus(t, { year: 2022, reductionPct: 1 })).toBe('at_risk');
    expect(reductionStatus(t, { year: 2022, reductionPct: 0.99 })).toBe('off_track');
    expect(reductionStatus(t, { year: 2022, reductionPct: -1 })).toBe('off_track');
  });

  it('judges the target year on the target alone: reached or off track', () => {
    expect(reductionStatus(t, { year: 2025, reductionPct: 5 })).toBe('on_track');
    expect(reductionStatus(t, { year: 2025, reductionPct: 4.9 })).toBe('off_track');
  });

  it('has no status without a complete year after the base year', () => {
    expect(reductionStatus(t, undefined)).toBe('no_data');
  });
});

// The API on a real platform: three years (2023–2025) written directly to the store, a target of
// 2025 against 2023. Figures must equal /consumption's for the same years.
const at = (local: string) => Date.parse(`${local}T00:00:00+08:00`);
const YEARS = [2023, 2024, 2025] as const;
/** Per meter and year, the hourly amount (kWh or m³). */
const HOURLY: Record<string, Record<(typeof YEARS)[number], number>> = {
  'm-a': { 2023: 10, 2024: 9.8, 2025: 9.4 },
  'm-b': { 2023: 12, 2024: 12, 2025: 12 },
  // Water of i-a per person: −2.23 % in 2024 (leap year), −5 % in 2025 against a −6 % target.
  'm-w': { 2023: 2, 2024: 1.95, 2025: 1.9 },
};
const meter = (id: string, buildingId: string, energy: 'electricity' | 'water') => ({
  id,
  buildingId,
  gatewayId: 'gw-1',
  energy,
  unit: energy === 'water' ? 'm3' : 'kWh',
  multiplier: 1,
  intervalS: 3600,
});
const REGISTRY: RegistryInput = {
  districts: [{ id: 'd1', name: '鼓楼区' }],
  institutions: [
    { id: 'i-a', name: 'A', districtId: 'd1', type: 'office', floorAreaM2: 10_000, occupants: 100 },
    { id: 'i-b', name: 'B', districtId: 'd1', type: 'office', floorAreaM2: 12_000, occupants: 100 },
  ],
  buildings: [
    { id: 'b-a', institutionId: 'i-a', name: 'A1', floorAreaM2: 10_000 },
    { id: 'b-b', institutionId: 'i-b', name: 'B1', floorAreaM2: 12_000 },
  ],
  gateways: [{ id: 'gw-1', secret: 'secret-gw-1' }],
  meters: [meter('m-a', 'b-a', 'electricity'), meter('m-b', 'b-b', 'electricity'), meter('m-w', 'b-a', 'water')],
};
const A_KGCE_M2 = { ...REDUCTION, scope: 'institution:i-a', baseYear: 2023 };
const A_WATER = { ...A_KGCE_M2, energy: 'water', reductionPct: 6, unit: 'm3/capita' } as const;
const CITY = { ...REDUCTION, baseYear: 2023 };

interface Progress {
  progress: { kind?: string; period: string; value: number; status: string }[];
  reductions: ReductionProgress[];
}

describe('reduction targets on a platform with three years of data', () => {
  let t: TestPlatform;
  /** /consumption's yearly figures, 2023–2025. */
  const yearly = async (scope: string, query: string) => {
    const res = await t.api<{ series: { start: string; value: number }[] }>(
      'GET',
      `/api/v1/consumption?scope=${scope}&from=2023-01-01&to=2026-01-01&interval=year&${query}`,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.series.map((p) => p.value);
  };
  const progressOf = async (scope: string, year: number) => {
    const res = await t.api<Progress>('GET', `/api/v1/targets/progress?scope=${scope}&year=${year}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  /** Checks a progress against /consumption's yearly figures [base, …]. */
  const expectFigures = (p: ReductionProgress | undefined, figures: readonly number[], reductionPct: number) => {
    const [base = Number.NaN, ...rest] = figures;
    expect(p?.base.value).toBeCloseTo(base, 4);
    expect(p?.base.partial).toBe(false);
    expect(p?.targetValue).toBeCloseTo(base * (1 - reductionPct / 100), 4);
    expect(p?.years.map((y) => y.year)).toEqual(rest.map((_, i) => 2024 + i));
    rest.forEach((v, i) => {
      expect(p?.years[i]?.value).toBeCloseTo(v, 4);
      expect(p?.years[i]?.reductionPct).toBeCloseTo(((base - v) / base) * 100, 2);
      expect(p?.years[i]?.partial).toBe(false);
    });
  };

  beforeAll(async () => {
    t = await startTestPlatform();
    const put = await t.api('PUT', '/api/v1/registry', REGISTRY);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const rows: HourlyConsumption[] = [];
    for (const [meterId, byYear] of Object.entries(HOURLY))
      for (const year of YEARS)
        for (let h = at(`${year}-01-01`); h < at(`${year + 1}-01-01`); h += H)
          rows.push({
            meterId,
            hourStartMs: h,
            amountMicro: byYear[year] * 1e6,
            estimatedMicro: 0,
            quality: 'good',
            readingsCount: 1,
          });
    const ranges = Object.keys(HOURLY).map((meterId) => ({
      meterId,
      fromMs: at('2023-01-01'),
      toMs: at('2026-01-01'),
    }));
    await t.platform.store.replaceHourly(ranges, rows);
    // i-a grows in mid-2024: that year is divided by its time-weighted area.
    const fact = await t.api('POST', '/api/v1/institutions/i-a/facts', { from: '2024-07-01', floorAreaM2: 11_000 });
    expect(fact.status, JSON.stringify(fact.body)).toBe(201);
    const targets = await t.api('PUT', '/api/v1/targets', {
      targets: [
        A_KGCE_M2,
        A_WATER,
        CITY,
        // A quota of the same scope, energy, year and unit lives beside the reduction.
        { scope: 'institution:i-a', energy: 'all', period: '2025', value: 9.5, unit: 'kgce/m2' },
      ],
    });
    expect(targets.status, JSON.stringify(targets.body)).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses a reduction target with a 400 naming the field', async () => {
    const put = (target: unknown) => t.api<{ message: string }>('PUT', '/api/v1/targets', { targets: [target] });
    for (const [bad, field] of [
      [{ ...A_KGCE_M2, reductionPct: 0 }, 'reductionPct'],
      [{ ...A_KGCE_M2, baseYear: 2026 }, 'baseYear'],
      [{ ...A_KGCE_M2, value: 1 }, 'value'],
      [{ ...A_KGCE_M2, unit: 'kgce' }, 'unit'],
    ] as const) {
      const res = await put(bad);
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(new RegExp(`targets\\.0\\.${field}`));
    }
    expect((await put({ ...A_KGCE_M2, scope: 'institution:nope' })).body.message).toMatch(/targets\[0\]\.scope/);
  });

  it('lists reduction targets with their kind beside the quotas', async () => {
    const res = await t.api<{ targets: Record<string, unknown>[] }>('GET', '/api/v1/targets?scope=institution:i-a');
    expect(res.body.targets).toEqual([
      { scope: 'institution:i-a', energy: 'all', period: '2025', value: 9.5, unit: 'kgce/m2' },
      A_KGCE_M2,
      A_WATER,
    ]);
  });

  it('shows the base value, each year’s value and reduction as /consumption per m² gives them', async () => {
    const body = await progressOf('institution:i-a', 2025);
    // The quota of the year is still reported as before.
    expect(body.progress).toEqual([expect.objectContaining({ period: '2025', value: 9.5, status: 'on_track' })]);
    const kgce = body.reductions.find((p) => p.unit === 'kgce/m2');
    expectFigures(kgce, await yearly('institution:i-a', 'unit=kgce&per=m2'), 5);
    expect(kgce?.reductionSoFarPct).toBe(kgce?.years.at(-1)?.reductionPct);
    expect(kgce?.asOfYear).toBe(2025);
    expect(kgce?.years.map((y) => y.pathPct)).toEqual([2.5, 5]);
    expect(kgce?.status).toBe('on_track');
  });

  it('tracks water per person: 5 % less in 2025 misses a 6 % target, 2024 was behind the path', async () => {
    const water = (await progressOf('institution:i-a', 2025)).reductions.find((p) => p.energy === 'water');
    expectFigures(water, await yearly('institution:i-a', 'energy=water&unit=native&per=capita'), 6);
    expect(water?.reductionSoFarPct).toBe(5);
    expect(water?.status).toBe('off_track');
    // As of 2024: −2.23 % against a path at −3 %, less than one year's share (3 %) behind.
    const asOf2024 = (await progressOf('institution:i-a', 2024)).reductions.find((p) => p.energy === 'water');
    expect(asOf2024?.years.map((y) => y.year)).toEqual([2024]);
    expect(asOf2024?.asOfYear).toBe(2024);
    expect(asOf2024?.reductionSoFarPct).toBeCloseTo(2.23, 2);
    expect(asOf2024?.status).toBe('at_risk');
    // Outside its span (2023–2025), a reduction target has no progress.
    expect((await progressOf('institution:i-a', 2026)).reductions).toEqual([]);
  });

  it('adds up a city the way /consumption does', async () => {
    const [city] = (await progressOf('city', 2025)).reductions;
    expectFigures(city, await yearly('city', 'unit=kgce&per=m2'), 5);
  });

  it('shows the type’s institutions’ targets and the scope’s own in the notice', async () => {
    const res = await t.api<Notice>('GET', '/api/v1/reports/notice?year=2025&scope=city');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const [office] = res.body.groups;
    expect(office?.targets?.map((p) => [p.scope, p.unit])).toEqual([
      ['institution:i-a', 'kgce/m2'],
      ['institution:i-a', 'm3/capita'],
    ]);
    const progress = await progressOf('institution:i-a', 2025);
    expect(office?.targets).toEqual(progress.reductions);
    expect(res.body.targets?.map((p) => p.scope)).toEqual(['city']);
    // A district without targets of its own: none shown for the scope, its institutions' still are.
    const district = await t.api<Notice>('GET', '/api/v1/reports/notice?year=2025&scope=district:d1');
    expect(district.body.targets).toBeNull();
    expect(district.body.groups[0]?.targets).toHaveLength(2);
  });

  it('leaves the monthly over-target detection to quotas', async () => {
    const res = await t.api<{ outcome?: string }>('POST', '/api/v1/jobs/detect-targets/run');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });
});
