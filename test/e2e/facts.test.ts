import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HourlyConsumption } from '../../core/domain/consumption.js';
import { DEFAULT_COEFFICIENT_TABLE } from '../../core/domain/energy.js';
import { localDateOf } from '../../core/domain/facts.js';
import type { RegistryInput } from '../../core/domain/registry.js';
import type { ReportModel } from '../../core/reports/model.js';
import { type Ranking, rankInstitutions } from '../../core/reports/ranking.js';
import { ADMIN_TOKEN_NAME } from '../../core/tokens.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';

const H = 3_600_000;
const TZ = 'Asia/Shanghai';
const KGCE_PER_KWH = DEFAULT_COEFFICIENT_TABLE.kgcePerUnit.electricity;
const at = (local: string) => Date.parse(`${local}T00:00:00+08:00`);
const [Y2025, Y2026] = [at('2025-01-01'), at('2026-01-01')];
/** Hourly consumption of each meter in 2025, kWh: i-a uses more per hour than i-b, on less floor area. */
const KWH_PER_HOUR = { 'm-a': 11, 'm-b': 12 } as const;
/** kgce of i-a over [fromMs, toMs). */
const kgceA = (fromMs: number, toMs: number) => ((toMs - fromMs) / H) * KWH_PER_HOUR['m-a'] * KGCE_PER_KWH;
/** The example: 10,000 m² until 1 July, then 15,000 m². */
const WEIGHTED_AREA = (10_000 * 181) / 365 + (15_000 * 184) / 365;

const meter = (id: string, buildingId: string) => ({
  id,
  buildingId,
  gatewayId: 'gw-1',
  energy: 'electricity' as const,
  unit: 'kWh',
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
  meters: [meter('m-a', 'b-a'), meter('m-b', 'b-b')],
};

interface Consumption {
  unit: string;
  series: { start: string; value: number }[];
  total: number;
}
interface FactList {
  scope: string;
  timezone: string;
  inForce: { floorAreaM2: number; occupants: number };
  facts: { from: string; floorAreaM2?: number; occupants?: number; createdBy: string }[];
}

describe('floor area and occupants as effective-dated facts (issue 15, item 4)', () => {
  let t: TestPlatform;
  const consumption = (scope: string, interval: string, per = 'm2') =>
    t.api<Consumption>(
      'GET',
      `/api/v1/consumption?scope=${scope}&from=2025-01-01&to=2026-01-01&interval=${interval}&unit=kgce&per=${per}`,
    );

  beforeAll(async () => {
    t = await startTestPlatform();
    const put = await t.api('PUT', '/api/v1/registry', REGISTRY);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    // A year of hourly consumption, written as the deriver would (the facts do not care how it came).
    const rows: HourlyConsumption[] = [];
    for (const [meterId, kwh] of Object.entries(KWH_PER_HOUR))
      for (let h = Y2025; h < Y2026; h += H)
        rows.push({
          meterId,
          hourStartMs: h,
          amountMicro: kwh * 1e6,
          estimatedMicro: 0,
          quality: 'good',
          readingsCount: 1,
        });
    const ranges = Object.keys(KWH_PER_HOUR).map((meterId) => ({ meterId, fromMs: Y2025, toMs: Y2026 }));
    await t.platform.store.replaceHourly(ranges, rows);
    for (const [path, body] of [
      ['/api/v1/institutions/i-a/facts', { from: '2025-07-01', floorAreaM2: 15_000 }],
      ['/api/v1/buildings/b-a/facts', { from: '2025-03-16', floorAreaM2: 8_000 }],
    ] as const) {
      const res = await t.api('POST', path, body);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists the facts of a scope, the first with the registry value it replaced since 1970-01-01', async () => {
    const res = await t.api<FactList>('GET', '/api/v1/institutions/i-a/facts');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.facts.map(({ from, floorAreaM2, occupants }) => ({ from, floorAreaM2, occupants }))).toEqual([
      { from: '1970-01-01', floorAreaM2: 10_000 },
      { from: '2025-07-01', floorAreaM2: 15_000 },
    ]);
    expect(res.body.inForce).toEqual({ floorAreaM2: 15_000, occupants: 100 });
    expect(res.body.timezone).toBe(TZ);
    // A building's occupants: its institution's, shared by the floor areas in force (8,000 of 15,000 m²).
    const building = await t.api<FactList>('GET', '/api/v1/buildings/b-a/facts');
    expect(building.body.facts.map((f) => [f.from, f.floorAreaM2])).toEqual([
      ['1970-01-01', 10_000],
      ['2025-03-16', 8_000],
    ]);
    expect(building.body.inForce.floorAreaM2).toBe(8_000);
    expect(building.body.inForce.occupants).toBeCloseTo((100 * 8_000) / 15_000, 9);
    const audit = await t.api<{ audit: { entity: string; route: string }[] }>(
      'GET',
      `/api/v1/audit?from=${localDateOf(Date.now() - 86_400_000, TZ)}&to=${localDateOf(Date.now() + 86_400_000, TZ)}`,
    );
    expect(audit.body.audit).toContainEqual(
      expect.objectContaining({ entity: 'institution:i-a', route: 'POST /api/v1/institutions/:id/facts' }),
    );
  });

  it('divides a year by the time-weighted area: kgce / (10,000 × 181/365 + 15,000 × 184/365)', async () => {
    const res = await consumption('institution:i-a', 'year');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const expected = kgceA(Y2025, Y2026) / WEIGHTED_AREA;
    expect(res.body.unit).toBe('kgce/m2');
    expect(res.body.total).toBeCloseTo(expected, 5);
    expect(res.body.series[0]?.value).toBeCloseTo(expected, 5);
    // Not the area of either half alone.
    expect(Math.abs(res.body.total - kgceA(Y2025, Y2026) / 15_000)).toBeGreaterThan(0.1);
  });

  it('divides each month by its own area, and a month with a change inside by its weighted one', async () => {
    const res = await consumption('institution:i-a', 'month');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const month = (i: number) =>
      Date.parse(`${new Date(Date.UTC(2025, i, 1)).toISOString().slice(0, 10)}T00:00:00+08:00`);
    expect(res.body.series).toHaveLength(12);
    res.body.series.forEach((p, i) => {
      expect(p.value, p.start).toBeCloseTo(kgceA(month(i), month(i + 1)) / (i < 6 ? 10_000 : 15_000), 6);
    });
    const building = await consumption('building:b-a', 'month');
    const [feb, mar, apr] = [at('2025-02-01'), at('2025-03-01'), at('2025-04-01')];
    expect(building.body.series[1]?.value).toBeCloseTo(kgceA(feb, mar) / 10_000, 6);
    expect(building.body.series[2]?.value).toBeCloseTo(kgceA(mar, apr) / ((10_000 * 15 + 8_000 * 16) / 31), 6);
    expect(building.body.series[3]?.value).toBeCloseTo(kgceA(apr, at('2025-05-01')) / 8_000, 6);
  });

  it('shows the time-weighted area in the annual report, and ranks by it', async () => {
    const res = await t.api<ReportModel>('GET', '/api/v1/reports/annual?year=2025&scope=city');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const [a, b] = ['i-a', 'i-b'].map((id) => res.body.institutions.find((r) => r.institutionId === id));
    expect(a?.floorAreaM2).toBe(Math.round(WEIGHTED_AREA * 100) / 100);
    expect(Math.abs((a?.kgcePerM2 ?? 0) - kgceA(Y2025, Y2026) / WEIGHTED_AREA)).toBeLessThanOrEqual(1e-4);
    expect(b?.floorAreaM2).toBe(12_000);
    expect(res.body.total.floorAreaM2).toBeCloseTo((a?.floorAreaM2 ?? 0) + 12_000, 6);
    // With the registry's 10,000 m² all year, i-a (11 kWh/h) would out-rank i-b (12 kWh/h on 12,000 m²).
    const ranking = rankInstitutions(res.body, 'kgce_per_m2');
    expect(ranking.entries.map((e) => e.institutionId)).toEqual(['i-b', 'i-a']);
    expect(ranking.entries[1]?.value).toBe(a?.kgcePerM2);
    const june = await t.api<Ranking>('GET', '/api/v1/reports/ranking?month=2025-06&metric=kgce_per_m2');
    expect(june.body.entries.map((e) => e.institutionId)).toEqual(['i-a', 'i-b']);
    const july = await t.api<Ranking>('GET', '/api/v1/reports/ranking?month=2025-07&metric=kgce_per_m2');
    expect(july.body.entries.map((e) => e.institutionId)).toEqual(['i-b', 'i-a']);
  });

  it('measures targets per m² against the area in force over the period', async () => {
    const target = { scope: 'institution:i-a', energy: 'all', period: '2025', value: 1, unit: 'kgce/m2' };
    expect((await t.api('PUT', '/api/v1/targets', { targets: [target] })).status).toBe(200);
    const res = await t.api<{ progress: { toDate: number; forecast: number; share: number }[] }>(
      'GET',
      '/api/v1/targets/progress?scope=institution:i-a&year=2025',
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const expected = kgceA(Y2025, Y2026) / WEIGHTED_AREA;
    expect(res.body.progress[0]?.toDate).toBeCloseTo(expected, 5);
    expect(res.body.progress[0]?.forecast).toBeCloseTo(expected, 5);
  });

  it('records a changed area in PUT /registry as a fact from today, leaving past intensities as they were', async () => {
    const before = await consumption('institution:i-b', 'year');
    const changed = { ...REGISTRY, institutions: [{ ...REGISTRY.institutions[1], floorAreaM2: 24_000 }] };
    expect((await t.api('PUT', '/api/v1/registry', changed)).status).toBe(200);
    const list = await t.api<FactList>('GET', '/api/v1/institutions/i-b/facts');
    expect(list.body.facts.map(({ from, floorAreaM2, createdBy }) => ({ from, floorAreaM2, createdBy }))).toEqual([
      { from: '1970-01-01', floorAreaM2: 12_000, createdBy: ADMIN_TOKEN_NAME },
      { from: localDateOf(Date.now(), TZ), floorAreaM2: 24_000, createdBy: ADMIN_TOKEN_NAME },
    ]);
    expect(list.body.inForce.floorAreaM2).toBe(24_000);
    const after = await consumption('institution:i-b', 'year');
    expect(after.body.total).toBe(before.body.total);
    expect(after.body.total).toBeCloseTo((12 * 8760 * KGCE_PER_KWH) / 12_000, 5);
  });

  it('refuses bad input naming the field, an unknown scope with 404 and a non-admin with 403', async () => {
    const post = (path: string, body: unknown, token?: string) =>
      t.api<{ code: string; details: { path: string }[] }>('POST', path, body, token);
    const path = '/api/v1/institutions/i-a/facts';
    for (const [body, field] of [
      [{ from: '2025-02-30', floorAreaM2: 1 }, 'from'],
      [{ from: '2025-02-01' }, 'floorAreaM2'],
      [{ from: '2025-02-01', floorAreaM2: -5 }, 'floorAreaM2'],
      [{ from: '2025-02-01', occupants: 2.5 }, 'occupants'],
    ] as const) {
      const res = await post(path, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe('JN_REQUEST_INVALID');
      expect(res.body.details.map((d) => d.path)).toEqual([field]);
    }
    expect((await post('/api/v1/institutions/nope/facts', { from: '2025-02-01', occupants: 1 })).status).toBe(404);
    expect((await t.api('GET', '/api/v1/buildings/nope/facts')).status).toBe(404);
    const token = await t.api<{ token: string }>('POST', '/api/v1/tokens', {
      name: 'viewer-a',
      role: 'viewer',
      scopes: ['institution:i-a'],
    });
    expect(token.status).toBe(201);
    const denied = await post(path, { from: '2025-02-01', occupants: 1 }, token.body.token);
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('JN_FORBIDDEN');
    expect((await t.api('GET', path, undefined, token.body.token)).status).toBe(200);
    expect((await t.api('GET', '/api/v1/institutions/i-b/facts', undefined, token.body.token)).status).toBe(403);
  });
});
