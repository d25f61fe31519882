import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_COEFFICIENT_TABLE } from '../../core/domain/energy.js';
import { generateReport } from '../../core/reports/generate.js';
import type { ReportModel, Subtotal } from '../../core/reports/model.js';
import { parseReportPeriod } from '../../core/reports/params.js';
import type { Store } from '../../core/storage/store.js';
import { buildFleet } from '../../simulator/fleet.js';
import { startTestPlatform, TEST_ADMIN_TOKEN, type TestPlatform } from '../helpers/platform.js';
import { publishHourly, TZ } from './fleet.js';

const OCT = Date.parse('2026-10-01T00:00:00+08:00');
const NOV = Date.parse('2026-11-01T00:00:00+08:00');
const MONTH = 'from=2026-10-01&to=2026-11-01&interval=month';
const fleet = buildFleet({ seed: 20262, districts: 2, institutions: 4, intervalS: 3600 });
// One institution on the North grid, whose factor is not the national one: each institution's region counts.
const registry = {
  ...fleet.registry,
  institutions: fleet.registry.institutions.map((i, k) => (k === 0 ? { ...i, gridRegion: 'north' as const } : i)),
};
const TARIFFS = {
  tariffs: [
    { energy: 'electricity', from: '2026-01-01', priceYuanPerUnit: 0.7321 },
    { energy: 'water', from: '2026-01-01', priceYuanPerUnit: 4.1 },
  ],
};

/**
 * The report's cost and kgCO₂ (issue 16, items 1 and 2) are what `GET /consumption?unit=yuan` and
 * `unit=kgco2` answer for the same scope and month; a `figuresOnly` report (ranking, notice,
 * statistics, audit) computes neither and reads no tariff or bill.
 */
describe('monthly report: cost in yuan and kgCO₂ per institution, district and city', () => {
  let t: TestPlatform;
  let report: ReportModel;

  const consumption = async (scope: string, query: string) => {
    const path = `/api/v1/consumption?scope=${scope}&${MONTH}&${query}`;
    const res = await t.api<{ total: number }>('GET', path);
    expect(res.status, `${path}: ${JSON.stringify(res.body).slice(0, 300)}`).toBe(200);
    return res.body.total;
  };
  const near = (actual: number | null | undefined, expected: number, what: string) =>
    expect(Math.abs((actual ?? Number.NaN) - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(
      0.01 + 1e-9,
    );
  /** Every line's and the total's cost and kgCO₂ against /consumption for the subtotal's or row's scope. */
  async function expectAsConsumption(scope: string, figures: Omit<Subtotal, 'scope' | 'name' | 'institutions'>) {
    expect(figures.energies.length, scope).toBeGreaterThan(0);
    for (const l of figures.energies) {
      const e = `energy=${l.energy}`;
      near(l.costYuan, await consumption(scope, `${e}&unit=yuan`), `${scope} ${l.energy} yuan`);
      if (l.energy === 'water') expect(l.kgco2, scope).toBeNull();
      else near(l.kgco2, await consumption(scope, `${e}&unit=kgco2`), `${scope} ${l.energy} kgco2`);
    }
    near(figures.totalCostYuan, await consumption(scope, 'unit=yuan'), `${scope} total yuan`);
    near(figures.totalKgco2, await consumption(scope, 'unit=kgco2'), `${scope} total kgco2`);
  }

  beforeAll(async () => {
    t = await startTestPlatform();
    const put = await t.api('PUT', '/api/v1/registry', registry);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const tariffs = await t.api('PUT', '/api/v1/tariffs', TARIFFS);
    expect(tariffs.status, JSON.stringify(tariffs.body)).toBe(200);
    const [first] = registry.institutions;
    const targets = await t.api('PUT', '/api/v1/targets', {
      targets: [
        { scope: 'city', energy: 'all', period: '2026-10', value: 50_000, unit: 'kgco2' },
        { scope: `institution:${first?.id}`, energy: 'electricity', period: '2026-10', value: 2, unit: 'kgco2/m2' },
        { scope: 'city', energy: 'electricity', period: '2026-10', value: 9, unit: 'kgce_ev' },
      ],
    });
    expect(targets.status, JSON.stringify(targets.body)).toBe(200);
    await publishHourly(t, fleet, OCT, NOV);
    const res = await t.api<ReportModel>('GET', '/api/v1/reports/monthly?month=2026-10&scope=city');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    report = res.body;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('gives each institution the cost and kgCO₂ that /consumption gives it, per energy and in total', async () => {
    expect(report.institutions.some((r) => r.energies.some((l) => l.energy === 'water'))).toBe(true);
    for (const row of report.institutions) await expectAsConsumption(`institution:${row.institutionId}`, row);
    // Priced at all: electricity at 0.7321 yuan/kWh, water at 4.1 yuan/m³.
    const elec = report.total.energies.find((l) => l.energy === 'electricity');
    expect(elec?.costYuan).toBeGreaterThan(0);
    expect(Math.abs((elec?.costYuan ?? 0) - (elec?.amount ?? 0) * 0.7321)).toBeLessThan(
      0.01 * report.institutions.length,
    );
    expect(report.carbon?.grid).toBeTruthy();
    const perKwh = (id: string | undefined) => {
      const l = report.institutions
        .find((r) => r.institutionId === id)
        ?.energies.find((x) => x.energy === 'electricity');
      return (l?.kgco2 ?? 0) / (l?.amount ?? 1);
    };
    const [north, other] = registry.institutions.map((i) => i.id);
    expect(Math.abs(perKwh(north) - perKwh(other))).toBeGreaterThan(0.01);
  });

  it('sums districts and the city from exact values, rounded once, and they match /consumption', async () => {
    await expectAsConsumption('city', report.total);
    for (const d of report.districts) await expectAsConsumption(d.scope, d);
    const rows = report.institutions;
    expect(report.total.exact.costMicro).toBe(rows.reduce((s, r) => s + (r.exact.costMicro ?? 0), 0));
    expect(report.total.exact.kgco2Micro).toBe(rows.reduce((s, r) => s + (r.exact.kgco2Micro ?? 0), 0));
    for (const r of [...rows, ...report.districts, report.total]) {
      // Water has a cost but no CO₂: in the cost total, not in the kgCO₂ total.
      expect(r.exact.costMicro).toBe(r.energies.reduce((s, l) => s + (l.exact.costMicro ?? 0), 0));
      expect(r.exact.kgco2Micro).toBe(r.energies.reduce((s, l) => s + (l.exact.kgco2Micro ?? 0), 0));
      expect(r.totalKgco2).toBe(Math.round((r.exact.kgco2Micro ?? 0) / 10_000) / 100);
      expect(r.totalCostYuan).toBe(Math.round((r.exact.costMicro ?? 0) / 10_000) / 100);
    }
  });

  it('attains kgCO₂ targets with the report own kgCO₂ (a kgce_ev target has no report figure)', () => {
    const t0 = report.total.target;
    expect(t0?.unit).toBe('kgco2');
    expect(t0?.actual).toBe(report.total.totalKgco2);
    expect(t0?.attainment).toBeCloseTo((report.total.exact.kgco2Micro ?? 0) / 1e6 / 50_000, 3);
    const row = report.institutions.find((r) => r.institutionId === registry.institutions[0]?.id);
    const line = row?.energies.find((l) => l.energy === 'electricity');
    expect(line?.target?.unit).toBe('kgco2/m2');
    const perM2 = (line?.exact.kgco2Micro ?? 0) / 1e6 / (row?.floorAreaM2 ?? Number.NaN);
    expect(line?.target?.attainment).toBeCloseTo(perM2 / 2, 3);
    expect(line?.target?.actual).toBeCloseTo(perM2, 4);
    expect(report.total.energies.find((l) => l.energy === 'electricity')?.target).toBeNull();
  });

  it('prints cost and CO₂ columns in the CSV, zh and en, with the report figures', async () => {
    const csv = async (lang: string) => {
      const res = await fetch(`${t.platform.apiUrl}/api/v1/reports/monthly?month=2026-10&format=csv&lang=${lang}`, {
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      });
      expect(res.status).toBe(200);
      return (await res.text()).replace(/^\uFEFF/, '').split('\r\n');
    };
    const zh = await csv('zh');
    const header = zh[0]?.split(',') ?? [];
    expect(header).toContain('费用 (元)');
    expect(header).toContain('二氧化碳 (kgCO₂)');
    const total = zh[zh.indexOf('') - 1]?.split(',') ?? [];
    expect(total[header.indexOf('费用 (元)')]).toBe(report.total.totalCostYuan?.toFixed(2));
    expect(total[header.indexOf('二氧化碳 (kgCO₂)')]).toBe(report.total.totalKgco2?.toFixed(2));
    const en = (await csv('en'))[0]?.split(',') ?? [];
    expect(en).toContain('Cost (yuan)');
    expect(en).toContain('CO₂ (kg)');
  });

  it('computes neither with figuresOnly: no tariff or bill is read', async () => {
    const reads: string[] = [];
    const store = new Proxy(t.platform.store, {
      get(target, key, receiver) {
        if (key === 'tariffs' || key === 'bills') reads.push(key);
        const v = Reflect.get(target, key, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    }) as Store;
    const source = {
      store,
      registry: () => t.platform.registry.get(),
      timeZone: TZ,
      coefficients: DEFAULT_COEFFICIENT_TABLE,
      now: () => NOV + 86_400_000,
    };
    const period = parseReportPeriod('monthly', '2026-10', TZ, source.now());
    const city = { level: 'city' } as const;
    const ranked = await generateReport(source, period, city, { figuresOnly: true });
    expect(reads).toEqual([]);
    expect(ranked.total.totalCostYuan).toBeUndefined();
    expect(ranked.total.totalKgco2).toBeUndefined();
    expect(ranked.institutions.flatMap((r) => r.energies).some((l) => 'costYuan' in l || 'kgco2' in l)).toBe(false);
    expect(ranked.carbon).toBeUndefined();
    const full = await generateReport(source, period, city);
    expect(reads.length).toBeGreaterThan(0);
    expect(full.total.totalCostYuan).toBe(report.total.totalCostYuan);
    expect(full.total.totalKgco2).toBe(report.total.totalKgco2);
  });
});
