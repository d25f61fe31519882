import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportModel, Subtotal } from '../../core/reports/model.js';
import { AMOUNT_DECIMALS, fromMicro, toMicro } from '../../core/reports/model.js';
import type { Ranking } from '../../core/reports/ranking.js';
import { buildFleet } from '../../simulator/fleet.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { expectedByInstitution, publishHourly } from './fleet.js';

const OCT = Date.parse('2026-10-01T00:00:00+08:00');
const NOV = Date.parse('2026-11-01T00:00:00+08:00');
const fleet = buildFleet({ seed: 20261, districts: 2, institutions: 5, intervalS: 3600 });

const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);
const round2 = (micro: number) => fromMicro(micro, AMOUNT_DECIMALS);

/**
 * Every summed figure of a subtotal is the exact sum of its parts' exact figures, rounded once
 * (issue 16, item 7); the printed parts add up to the printed total within 0.005 per part.
 */
function expectExactSum(total: Subtotal, parts: readonly Omit<Subtotal, 'scope' | 'name' | 'institutions'>[]) {
  expect(total.exact.kgceMicro).toBe(sum(parts.map((p) => p.exact.kgceMicro)));
  expect(total.totalKgce).toBe(round2(total.exact.kgceMicro));
  expect(total.floorAreaM2).toBe(round2(sum(parts.map((p) => p.exact.floorAreaM2Micro))));
  const slack = 5_000 * parts.length;
  expect(Math.abs(toMicro(total.totalKgce) - sum(parts.map((p) => toMicro(p.totalKgce))))).toBeLessThanOrEqual(slack);
  expect(total.receivedReadings).toBe(parts.reduce((s, p) => s + p.receivedReadings, 0));
  expect(total.anomalies).toBe(parts.reduce((s, p) => s + p.anomalies, 0));
  for (const line of total.energies) {
    const lines = parts.flatMap((p) => p.energies.filter((l) => l.energy === line.energy));
    expect(line.exact.amountMicro, line.energy).toBe(sum(lines.map((l) => l.exact.amountMicro)));
    expect(line.amount, line.energy).toBe(round2(line.exact.amountMicro));
    expect(line.kgce, line.energy).toBe(round2(sum(lines.map((l) => l.exact.kgceMicro))));
  }
}

describe('monthly and annual reports from simulated meters', () => {
  let t: TestPlatform;
  let report: ReportModel;

  beforeAll(async () => {
    t = await startTestPlatform();
    const put = await t.api('PUT', '/api/v1/registry', fleet.registry);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    await publishHourly(t, fleet, OCT, NOV);
    const res = await t.api<ReportModel>('GET', '/api/v1/reports/monthly?month=2026-10&scope=city');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    report = res.body;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('gives each institution the consumption its meters counted, per energy and in kgce', () => {
    const expected = expectedByInstitution(fleet, OCT, NOV);
    expect(report.institutions.map((r) => r.institutionId).sort()).toEqual([...expected.keys()].sort());
    for (const row of report.institutions) {
      const e = expected.get(row.institutionId);
      for (const line of row.energies)
        expect(Math.abs(line.amount - (e?.native.get(line.energy) ?? Number.NaN)), line.energy).toBeLessThanOrEqual(
          0.01,
        );
      expect(row.energies.map((l) => l.energy).sort()).toEqual([...(e?.native.keys() ?? [])].sort());
      // The total is the exact kgce rounded once: within 0.005 of the registers' figure.
      expect(Math.abs(row.totalKgce - (e?.kgce ?? 0))).toBeLessThanOrEqual(0.005 + 1e-6);
      expect(row.kgcePerM2).toBeCloseTo(row.totalKgce / row.floorAreaM2, 4);
      expect(row.completeness).toBe(1);
      expect(row.expectedReadings).toBe(31 * 24 * row.meters);
      expect(row.momChange).toBeNull(); // no September data
      expect(row.yoyChange).toBeNull();
    }
    expect(report.incomplete).toEqual([]);
    expect(report.partial).toBe(false);
  });

  it('keeps water out of the kgce total, and says so, with the coefficient table', () => {
    const row = report.institutions.find((r) => r.energies.some((l) => l.energy === 'water'));
    const water = row?.energies.find((l) => l.energy === 'water');
    expect(water?.countsAsEnergy).toBe(false);
    expect(water?.unit).toBe('m3');
    const exact = row?.energies.filter((l) => l.energy !== 'water').reduce((s, l) => s + l.exact.kgceMicro, 0);
    expect(row?.exact.kgceMicro).toBe(exact);
    expect(row?.totalKgce).toBe(round2(exact ?? Number.NaN));
    expect(report.waterExcludedFromKgce).toBe(true);
    expect(report.coefficients.version).toBe('GB/T 2589-2020 (equivalent value)');
    expect(report.coefficients.kgcePerUnit.electricity).toBe(0.1229);
  });

  it('makes district and city subtotals the exact sums of their rows, rounded once', () => {
    expect(report.districts).toHaveLength(2);
    for (const d of report.districts) {
      const rows = report.institutions.filter((r) => `district:${r.districtId}` === d.scope);
      expect(d.institutions).toBe(rows.length);
      expectExactSum(d, rows);
    }
    expectExactSum(report.total, report.institutions);
    expectExactSum(report.total, report.districts);
  });

  it('gives the totals /consumption gives for the same scope, period and unit (kgce and native)', async () => {
    // Issue 16, item 7: a monthly total once read 5065.72 kgce where /consumption said 5065.711.
    const consumption = async (query: string) => {
      const res = await t.api<{ total: number }>(
        'GET',
        `/api/v1/consumption?from=2026-10-01&to=2026-11-01&interval=month&${query}`,
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return fromMicro(toMicro(res.body.total), AMOUNT_DECIMALS);
    };
    const institution = report.institutions.find((r) => r.energies.length > 1);
    expect(institution).toBeDefined();
    const subjects = [
      { scope: `institution:${institution?.institutionId}`, figures: institution },
      { scope: 'city', figures: report.total },
    ];
    let checked = 0;
    for (const { scope, figures } of subjects) {
      expect(figures?.totalKgce, scope).toBe(await consumption(`scope=${scope}&unit=kgce`));
      for (const line of figures?.energies ?? []) {
        expect(line.amount, `${scope} ${line.energy}`).toBe(
          await consumption(`scope=${scope}&unit=native&energy=${line.energy}`),
        );
        expect(line.kgce, `${scope} ${line.energy}`).toBe(
          await consumption(`scope=${scope}&unit=kgce&energy=${line.energy}`),
        );
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(2);
  });

  it('gives a district report the same rows as the city report', async () => {
    const d = report.districts[0];
    const res = await t.api<ReportModel>('GET', `/api/v1/reports/monthly?month=2026-10&scope=${d?.scope}`);
    expect(res.status).toBe(200);
    expect(res.body.total.totalKgce).toBe(d?.totalKgce);
    expect(res.body.institutions).toEqual(report.institutions.filter((r) => `district:${r.districtId}` === d?.scope));
  });

  it('reports a year with month-on-month n/a and the months it holds', async () => {
    const res = await t.api<ReportModel>('GET', '/api/v1/reports/annual?year=2026&scope=city');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.kind).toBe('annual');
    expect(res.body.total.totalKgce).toBe(report.total.totalKgce);
    expect(res.body.institutions.every((r) => r.momChange === null && r.previous === null)).toBe(true);
    expect(res.body.trend.map((p) => p.month)).toHaveLength(12);
    expect(res.body.trend.find((p) => p.month === '2026-10')?.kgce).toBeCloseTo(report.total.totalKgce, 1);
  });

  it('ranks institutions highest first with peer groups by type and their medians', async () => {
    const res = await t.api<Ranking>('GET', '/api/v1/reports/ranking?month=2026-10&metric=kgce_per_m2');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const rows = [...report.institutions].sort((a, b) => b.totalKgce / b.floorAreaM2 - a.totalKgce / a.floorAreaM2);
    expect(res.body.entries.map((e) => e.institutionId)).toEqual(rows.map((r) => r.institutionId));
    expect(res.body.entries.map((e) => e.rank)).toEqual(rows.map((_, i) => i + 1));
    expect(res.body.unit).toBe('kgce/m2');
    for (const g of res.body.peerGroups) {
      const peers = res.body.entries.filter((e) => e.type === g.type);
      const values = peers.map((p) => p.value).sort((a, b) => a - b);
      const mid = Math.floor(values.length / 2);
      const median = values.length % 2 ? values[mid] : ((values[mid - 1] ?? 0) + (values[mid] ?? 0)) / 2;
      expect(g.median).toBeCloseTo(median ?? Number.NaN, 4);
      expect(peers.map((p) => p.typeRank)).toEqual(peers.map((_, i) => i + 1));
    }
    const elec = await t.api<Ranking>('GET', '/api/v1/reports/ranking?month=2026-10&energy=electricity');
    expect(elec.body.metric).toBe('kgce');
    const byId = new Map(report.institutions.map((r) => [r.institutionId, r]));
    for (const e of elec.body.entries)
      expect(e.value).toBe(byId.get(e.institutionId)?.energies.find((l) => l.energy === 'electricity')?.kgce);
  });

  it('answers bad input with a 400 naming the parameter', async () => {
    const cases: [string, string][] = [
      ['/api/v1/reports/monthly?month=2026-13', 'month: '],
      ['/api/v1/reports/monthly?month=2026-1', 'month: '],
      ['/api/v1/reports/monthly', 'month: '],
      ['/api/v1/reports/monthly?month=2099-01', 'month: '],
      ['/api/v1/reports/annual?year=26', 'year: '],
      ['/api/v1/reports/annual?year=2099', 'year: '],
      ['/api/v1/reports/monthly?month=2026-10&scope=district:nowhere', 'scope: '],
      ['/api/v1/reports/monthly?month=2026-10&scope=building:b1', 'scope: '],
      ['/api/v1/reports/monthly?month=2026-10&scope=town', 'scope: '],
      ['/api/v1/reports/monthly?month=2026-10&format=docx', 'format: '],
      ['/api/v1/reports/monthly?month=2026-10&format=csv&lang=fr', 'lang: '],
      ['/api/v1/reports/ranking?month=2026-10&metric=kwh', 'metric: '],
      ['/api/v1/reports/ranking?month=2026-10&energy=uranium', 'energy: '],
      ['/api/v1/reports/ranking?month=2027-01', 'month: '],
    ];
    for (const [path, prefix] of cases) {
      const res = await t.api<{ code: string; message: string }>('GET', path);
      expect(res.status, path).toBe(400);
      expect(res.body.message.startsWith(prefix), `${path}: ${res.body.message}`).toBe(true);
      expect(['JN_REQUEST_INVALID', 'JN_SCOPE_UNKNOWN']).toContain(res.body.code);
    }
    const unknown = await t.api<{ code: string }>('GET', '/api/v1/reports/monthly?month=2026-10&scope=district:x');
    expect(unknown.body.code).toBe('JN_SCOPE_UNKNOWN');
    expect((await t.api('GET', '/api/v1/reports/monthly?month=2026-10', undefined, '')).status).toBe(401);
  });

  it('hands the exports over as files named after period and scope', async () => {
    for (const format of ['csv', 'xlsx', 'pdf']) {
      const res = await fetch(`${t.platform.apiUrl}/api/v1/reports/monthly?month=2026-10&scope=city&format=${format}`, {
        headers: { authorization: 'Bearer test-admin-token-0123456789' },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="jieneng-2026-10-city.${format}"`);
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(100);
    }
  });
});
