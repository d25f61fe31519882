import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HourlyConsumption } from '../../core/domain/consumption.js';
import type { RegistryInput } from '../../core/domain/registry.js';
import { fromMicro } from '../../core/reports/model.js';
import type { StatisticsModel, StatisticsRollUp } from '../../core/statistics/model.js';
import { STAT_HEADERS } from '../../core/statistics/table.js';
import { startTestPlatform, TEST_ADMIN_TOKEN, type TestPlatform } from '../helpers/platform.js';
import { touTariff } from '../helpers/tariffs.js';

const run = promisify(execFile);
const H = 3_600_000;
const at = (local: string) => Date.parse(`${local}T00:00:00+08:00`);
const [Y2024, Y2025] = [at('2024-01-01'), at('2025-01-01')];
const YEAR = 'from=2024-01-01&to=2025-01-01&interval=year';
const CODE_A = '91350100M000100Y43';
const CODE_B = '91110000600037341L';

const inst = (id: string, districtId: string, type: string, extra: Record<string, unknown>) => ({
  id,
  name: `机构${id}`,
  districtId,
  type,
  floorAreaM2: 10_000,
  occupants: 100,
  ...extra,
});
const meter = (id: string, buildingId: string, energy: string, unit: string, accountNo?: string) => ({
  id,
  buildingId,
  gatewayId: 'gw-1',
  energy,
  unit,
  intervalS: 3600,
  ...(accountNo === undefined ? {} : { accountNo }),
});

/**
 * A city-year: three institutions in two districts and two types, three grid regions (one by
 * default), a time-of-use electricity tariff, flat water and gas tariffs, a January electricity bill
 * for one account, and a floor area that changes on 1 July.
 */
const REGISTRY: RegistryInput = {
  districts: [
    { id: 'd1', name: '鼓楼区' },
    { id: 'd2', name: '台江区' },
  ],
  institutions: [
    inst('a', 'd1', 'office', { gridRegion: 'north', creditCode: CODE_A, nature: 'government' }),
    inst('b', 'd1', 'school', { gridRegion: 'east', creditCode: CODE_B, nature: 'education', occupants: 400 }),
    inst('c', 'd2', 'office', { floorAreaM2: 5000, occupants: 50 }),
  ] as RegistryInput['institutions'],
  buildings: ['a', 'b', 'c'].map((i) => ({ id: `b-${i}`, institutionId: i, name: `楼${i}`, floorAreaM2: 5000 })),
  gateways: [{ id: 'gw-1', secret: 'secret-gw-1' }],
  meters: [
    meter('m-a-e', 'b-a', 'electricity', 'kWh', 'ACC-A'),
    meter('m-a-w', 'b-a', 'water', 'm3'),
    meter('m-b-e', 'b-b', 'electricity', 'kWh'),
    meter('m-b-g', 'b-b', 'gas', 'm3'),
    meter('m-c-e', 'b-c', 'electricity', 'kWh'),
    meter('m-c-w', 'b-c', 'water', 'm3'),
  ] as RegistryInput['meters'],
};

/** Amount per hour, micro-units: a day shape so that time-of-use prices matter, with odd decimals. */
function microPerHour(meterId: string, h: number): number {
  const hour = new Date(h + 8 * H).getUTCHours();
  const base = { 'm-a-e': 20.123, 'm-a-w': 0.517, 'm-b-e': 35.77, 'm-b-g': 1.333, 'm-c-e': 9.001, 'm-c-w': 0.211 }[
    meterId
  ];
  return Math.round((base ?? 0) * (hour >= 8 && hour < 18 ? 2 : 1) * 1e6);
}

interface Answer {
  total: number;
  billed?: number;
}

describe('annual statistics forms (issue 16, item 3): numbers agree everywhere, exports open', () => {
  let t: TestPlatform;
  let stats: StatisticsModel;
  let dir: string;

  const get = async <T>(path: string) => {
    const res = await t.api<T>('GET', path);
    expect(res.status, `${path}: ${JSON.stringify(res.body).slice(0, 300)}`).toBe(200);
    return res.body;
  };
  const consumption = (scope: string, query: string) =>
    get<Answer>(`/api/v1/consumption?scope=${scope}&${YEAR}&${query}`).then((a) => a.total);
  const download = async (query: string) => {
    const res = await fetch(`${t.platform.apiUrl}/api/v1/statistics/annual?${query}`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    expect(res.status).toBe(200);
    return { body: Buffer.from(await res.arrayBuffer()), headers: res.headers };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jieneng-statistics-'));
    t = await startTestPlatform({ TIMEZONE: 'Asia/Shanghai', DEFAULT_GRID_REGION: 'southern' });
    const put = await t.api('PUT', '/api/v1/registry', REGISTRY);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    // A year of hourly consumption written as the deriver would: far faster than publishing it.
    const rows: HourlyConsumption[] = [];
    const meters = REGISTRY.meters.map((m) => m.id);
    for (const meterId of meters)
      for (let h = Y2024; h < Y2025; h += H)
        rows.push({
          meterId,
          hourStartMs: h,
          amountMicro: microPerHour(meterId, h),
          estimatedMicro: 0,
          quality: 'good',
          readingsCount: 1,
        });
    await t.platform.store.replaceHourly(
      meters.map((meterId) => ({ meterId, fromMs: Y2024, toMs: Y2025 })),
      rows,
    );
    const tariffs = await t.api('PUT', '/api/v1/tariffs', {
      tariffs: [
        touTariff('2024-01-01'),
        { energy: 'water', from: '2024-01-01', priceYuanPerUnit: 4.1 },
        { energy: 'gas', from: '2024-01-01', priceYuanPerUnit: 3.27 },
      ],
    });
    expect(tariffs.status, JSON.stringify(tariffs.body)).toBe(200);
    const bill = { accountNo: 'ACC-A', energy: 'electricity', from: '2024-01-01', to: '2024-02-01' };
    const bills = await t.api('POST', '/api/v1/bills', {
      bills: [{ ...bill, quantity: 20_000, amountYuan: 23_456.78 }],
    });
    expect(bills.status, JSON.stringify(bills.body)).toBe(201);
    const fact = await t.api('POST', '/api/v1/institutions/c/facts', { from: '2024-07-01', floorAreaM2: 6000 });
    expect(fact.status, JSON.stringify(fact.body)).toBe(201);
    const signoff = await t.api('POST', '/api/v1/statistics/annual/2024/signoff?scope=institution:a');
    expect(signoff.status, JSON.stringify(signoff.body)).toBe(200);
    stats = await get<StatisticsModel>('/api/v1/statistics/annual?year=2024&scope=city');
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const row = (id: string) => {
    const r = stats.institutions.find((i) => i.institutionId === id);
    if (r === undefined) throw new Error(`no row ${id}`);
    return r;
  };
  const near = (a: number | null | undefined, b: number, what: string) =>
    expect(Math.abs((a ?? Number.NaN) - b), `${what}: ${a} vs ${b}`).toBeLessThanOrEqual(0.005 + 1e-9);

  it('shows identity, the facts in force and the sign-offs', () => {
    expect(stats.schema).toBe('jieneng.statistics/1');
    expect(stats.layout.version).toBe('jieneng.statistics-forms/2025-1');
    expect(stats.institutions.map((i) => [i.institutionId, i.creditCode, i.natureCode, i.gridRegion])).toEqual([
      ['a', CODE_A, '01', 'north'],
      ['b', CODE_B, '021', 'east'],
      ['c', null, null, 'southern'],
    ]);
    expect(stats.institutions.map((i) => i.lines.map((l) => l.energy))).toEqual([
      ['electricity', 'water'],
      ['electricity', 'gas'],
      ['electricity', 'water'],
    ]);
    expect(row('a').signedOff?.by).toBeTruthy();
    expect(row('b').signedOff).toBeNull();
    expect(stats.total.signedOff).toBe(1);
    // 2024 is a leap year: 5,000 m² for 182 days, 6,000 m² for 184.
    near(row('c').floorAreaM2, (5000 * 182 + 6000 * 184) / 366, 'weighted area');
    expect(row('b').persons).toBe(400);
  });

  it('equals /consumption for each institution and energy: native, kgce, kgce_ev, kgco2 and yuan', async () => {
    for (const r of stats.institutions) {
      const scope = `institution:${r.institutionId}`;
      for (const l of r.lines) {
        const e = `energy=${l.energy}`;
        near(l.quantityNative, await consumption(scope, `${e}&unit=native`), `${scope} ${l.energy} native`);
        near(l.kgce, await consumption(scope, `${e}&unit=kgce`), `${scope} ${l.energy} kgce`);
        near(l.kgceEv, await consumption(scope, `${e}&unit=kgce_ev`), `${scope} ${l.energy} kgce_ev`);
        if (l.energy !== 'water')
          near(l.kgco2, await consumption(scope, `${e}&unit=kgco2`), `${scope} ${l.energy} kgco2`);
        expect(l.costYuan, `${scope} ${l.energy} yuan`).toBe(await consumption(scope, `${e}&unit=yuan`));
        expect(l.tce).toBeCloseTo(l.kgce / 1000, 9);
        expect(l.tceEv).toBeCloseTo(l.kgceEv / 1000, 9);
      }
      near(r.totalKgce, await consumption(scope, 'unit=kgce'), `${scope} total kgce`);
      near(r.totalKgceEv, await consumption(scope, 'unit=kgce_ev'), `${scope} total kgce_ev`);
      near(r.totalKgco2, await consumption(scope, 'unit=kgco2'), `${scope} total kgco2`);
      expect(r.totalCostYuan).toBe(await consumption(scope, 'unit=yuan'));
      expect(r.totalTce).toBeCloseTo(r.totalKgce / 1000, 9);
    }
    // Quantities in the form's units: kWh, t of water, m³ of gas.
    const water = row('a').lines.find((l) => l.energy === 'water');
    expect([water?.formUnitZh, water?.quantity]).toEqual(['吨', water?.quantityNative]);
  });

  it('costs the bill where it covers the year, tariff × consumption elsewhere', async () => {
    const a = await get<Answer & { billed: number; tariffed: number }>(
      `/api/v1/consumption?scope=institution:a&${YEAR}&energy=electricity&unit=yuan`,
    );
    expect(a.billed).toBe(23_456.78);
    expect(a.tariffed).toBeGreaterThan(0);
    expect(row('a').lines.find((l) => l.energy === 'electricity')?.costYuan).toBe(a.total);
  });

  it('computes the indicators as quotients with the facts in force', async () => {
    for (const r of stats.institutions) {
      const scope = `institution:${r.institutionId}`;
      const ex = r.exact;
      const kgce = ex.lines.filter((l) => l.energy !== 'water').reduce((s, l) => s + l.kgceMicro, 0);
      const co2 = ex.lines.reduce((s, l) => s + (l.kgco2Micro ?? 0), 0);
      const water = ex.lines.find((l) => l.energy === 'water')?.amountMicro;
      expect(r.indicators.kgcePerM2).toBe(fromMicro((kgce / ex.floorAreaM2Micro) * 1e6, 4));
      expect(r.indicators.kgcePerPerson).toBe(fromMicro((kgce / ex.occupantsMicro) * 1e6, 4));
      expect(r.indicators.kgco2PerM2).toBe(fromMicro((co2 / ex.floorAreaM2Micro) * 1e6, 4));
      expect(r.indicators.waterM3PerPerson).toBe(
        water === undefined ? 0 : fromMicro((water / ex.occupantsMicro) * 1e6, 4),
      );
      // The same floor area as /consumption's per=m2 (facts in force, time-weighted).
      const perM2 = await consumption(scope, 'unit=kgce&per=m2');
      expect(Math.abs((r.indicators.kgcePerM2 ?? 0) - perM2)).toBeLessThanOrEqual(0.00005 + 1e-9);
    }
  });

  it('rolls up by district, type and nature as exact sums rounded once', async () => {
    const check = (g: StatisticsRollUp, members: StatisticsModel['institutions']) => {
      const sum = (f: (l: StatisticsModel['institutions'][number]['exact']['lines'][number]) => number) =>
        members.flatMap((m) => m.exact.lines).reduce((s, l) => s + f(l), 0);
      const energy = (l: { energy: string }) => l.energy !== 'water';
      expect(g.institutions, g.key).toBe(members.length);
      expect(g.totalKgce, g.key).toBe(
        fromMicro(
          sum((l) => (energy(l) ? l.kgceMicro : 0)),
          2,
        ),
      );
      expect(g.totalKgceEv, g.key).toBe(
        fromMicro(
          sum((l) => (energy(l) ? l.kgceEvMicro : 0)),
          2,
        ),
      );
      expect(g.totalKgco2, g.key).toBe(
        fromMicro(
          sum((l) => l.kgco2Micro ?? 0),
          2,
        ),
      );
      expect(g.totalCostYuan, g.key).toBe(
        fromMicro(
          sum((l) => l.costMicro),
          2,
        ),
      );
      const area = members.reduce((s, m) => s + m.exact.floorAreaM2Micro, 0);
      expect(g.floorAreaM2, g.key).toBe(fromMicro(area, 2));
      for (const l of g.lines)
        expect(l.quantityNative).toBe(
          fromMicro(
            sum((x) => (x.energy === l.energy ? x.amountMicro : 0)),
            2,
          ),
        );
    };
    const all = stats.institutions;
    expect(stats.byDistrict.map((d) => [d.key, d.name])).toEqual([
      ['d1', '鼓楼区'],
      ['d2', '台江区'],
    ]);
    for (const d of stats.byDistrict)
      check(
        d,
        all.filter((i) => i.districtId === d.key),
      );
    expect(stats.byType.map((g) => g.key)).toEqual(['office', 'school']);
    for (const g of stats.byType)
      check(
        g,
        all.filter((i) => i.type === g.key),
      );
    expect(stats.byNature.map((g) => g.key)).toEqual(['government', 'education', 'unspecified']);
    check(stats.total, all);
    // The city's figures are /consumption's for the city.
    near(stats.total.totalKgce, await consumption('city', 'unit=kgce'), 'city kgce');
    near(stats.total.totalKgco2, await consumption('city', 'unit=kgco2'), 'city kgco2');
    expect(stats.total.totalCostYuan).toBe(await consumption('city', 'unit=yuan'));
    near(stats.byDistrict[0]?.totalKgce, await consumption('district:d1', 'unit=kgce'), 'd1 kgce');
    // A district scope holds its institutions only.
    const d2 = await get<StatisticsModel>('/api/v1/statistics/annual?year=2024&scope=district:d2');
    expect(d2.institutions.map((i) => i.institutionId)).toEqual(['c']);
    expect(d2.total.totalKgce).toBe(row('c').totalKgce);
  });

  it('writes an XLSX that ExcelJS opens, in Chinese, with the figures', async () => {
    const { body, headers } = await download('year=2024&scope=city&format=xlsx');
    expect(headers.get('content-disposition')).toBe('attachment; filename="jieneng-statistics-2024-city.xlsx"');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(body as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      '基本信息及能源资源消费',
      '行政区域汇总',
      '分类汇总',
      '单位性质汇总',
      '说明',
    ]);
    const ws = wb.getWorksheet('基本信息及能源资源消费');
    const header = (ws?.getRow(1).values ?? []) as unknown[];
    for (const h of [
      STAT_HEADERS.name,
      STAT_HEADERS.creditCode,
      STAT_HEADERS.nature,
      '电消费量(千瓦时)',
      '水消费量(吨)',
    ])
      expect(header).toContain(h);
    const col = (h: string) => header.indexOf(h);
    const a = (ws?.getRow(2).values ?? []) as unknown[];
    expect(a[col(STAT_HEADERS.name)]).toBe('机构a');
    expect(a[col(STAT_HEADERS.creditCode)]).toBe(CODE_A);
    expect(a[col(STAT_HEADERS.nature)]).toBe('01 党政机关');
    expect(a[col('电消费量(千瓦时)')]).toBe(row('a').lines.find((l) => l.energy === 'electricity')?.quantity);
    expect(a[col(STAT_HEADERS.totalTce)]).toBe(row('a').totalTce);
    expect(a[col(STAT_HEADERS.signedOff)]).toMatch(/^已签收/);
    const total = (ws?.getRow(5).values ?? []) as unknown[];
    expect(total[col(STAT_HEADERS.name)]).toBe('合计');
    expect(total[col(STAT_HEADERS.totalCost)]).toBe(stats.total.totalCostYuan);
    const districts = wb.getWorksheet('行政区域汇总');
    expect(((districts?.getRow(2).values ?? []) as unknown[])[1]).toBe('鼓楼区');
    expect(JSON.stringify(wb.getWorksheet('说明')?.getSheetValues())).toContain('jieneng.statistics-forms/2025-1');
  });

  it('writes a PDF in which pdftotext finds the Chinese headers and a figure', async () => {
    const { body, headers } = await download('year=2024&scope=city&format=pdf');
    expect(headers.get('content-type')).toBe('application/pdf');
    const file = join(dir, 'statistics.pdf');
    await writeFile(file, body);
    const { stdout } = await run('pdftotext', ['-layout', file, '-']);
    const text = stdout.replace(/[ \t]+/g, ' ');
    expect(text).toContain('全市公共机构能源资源消费统计 2024');
    for (const h of ['基本信息', '单位名称', '统一社会信用代码', '能源品种', '计量单位', '行政区域汇总', '分类汇总'])
      expect(text).toContain(h);
    expect(text).toContain(CODE_A);
    const kwh = row('b').lines.find((l) => l.energy === 'electricity')?.quantity ?? Number.NaN;
    expect(text).toContain(kwh.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
  });

  it('refuses a wrong check digit naming the field, a bad format and a scope outside the token', async () => {
    const bad = structuredClone(REGISTRY);
    (bad.institutions[1] as { creditCode?: string }).creditCode = '91110000600037341M';
    const res = await t.api<{ code: string; details: { path: string }[] }>('PUT', '/api/v1/registry', bad);
    expect(res.status).toBe(400);
    expect(res.body.details.map((d) => d.path)).toEqual(['institutions.1.creditCode']);
    const nature = structuredClone(REGISTRY);
    (nature.institutions[0] as { nature?: string }).nature = 'company';
    const n = await t.api<{ details: { path: string }[] }>('PUT', '/api/v1/registry', nature);
    expect(n.body.details.map((d) => d.path)).toEqual(['institutions.0.nature']);
    const format = await t.api<{ message: string }>('GET', '/api/v1/statistics/annual?year=2024&format=csv');
    expect(format.status).toBe(400);
    expect(format.body.message).toMatch(/^format/);
    const officer = await t.api<{ token: string }>('POST', '/api/v1/tokens', {
      name: 'd2 officer',
      role: 'officer',
      scopes: ['district:d2'],
    });
    const out = await t.api(
      'GET',
      '/api/v1/statistics/annual?year=2024&scope=district:d1',
      undefined,
      officer.body.token,
    );
    expect(out.status).toBe(403);
    const own = await t.api(
      'GET',
      '/api/v1/statistics/annual?year=2024&scope=district:d2',
      undefined,
      officer.body.token,
    );
    expect(own.status).toBe(200);
  });
});
