import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HourlyConsumption } from '../../core/domain/consumption.js';
import { DEFAULT_COEFFICIENT_TABLE } from '../../core/domain/energy.js';
import type { RegistryInput } from '../../core/domain/registry.js';
import type { ReductionProgress } from '../../core/reduction-progress.js';
import type { Notice } from '../../core/reports/notice.js';
import { startTestPlatform, TEST_ADMIN_TOKEN, type TestPlatform } from '../helpers/platform.js';

// The notice's five-year reduction targets in its XLSX and PDF (issue 16, item 6), on a real
// platform with 2023–2025 data: the sheet's cells equal the JSON model's figures.

const run = promisify(execFile);
const K = DEFAULT_COEFFICIENT_TABLE.kgcePerUnit;
const H = 3_600_000;
const at = (local: string) => Date.parse(`${local}T00:00:00+08:00`);
const YEARS = [2023, 2024, 2025] as const;
const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** Per meter: building, energy and the constant hourly amount (kWh or m³) of each year. */
const METERS = {
  'm-a': { building: 'b-a', energy: 'electricity', byYear: { 2023: 10, 2024: 9.8, 2025: 9.4 } },
  'm-aw': { building: 'b-a', energy: 'water', byYear: { 2023: 2, 2024: 1.95, 2025: 1.9 } },
  'm-b': { building: 'b-b', energy: 'electricity', byYear: { 2023: 12, 2024: 12, 2025: 12 } },
  'm-s': { building: 'b-s', energy: 'electricity', byYear: { 2023: 8, 2024: 8, 2025: 7.8 } },
} as const;
const INSTITUTIONS = [
  { id: 'i-a', name: '市档案馆', type: 'office', floorAreaM2: 10_000, occupants: 100 },
  { id: 'i-b', name: '市财政局', type: 'office', floorAreaM2: 20_000, occupants: 400 },
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
const REDUCTION = { energy: 'all', kind: 'reduction', baseYear: 2023, period: '2025' } as const;
const TARGETS = [
  { ...REDUCTION, scope: 'city', reductionPct: 5, unit: 'kgce/m2' },
  // No data in its base year: no base value, no status.
  { ...REDUCTION, scope: 'city', baseYear: 2022, reductionPct: 7, unit: 'kgco2/m2' },
  // −6 % in 2025: reached.
  { ...REDUCTION, scope: 'institution:i-a', reductionPct: 5, unit: 'kgce/m2' },
  // −5 % in 2025 against −6 %: missed in the target year.
  { ...REDUCTION, scope: 'institution:i-a', energy: 'water', reductionPct: 6, unit: 'm3/capita' },
  // −2.5 % in 2025 against a path at −4 % (one year's share: 2 %).
  { ...REDUCTION, scope: 'institution:i-s', period: '2026', reductionPct: 6, unit: 'kgce/capita' },
];

const HEADERS_ZH = [
  '类型',
  '区',
  '单位',
  '指标',
  '计量单位',
  '基准年',
  '基准值',
  '目标年',
  '目标降幅 (%)',
  '目标值',
  '2023',
  '2024',
  '2025',
  '累计降幅 (%)',
  '降幅年度',
  '状态',
];

/** A worksheet's rows after the header, 0-based, empty cells as null. */
function sheetRows(ws: ExcelJS.Worksheet): unknown[][] {
  const width = ws.getRow(1).cellCount;
  const out: unknown[][] = [];
  ws.eachRow((row, n) => {
    if (n === 1) return;
    out.push(Array.from({ length: width }, (_, i) => row.getCell(i + 1).value ?? null));
  });
  return out;
}

/** The figures of a progress as the sheet should hold them: the model's, untouched. */
const figures = (p: ReductionProgress | undefined) => [
  String(p?.base.year),
  p?.base.value ?? null,
  p?.period,
  p?.reductionPct,
  p?.targetValue ?? null,
  ...YEARS.map((y) => p?.years.find((v) => v.year === y)?.value ?? null),
  p?.reductionSoFarPct ?? null,
  p?.asOfYear == null ? null : String(p.asOfYear),
];

describe('the notice shows the five-year reduction targets in XLSX and PDF', () => {
  let t: TestPlatform;
  let dir: string;
  let notice: Notice;
  const download = async (query: string) => {
    const res = await fetch(`${t.platform.apiUrl}/api/v1/reports/notice?${query}`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    expect(res.status, query).toBe(200);
    return Buffer.from(await res.arrayBuffer());
  };
  const workbook = async (query: string) => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await download(query)) as unknown as ArrayBuffer);
    return wb;
  };
  const pdfText = async (query: string) => {
    const file = join(dir, 'notice.pdf');
    await writeFile(file, await download(query));
    return (await run('pdftotext', ['-layout', file, '-'])).stdout.replace(/[ \t]+/g, ' ');
  };
  const target = (scope: string, unit: string) =>
    [...(notice.targets ?? []), ...notice.groups.flatMap((g) => g.targets ?? [])].find(
      (p) => p.scope === scope && p.unit === unit,
    );

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jieneng-notice-targets-'));
    t = await startTestPlatform();
    const put = await t.api('PUT', '/api/v1/registry', REGISTRY);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const rows: HourlyConsumption[] = [];
    for (const [meterId, m] of Object.entries(METERS))
      for (const year of YEARS)
        for (let h = at(`${year}-01-01`); h < at(`${year + 1}-01-01`); h += H)
          rows.push({
            meterId,
            hourStartMs: h,
            amountMicro: m.byYear[year] * 1e6,
            estimatedMicro: 0,
            quality: 'good',
            readingsCount: 1,
          });
    const ranges = Object.keys(METERS).map((meterId) => ({
      meterId,
      fromMs: at('2023-01-01'),
      toMs: at('2026-01-01'),
    }));
    await t.platform.store.replaceHourly(ranges, rows);
    const targets = await t.api('PUT', '/api/v1/targets', { targets: TARGETS });
    expect(targets.status, JSON.stringify(targets.body)).toBe(200);
    const res = await t.api<Notice>('GET', '/api/v1/reports/notice?year=2025&scope=city');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    notice = res.body;
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('has the progress in the JSON model, figured independently here', () => {
    const a = target('institution:i-a', 'kgce/m2');
    const kgceM2 = (kWhPerHour: number) => (kWhPerHour * 8760 * K.electricity) / 10_000;
    expect(a?.base.value).toBe(r4(kgceM2(10)));
    expect(a?.years.find((y) => y.year === 2025)?.value).toBe(r4(kgceM2(9.4)));
    expect(a?.reductionSoFarPct).toBe(6);
    expect(a?.status).toBe('on_track');
    expect(target('institution:i-a', 'm3/capita')?.status).toBe('off_track');
    expect(target('institution:i-s', 'kgce/capita')?.status).toBe('at_risk');
    // The city: 30 → 29.2 kWh an hour, −2.67 % against −5 %.
    expect(target('city', 'kgce/m2')?.status).toBe('off_track');
    expect(target('city', 'kgco2/m2')?.status).toBe('no_data');
    expect(target('city', 'kgco2/m2')?.years.map((y) => y.year)).toEqual([2023, 2024, 2025]);
  });

  it('writes a five-year targets sheet whose cells are the model’s figures, the scope’s own first', async () => {
    const wb = await workbook('year=2025&scope=city&format=xlsx');
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      '单位建筑面积能耗',
      '人均综合能耗',
      '人均用水量',
      '五年节能目标',
      '说明',
    ]);
    const ws = wb.getWorksheet('五年节能目标');
    if (ws === undefined) throw new Error('no targets sheet');
    expect(ws.getRow(1).values).toEqual([undefined, ...HEADERS_ZH]);
    expect(sheetRows(ws)).toEqual([
      ['', '', '全市', '单位面积能耗', 'kgce/m²', ...figures(target('city', 'kgce/m2')), '滞后'],
      ['', '', '全市', '单位面积碳排放', 'kgCO₂/m²', ...figures(target('city', 'kgco2/m2')), '数据不足'],
      [
        '机关办公',
        '鼓楼区',
        '市档案馆',
        '单位面积能耗',
        'kgce/m²',
        ...figures(target('institution:i-a', 'kgce/m2')),
        '符合进度',
      ],
      [
        '机关办公',
        '鼓楼区',
        '市档案馆',
        '人均用水量',
        'm³/人',
        ...figures(target('institution:i-a', 'm3/capita')),
        '滞后',
      ],
      [
        '学校',
        '鼓楼区',
        '第一中学',
        '人均能耗',
        'kgce/人',
        ...figures(target('institution:i-s', 'kgce/capita')),
        '有风险',
      ],
    ]);
    // Numbers stay numbers, shown with the model's decimals.
    const base = ws.getRow(4).getCell(7);
    expect(typeof base.value).toBe('number');
    expect(base.numFmt).toBe('#,##0.0000');
    expect(ws.getRow(4).getCell(14).numFmt).toBe('#,##0.00');
    expect(JSON.stringify(wb.getWorksheet('说明')?.getSheetValues())).toContain('累计降幅为最近一个完整年度');
  });

  it('writes the sheet in English with lang=en', async () => {
    const wb = await workbook('year=2025&scope=city&format=xlsx&lang=en');
    const ws = wb.getWorksheet('Five-year targets');
    if (ws === undefined) throw new Error('no targets sheet');
    expect(ws.getRow(1).getCell(4).value).toBe('Indicator');
    expect(sheetRows(ws).map((r) => [r[2], r[3], r[4], r.at(-1)])).toEqual([
      ['City', 'Energy per m²', 'kgce/m²', 'Off track'],
      ['City', 'CO₂ per m²', 'kgCO₂/m²', 'No data'],
      ['市档案馆', 'Energy per m²', 'kgce/m²', 'On track'],
      ['市档案馆', 'Water per person', 'm³/person', 'Off track'],
      ['第一中学', 'Energy per person', 'kgce/person', 'At risk'],
    ]);
  });

  it('shows a district its institutions’ targets, not the city’s', async () => {
    const ws = (await workbook('year=2025&scope=district:d1&format=xlsx')).getWorksheet('五年节能目标');
    expect(ws && sheetRows(ws).map((r) => [r[2], r[4]])).toEqual([
      ['市档案馆', 'kgce/m²'],
      ['市档案馆', 'm³/人'],
      ['第一中学', 'kgce/人'],
    ]);
  });

  it('prints the same table in the PDF, where pdftotext finds the Chinese headers and the figures', async () => {
    const text = await pdfText('year=2025&scope=city&format=pdf');
    for (const h of ['五年节能目标', '基准年', '基准值', '目标降幅', '目标值', '累计降幅', '降幅年度', '状态'])
      expect(text).toContain(h);
    for (const s of ['符合进度', '有风险', '滞后', '数据不足', '人均用水量', '单位面积碳排放', '第一中学'])
      expect(text).toContain(s);
    for (const p of [...(notice.targets ?? []), ...notice.groups.flatMap((g) => g.targets ?? [])]) {
      if (p.base.value !== null) expect(text).toContain(p.base.value.toFixed(4));
      for (const y of p.years) if (y.value !== null) expect(text).toContain(y.value.toFixed(4));
      if (p.reductionSoFarPct !== null) expect(text).toContain(p.reductionSoFarPct.toFixed(2));
    }
    expect(await pdfText('year=2025&scope=city&format=pdf&lang=en')).toContain('Five-year targets');
  });

  it('has no targets sheet or section when no target spans the year', async () => {
    const json = await t.api<Notice>('GET', '/api/v1/reports/notice?year=2021&scope=city');
    expect(json.body.targets).toBeNull();
    expect(json.body.groups.every((g) => g.targets === null)).toBe(true);
    const wb = await workbook('year=2021&scope=city&format=xlsx');
    expect(wb.worksheets.map((w) => w.name)).toEqual(['单位建筑面积能耗', '人均综合能耗', '人均用水量', '说明']);
    expect(JSON.stringify(wb.getWorksheet('说明')?.getSheetValues())).not.toContain('累计降幅');
    const text = await pdfText('year=2021&scope=city&format=pdf');
    expect(text).toContain('全市公共机构能源资源消费通报 2021');
    expect(text).not.toContain('五年节能目标');
  });
});
