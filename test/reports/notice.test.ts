import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HourlyConsumption } from '../../core/domain/consumption.js';
import { DEFAULT_COEFFICIENT_TABLE, type Energy } from '../../core/domain/energy.js';
import type { InstitutionType, RegistryInput } from '../../core/domain/registry.js';
import type { EnergyLine, InstitutionRow, ReportModel } from '../../core/reports/model.js';
import { buildNotice, type Notice, type NoticeIndicator, type NoticeMetric } from '../../core/reports/notice.js';
import { startTestPlatform, TEST_ADMIN_TOKEN, type TestPlatform } from '../helpers/platform.js';

const run = promisify(execFile);
const K = DEFAULT_COEFFICIENT_TABLE.kgcePerUnit;
const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** An energy line with the exact figures the notice reads (everything else is filler). */
function line(energy: Energy, amount: number, kgce: number): EnergyLine {
  return {
    energy,
    unit: energy === 'water' ? 'm3' : 'kWh',
    amount,
    kgce,
    countsAsEnergy: energy !== 'water',
    previous: null,
    momChange: null,
    lastYear: null,
    yoyChange: null,
    meters: 1,
    expectedReadings: 8760,
    receivedReadings: 8760,
    completeness: 1,
    estimatedShare: 0,
    target: null,
    exact: { amountMicro: amount * 1e6, kgceMicro: kgce * 1e6, previousMicro: null, lastYearMicro: null },
  };
}

/** A report row of an institution: kgce (all electricity here), floor area, persons, water (none: no meter). */
function row(
  id: string,
  type: InstitutionType,
  f: { kgce: number; area: number; persons: number; water?: number; completeness?: number },
): InstitutionRow {
  const energies = [line('electricity', f.kgce / K.electricity, f.kgce)];
  if (f.water !== undefined) energies.push(line('water', f.water, 0));
  return {
    institutionId: id,
    name: `单位 ${id}`,
    districtId: 'd1',
    districtName: '鼓楼区',
    type,
    energies,
    totalKgce: f.kgce,
    floorAreaM2: f.area,
    occupants: f.persons,
    kgcePerM2: null,
    kgcePerCapita: null,
    previous: null,
    momChange: null,
    lastYear: null,
    yoyChange: null,
    meters: energies.length,
    expectedReadings: 8760,
    receivedReadings: 8760,
    completeness: f.completeness ?? 1,
    estimatedShare: 0,
    target: null,
    anomalies: 0,
    exact: {
      kgceMicro: f.kgce * 1e6,
      floorAreaM2Micro: f.area * 1e6,
      occupantsMicro: f.persons * 1e6,
      previousKgceMicro: null,
      lastYearKgceMicro: null,
    },
  };
}

function model(year: string, rows: InstitutionRow[], partial = false): ReportModel {
  return {
    schema: 'jieneng.report/1',
    kind: 'annual',
    period: year,
    scope: 'city',
    scopeName: '',
    timeZone: 'Asia/Shanghai',
    from: `${year}-01-01T00:00:00+08:00`,
    to: `${Number(year) + 1}-01-01T00:00:00+08:00`,
    generatedAt: '2026-02-01T00:00:00+08:00',
    partial,
    coefficients: { version: DEFAULT_COEFFICIENT_TABLE.version, source: '', kgcePerUnit: {} },
    waterExcludedFromKgce: true,
    completenessThreshold: 0.9,
    energies: ['electricity', 'water'],
    institutions: rows,
    districts: [],
    // The notice reads rows only.
    total: { ...(rows[0] as InstitutionRow), scope: 'city', name: '', institutions: rows.length },
    incomplete: [],
    trend: [],
  };
}

const indicatorOf = (n: Notice, type: InstitutionType, metric: NoticeMetric): NoticeIndicator => {
  const found = n.groups.find((g) => g.type === type)?.indicators.find((i) => i.metric === metric);
  if (found === undefined) throw new Error(`no ${type} ${metric}`);
  return found;
};
/** A worksheet row's values, 1-based as ExcelJS gives them. */
const cells = (ws: ExcelJS.Worksheet | undefined, n: number) => (ws?.getRow(n).values ?? []) as unknown[];
const byId = (ind: NoticeIndicator) => new Map(ind.entries.map((e) => [e.institutionId, e]));

describe('public notice (pure, over annual report models)', () => {
  const THIS = [
    row('o1', 'office', { kgce: 1000, area: 100, persons: 10, water: 50 }),
    row('o2', 'office', { kgce: 3000, area: 300, persons: 20, water: 100, completeness: 0.5 }),
    row('o3', 'office', { kgce: 500, area: 100, persons: 0, water: 10 }),
    row('o4', 'office', { kgce: 200, area: 0, persons: 4 }),
    row('s1', 'school', { kgce: 800, area: 200, persons: 40, water: 80 }),
  ];
  const LAST = [row('o1', 'office', { kgce: 800, area: 100, persons: 8, water: 40 })];

  it('ranks within each type, highest first with shared ranks, and lists institutions without a denominator unranked', () => {
    const n = buildNotice(model('2025', THIS), model('2024', LAST));
    expect(n.groups.map((g) => [g.type, g.institutions])).toEqual([
      ['office', 4],
      ['school', 1],
    ]);
    const m2 = indicatorOf(n, 'office', 'kgce_per_m2');
    expect(m2.unit).toBe('kgce/m2');
    expect(m2.entries.map((e) => [e.institutionId, e.rank, e.value, e.unranked])).toEqual([
      ['o1', 1, 10, null],
      ['o2', 1, 10, null],
      ['o3', 3, 5, null],
      ['o4', null, null, 'no_floor_area'],
    ]);
    const person = indicatorOf(n, 'office', 'kgce_per_person');
    expect(person.entries.map((e) => [e.institutionId, e.rank, e.value, e.unranked])).toEqual([
      ['o2', 1, 150, null],
      ['o1', 2, 100, null],
      ['o4', 3, 50, null],
      ['o3', null, null, 'no_persons'],
    ]);
    const water = indicatorOf(n, 'office', 'water_m3_per_person');
    expect(water.entries.map((e) => [e.institutionId, e.rank, e.value, e.unranked])).toEqual([
      ['o1', 1, 5, null],
      ['o2', 1, 5, null],
      ['o3', null, null, 'no_persons'],
      ['o4', null, null, 'no_data'], // no water meter: unknown, not zero
    ]);
    expect(indicatorOf(n, 'school', 'kgce_per_m2').entries.map((e) => [e.rank, e.value])).toEqual([[1, 4]]);
    expect(byId(m2).get('o2')?.completeness).toBe(0.5);
    expect(n.groups.every((g) => g.targets === null)).toBe(true);
  });

  it("takes the type's average as total over total (not the mean of the figures) and each deviation from it", () => {
    const n = buildNotice(model('2025', THIS), model('2024', LAST));
    const m2 = indicatorOf(n, 'office', 'kgce_per_m2');
    expect(m2.average).toBe(9); // (1000 + 3000 + 500) / (100 + 300 + 100); the mean of 10, 10, 5 is 8.33
    expect(byId(m2).get('o1')?.deviation).toBe(r4(1 / 9));
    expect(byId(m2).get('o3')?.deviation).toBe(r4(-4 / 9));
    expect(byId(m2).get('o4')?.deviation).toBeNull();
    const person = indicatorOf(n, 'office', 'kgce_per_person');
    expect(person.average).toBe(r4(4200 / 34));
    expect(byId(person).get('o2')?.deviation).toBe(r4((150 - 4200 / 34) / (4200 / 34)));
    expect(indicatorOf(n, 'office', 'water_m3_per_person').average).toBe(5);
    expect(indicatorOf(n, 'school', 'kgce_per_m2').average).toBe(4);
  });

  it('gives the change on last year with last year’s figures, and none while the year runs', () => {
    const n = buildNotice(model('2025', THIS), model('2024', LAST));
    const m2 = indicatorOf(n, 'office', 'kgce_per_m2');
    expect(byId(m2).get('o1')?.lastYear).toBe(8);
    expect(byId(m2).get('o1')?.yoyChange).toBe(0.25);
    expect(byId(m2).get('o2')?.lastYear).toBeNull(); // no data last year
    expect(byId(m2).get('o2')?.yoyChange).toBeNull();
    expect(m2.averageLastYear).toBe(8);
    expect(m2.averageYoyChange).toBe(0.125);
    expect(byId(indicatorOf(n, 'office', 'kgce_per_person')).get('o1')?.yoyChange).toBe(0);
    expect(byId(indicatorOf(n, 'office', 'water_m3_per_person')).get('o1')?.yoyChange).toBe(0);
    const partial = buildNotice(model('2025', THIS, true), model('2024', LAST));
    const p = indicatorOf(partial, 'office', 'kgce_per_m2');
    expect(byId(p).get('o1')?.lastYear).toBe(8);
    expect(byId(p).get('o1')?.yoyChange).toBeNull();
    expect(p.averageYoyChange).toBeNull();
    const first = buildNotice(model('2025', THIS), undefined);
    expect(byId(indicatorOf(first, 'office', 'kgce_per_m2')).get('o1')?.yoyChange).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------

const H = 3_600_000;
const at = (local: string) => Date.parse(`${local}T00:00:00+08:00`);
const [Y2024, Y2025, Y2026] = [at('2024-01-01'), at('2025-01-01'), at('2026-01-01')];
const HOURS_2025 = (Y2026 - Y2025) / H;
const HOURS_2024 = (Y2025 - Y2024) / H;
/** Per meter: energy, and its constant hourly consumption in 2025 and (if any) 2024. */
const METERS: Record<string, { building: string; energy: Energy; y2025: number; y2024?: number }> = {
  'm-a': { building: 'b-a', energy: 'electricity', y2025: 10, y2024: 8 },
  'm-aw': { building: 'b-a', energy: 'water', y2025: 1, y2024: 1 },
  'm-b': { building: 'b-b', energy: 'electricity', y2025: 15 },
  'm-bw': { building: 'b-b', energy: 'water', y2025: 3 },
  'm-c': { building: 'b-c', energy: 'electricity', y2025: 6 },
  'm-s': { building: 'b-s', energy: 'electricity', y2025: 8 },
};
const INSTITUTIONS = [
  { id: 'i-a', name: '市档案馆', type: 'office', floorAreaM2: 10_000, occupants: 100 },
  { id: 'i-b', name: '市财政局', type: 'office', floorAreaM2: 20_000, occupants: 400 },
  { id: 'i-c', name: '市气象台', type: 'office', floorAreaM2: 5_000, occupants: 0 },
  { id: 'i-s', name: '第一中学', type: 'school', floorAreaM2: 8_000, occupants: 1_000 },
] as const;
const REGISTRY: RegistryInput = {
  districts: [{ id: 'd1', name: '鼓楼区' }],
  institutions: INSTITUTIONS.map((i) => ({ ...i, districtId: 'd1' })),
  buildings: INSTITUTIONS.map((i) => ({
    id: `b-${i.id.slice(2)}`,
    institutionId: i.id,
    name: i.name,
    floorAreaM2: i.floorAreaM2,
  })),
  gateways: [{ id: 'gw-1', secret: 'secret-gw-1' }],
  meters: Object.entries(METERS).map(([id, m]) => ({
    id,
    buildingId: m.building,
    gatewayId: 'gw-1',
    energy: m.energy,
    unit: m.energy === 'water' ? 'm3' : 'kWh',
    multiplier: 1,
    intervalS: 3600,
  })),
};
/** kgce of an institution in 2025 (electricity only here). */
const kgce2025 = (meter: string) => (METERS[meter]?.y2025 ?? 0) * HOURS_2025 * K.electricity;

describe('GET /api/v1/reports/notice on a platform with two years of data', () => {
  let t: TestPlatform;
  let dir: string;
  let notice: Notice;
  const download = async (query: string) => {
    const res = await fetch(`${t.platform.apiUrl}/api/v1/reports/notice?${query}`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    expect(res.status, query).toBe(200);
    return { body: Buffer.from(await res.arrayBuffer()), headers: res.headers };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jieneng-notice-'));
    t = await startTestPlatform();
    const put = await t.api('PUT', '/api/v1/registry', REGISTRY);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    // Two years of hourly consumption, written as the deriver would.
    const rows: HourlyConsumption[] = [];
    const ranges: { meterId: string; fromMs: number; toMs: number }[] = [];
    for (const [meterId, m] of Object.entries(METERS)) {
      const from = m.y2024 === undefined ? Y2025 : Y2024;
      ranges.push({ meterId, fromMs: from, toMs: Y2026 });
      for (let h = from; h < Y2026; h += H)
        rows.push({
          meterId,
          hourStartMs: h,
          amountMicro: (h < Y2025 ? (m.y2024 ?? 0) : m.y2025) * 1e6,
          estimatedMicro: 0,
          quality: 'good',
          readingsCount: 1,
        });
    }
    await t.platform.store.replaceHourly(ranges, rows);
    const res = await t.api<Notice>('GET', '/api/v1/reports/notice?year=2025&scope=city');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    notice = res.body;
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('answers JSON: per type the ranking, the average, deviations and year-on-year change', () => {
    expect(notice.schema).toBe('jieneng.notice/1');
    expect(notice.year).toBe('2025');
    expect(notice.partial).toBe(false);
    expect(notice.groups.map((g) => g.type)).toEqual(['office', 'school']);
    const m2 = indicatorOf(notice, 'office', 'kgce_per_m2');
    const values = { 'i-a': kgce2025('m-a') / 10_000, 'i-b': kgce2025('m-b') / 20_000, 'i-c': kgce2025('m-c') / 5_000 };
    const average = (kgce2025('m-a') + kgce2025('m-b') + kgce2025('m-c')) / 35_000;
    expect(m2.entries.map((e) => [e.institutionId, e.rank, e.value])).toEqual([
      ['i-c', 1, r4(values['i-c'])],
      ['i-a', 2, r4(values['i-a'])],
      ['i-b', 3, r4(values['i-b'])],
    ]);
    expect(m2.average).toBe(r4(average));
    expect(byId(m2).get('i-b')?.deviation).toBe(r4((values['i-b'] - average) / average));
    // i-a used 8 kWh an hour in 2024 (a leap year), 10 in 2025, on the same floor area.
    const lastA = (8 * HOURS_2024 * K.electricity) / 10_000;
    expect(byId(m2).get('i-a')?.lastYear).toBe(r4(lastA));
    expect(byId(m2).get('i-a')?.yoyChange).toBe(r4((values['i-a'] - lastA) / lastA));
    expect(byId(m2).get('i-b')?.yoyChange).toBeNull();
    const person = indicatorOf(notice, 'office', 'kgce_per_person');
    expect(byId(person).get('i-c')?.unranked).toBe('no_persons');
    expect(person.average).toBe(r4((kgce2025('m-a') + kgce2025('m-b')) / 500));
    const water = indicatorOf(notice, 'office', 'water_m3_per_person');
    expect(water.entries.map((e) => [e.institutionId, e.rank, e.value])).toEqual([
      ['i-a', 1, r4(HOURS_2025 / 100)],
      ['i-b', 2, r4((3 * HOURS_2025) / 400)],
      ['i-c', null, null],
    ]);
    expect(water.average).toBe(r4((4 * HOURS_2025) / 500));
    expect(byId(water).get('i-a')?.yoyChange).toBe(r4(HOURS_2025 / HOURS_2024 - 1));
  });

  it('answers a district, and refuses an institution scope, csv and bad years with a 400 naming the field', async () => {
    const d = await t.api<Notice>('GET', '/api/v1/reports/notice?year=2025&scope=district:d1');
    expect(d.status).toBe(200);
    expect(d.body.groups).toEqual(notice.groups);
    for (const [query, prefix] of [
      ['year=2025&scope=institution:i-a', 'scope: '],
      ['year=2025&format=csv', 'format: '],
      ['year=2099', 'year: '],
      ['scope=city', 'year: '],
      ['year=2025&format=pdf&lang=fr', 'lang: '],
    ]) {
      const res = await t.api<{ code: string; message: string }>('GET', `/api/v1/reports/notice?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.message.startsWith(prefix ?? ''), res.body.message).toBe(true);
    }
  });

  it('writes XLSX that ExcelJS opens, with Chinese headers and the figures', async () => {
    const { body, headers } = await download('year=2025&scope=city&format=xlsx');
    expect(headers.get('content-disposition')).toBe('attachment; filename="jieneng-notice-2025-city.xlsx"');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(body as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['单位建筑面积能耗', '人均综合能耗', '人均用水量', '说明']);
    const ws = wb.getWorksheet('单位建筑面积能耗');
    const header = cells(ws, 1).slice(1);
    expect(header).toEqual([
      '类型',
      '同类排名',
      '区',
      '单位',
      '单位建筑面积能耗 (kgce/m²)',
      '偏离同类平均 (%)',
      '上年 (kgce/m²)',
      '同比 (%)',
      '数据完整率 (%)',
      '备注',
    ]);
    const m2 = indicatorOf(notice, 'office', 'kgce_per_m2');
    const second = cells(ws, 2);
    expect(second.slice(1, 6)).toEqual(['机关办公', 1, '鼓楼区', '市气象台', m2.entries[0]?.value]);
    const average = cells(ws, 2 + m2.entries.length);
    expect(average[4]).toBe('同类平均');
    expect(average[5]).toBe(m2.average);
    const persons = wb.getWorksheet('人均综合能耗');
    const unranked = cells(persons, 4).slice(1);
    expect(unranked[3]).toBe('市气象台');
    expect(unranked[9]).toBe('无用能人数，不参与排名');
    expect(JSON.stringify(wb.getWorksheet('说明')?.getSheetValues())).toContain('合计之比');
  });

  it('writes a PDF in which pdftotext finds the Chinese headers and the figures', async () => {
    const { body, headers } = await download('year=2025&scope=city&format=pdf');
    expect(headers.get('content-type')).toBe('application/pdf');
    const file = join(dir, 'notice.pdf');
    await writeFile(file, body);
    const { stdout } = await run('pdftotext', ['-layout', file, '-']);
    const text = stdout.replace(/[ \t]+/g, ' ');
    expect(text).toContain('全市公共机构能源资源消费通报 2025');
    for (const h of ['单位建筑面积能耗', '人均综合能耗', '人均用水量', '同类平均', '偏离同类平均', '同比'])
      expect(text).toContain(h);
    const m2 = indicatorOf(notice, 'office', 'kgce_per_m2');
    expect(text).toContain((m2.average ?? Number.NaN).toFixed(4));
    expect(text).toContain('市档案馆');
    const en = await download('year=2025&scope=city&format=pdf&lang=en');
    await writeFile(file, en.body);
    expect((await run('pdftotext', ['-layout', file, '-'])).stdout).toContain('energy and resource notice');
  });
});
