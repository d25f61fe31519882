import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportModel } from '../../core/reports/model.js';
import { buildFleet } from '../../simulator/fleet.js';
import { startTestPlatform, TEST_ADMIN_TOKEN, type TestPlatform } from '../helpers/platform.js';
import { headerOf, publishHourly } from './fleet.js';

const run = promisify(execFile);
const OCT = Date.parse('2026-10-01T00:00:00+08:00');
const NOV = Date.parse('2026-11-01T00:00:00+08:00');
const fleet = buildFleet({ seed: 4242, districts: 2, institutions: 3, intervalS: 3600 });
const money = (x: number) => x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

describe('report exports: CSV, XLSX and PDF', () => {
  let t: TestPlatform;
  let dir: string;
  let model: ReportModel;
  const download = async (query: string) => {
    const res = await fetch(`${t.platform.apiUrl}/api/v1/reports/monthly?${query}`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    expect(res.status, query).toBe(200);
    return { body: Buffer.from(await res.arrayBuffer()), headers: res.headers };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jieneng-exports-'));
    t = await startTestPlatform();
    expect((await t.api('PUT', '/api/v1/registry', fleet.registry)).status).toBe(200);
    await publishHourly(t, fleet, OCT, NOV);
    model = (await t.api<ReportModel>('GET', '/api/v1/reports/monthly?month=2026-10&scope=city')).body;
  });
  afterAll(async () => {
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes CSV in UTF-8 with a BOM, Chinese headers with units and the same figures', async () => {
    const { body, headers } = await download('month=2026-10&scope=city&format=csv');
    expect(headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = body.toString('utf8').slice(1).split('\r\n');
    const header = lines[0]?.split(',') ?? [];
    expect(header.slice(0, 3)).toEqual(['区', '单位', '类型']);
    expect(header).toContain('电 (kWh)');
    expect(header).toContain('综合能耗 (kgce)');
    expect(header).toContain('水 (m³)');
    const rows = lines.slice(1, lines.indexOf(''));
    expect(rows).toHaveLength(model.institutions.length + model.districts.length + 1);
    const total = rows.at(-1)?.split(',') ?? [];
    expect(total.slice(0, 2)).toEqual(['全市', '合计']);
    expect(total[header.indexOf('综合能耗 (kgce)')]).toBe(model.total.totalKgce.toFixed(2));
    expect(lines.join('\n')).toMatch(/GB\/T 2589-2020/);
    const en = await download('month=2026-10&scope=city&format=csv&lang=en');
    expect(en.body.toString('utf8')).toMatch(/^\uFEFFDistrict,Institution,Type,/);
    expect(en.body.toString('utf8')).toContain('Electricity (kWh)');
  });

  it('writes XLSX with a summary sheet and one per energy, units in headers and numbers as numbers', async () => {
    const { body, headers } = await download('month=2026-10&scope=city&format=xlsx');
    expect(headers.get('content-disposition')).toBe('attachment; filename="jieneng-2026-10-city.xlsx"');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(body as unknown as ExcelJS.Buffer);
    const names = { electricity: '电', water: '水', gas: '天然气', heat: '热力' } as Record<string, string>;
    expect(wb.worksheets.map((w) => w.name)).toEqual(['汇总', ...model.energies.map((e) => names[e]), '说明']);
    const summary = wb.getWorksheet('汇总');
    const header = headerOf(summary);
    expect(header).toEqual(expect.arrayContaining(['电 (kWh)', '综合能耗 (kgce)', '单位面积能耗 (kgce/m²)']));
    const kgceCol = header.indexOf('综合能耗 (kgce)') + 1;
    const dataRows = (summary?.rowCount ?? 0) - 1;
    expect(dataRows).toBe(model.institutions.length + model.districts.length + 1);
    for (let r = 2; r <= dataRows + 1; r++) expect(typeof summary?.getRow(r).getCell(kgceCol).value).toBe('number');
    const last = summary?.getRow(dataRows + 1);
    expect(last?.getCell(2).value).toBe('合计');
    expect(last?.getCell(kgceCol).value).toBe(model.total.totalKgce);
    const first = model.institutions[0];
    expect(summary?.getRow(2).getCell(2).value).toBe(first?.name);
    const elec = wb.getWorksheet('电');
    const elecHeader = headerOf(elec);
    expect(elecHeader).toEqual(
      expect.arrayContaining(['消费量 (kWh)', '折标准煤 (kgce)', '环比 (%)', '数据完整率 (%)']),
    );
    expect(elec?.getRow(2).getCell(4).value).toBe(first?.energies.find((l) => l.energy === 'electricity')?.amount);
    const water = wb.getWorksheet('水');
    expect(headerOf(water)).toContain('消费量 (m³)');
    const about = wb.getWorksheet('说明');
    const aboutText = JSON.stringify(about?.getSheetValues());
    expect(aboutText).toContain('GB/T 2589-2020');
    expect(aboutText).toContain('不计入综合能耗');
  });

  it('writes a PDF with an embedded Chinese font: names, totals, trend and ranking', async () => {
    const { body, headers } = await download('month=2026-10&scope=city&format=pdf');
    expect(headers.get('content-type')).toBe('application/pdf');
    expect(body.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const file = join(dir, 'report.pdf');
    await writeFile(file, body);
    const { stdout: fonts } = await run('pdffonts', [file]);
    expect(fonts).toMatch(/WenQuanYi/);
    const { stdout } = await run('pdftotext', ['-layout', file, '-']);
    const text = stdout.replace(/[ \t]+/g, ' ');
    for (const row of model.institutions) expect(text).toContain(row.name);
    expect(text).toContain('公共机构能源资源消费月报');
    expect(text).toContain('合计');
    expect(text).toContain(money(model.total.totalKgce));
    for (const d of model.districts) expect(text).toContain(money(d.totalKgce));
    expect(text).toContain('近 12 个月综合能耗');
    expect(text).toContain('2026-10');
    expect(text).toContain('单位面积能耗排名');
    expect(text).toContain('不计入综合能耗');
    const en = await download('month=2026-10&scope=city&format=pdf&lang=en');
    await writeFile(file, en.body);
    const { stdout: enText } = await run('pdftotext', ['-layout', file, '-']);
    expect(enText).toContain('monthly energy and resource report');
    expect(enText).toContain(model.institutions[0]?.name);
  });
});
