import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sheetTables } from '../../core/registry-sheet/columns.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { postImport } from './helpers.js';

/**
 * A workbook as people make them, not as the template is: an extra sheet first, a sheet name in
 * capitals, a title row above the headers, "label key" header cells, columns in another order, a
 * notes column without a key, padded text, empty rows, numbers typed as text (thousands
 * separators, full-width digits), ids typed as numbers, formulas, a date cell, rich text and a
 * hyperlink; and two mistakes: a merged cell (only its top-left cell holds the value) and a
 * virtual meter summing a water meter into electricity.
 */
async function messyWorkbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('Notes').addRow(['这是说明，不是数据', 42]);
  const districts = wb.addWorksheet('DISTRICTS');
  districts.addRow(['区县表（2025 年）']);
  districts.addRow(['编号 id', '名称 name', '备注']);
  districts.addRow(['  d-1  ', ' 鼓楼区 ', '老城区']);
  districts.addRow([]);
  districts.addRow([1001, '编号是数字的区']);
  districts.addRow(['', '   ', '只有备注的行']);
  const institutions = wb.addWorksheet('institutions');
  institutions.addRow(['人数', '编号', '类型', '区县', '名称', '面积']);
  institutions.addRow(['occupants', 'id', 'type', 'districtId', 'name', 'floorAreaM2']);
  institutions.addRow(['1,200', 'i-1', 'Office', 'd-1', '机构一', { formula: '1000*2', result: 2000 }]);
  institutions.addRow([' ８０ ', 'i-2', 'school', null, { richText: [{ text: '机构' }, { text: '二' }] }, '3000.5']);
  institutions.mergeCells('D3:D4');
  const buildings = wb.addWorksheet('buildings');
  buildings.addRow([]);
  buildings.addRow(['id', 'institutionId', 'name', 'floorAreaM2']);
  buildings.addRow(['b-1', 'i-1', '一号楼', 1500.5]);
  const gateways = wb.addWorksheet('gateways');
  gateways.addRow(['id', 'name', 'secret']);
  gateways.addRow(['g-1', { text: '网关一', hyperlink: 'http://gw.example/1' }, ' secret-of-g-1 ']);
  const meters = wb.addWorksheet('meters');
  meters.addRow([]);
  meters.addRow([
    'id',
    'buildingId',
    'gatewayId',
    'energy',
    'unit',
    'multiplier',
    'intervalS',
    'subItem',
    'installedAt',
    'reading',
    'virtual.plus',
    'virtual.minus',
  ]);
  meters.addRow([
    'm-1',
    'b-1',
    'g-1',
    'ELECTRICITY',
    'kWh',
    '80',
    3600,
    { richText: [{ text: '01A' }, { text: '10' }] },
    new Date(Date.UTC(2025, 0, 2, 8, 30)),
  ]);
  meters.addRow(['m-2', 'b-1', null, 'water', 't', null, null, null, '2025-03-01 07:00', 'manual']);
  meters.addRow(['m-3', 'b-1', null, 'electricity', 'kWh', null, null, null, null, null, ' m-1 ，m-2 ']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('registry spreadsheet import of a workbook made by hand', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists the two mistakes, each at its cell', async () => {
    const res = await postImport(t, await messyWorkbook());
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.details).toEqual([
      {
        path: 'institutions!D4',
        sheet: 'institutions',
        row: 4,
        column: 'districtId',
        message: 'Invalid input: expected string, received undefined',
      },
      {
        path: 'meters!K5',
        sheet: 'meters',
        row: 5,
        column: 'virtual.plus',
        message: '"m-2" meters water, not electricity',
      },
    ]);
  });

  it('reads every other cell as its author meant it once the mistakes are fixed', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await messyWorkbook()) as unknown as ArrayBuffer);
    const institutions = wb.getWorksheet('institutions');
    institutions?.unMergeCells('D3:D4');
    if (institutions !== undefined) institutions.getCell('D4').value = 'd-1';
    const meters = wb.getWorksheet('meters');
    if (meters !== undefined) meters.getCell('K5').value = 'm-1';
    const res = await postImport(t, Buffer.from(await wb.xlsx.writeBuffer()));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.rows).toEqual({ districts: 2, institutions: 2, buildings: 1, gateways: 1, meters: 3 });
    const served = (await t.api<Record<string, Record<string, unknown>[]>>('GET', '/api/v1/registry')).body;
    expect(served.districts).toEqual([
      { id: 'd-1', name: '鼓楼区' },
      { id: '1001', name: '编号是数字的区' },
    ]);
    expect(served.institutions).toEqual([
      { id: 'i-1', name: '机构一', districtId: 'd-1', type: 'office', floorAreaM2: 2000, occupants: 1200 },
      { id: 'i-2', name: '机构二', districtId: 'd-1', type: 'school', floorAreaM2: 3000.5, occupants: 80 },
    ]);
    expect(served.gateways).toEqual([{ id: 'g-1', name: '网关一' }]);
    expect(served.meters?.map(({ registeredAt: _at, ...m }) => m)).toEqual([
      {
        id: 'm-1',
        buildingId: 'b-1',
        gatewayId: 'g-1',
        energy: 'electricity',
        unit: 'kWh',
        multiplier: 80,
        intervalS: 3600,
        subItem: '01A10',
        installedAt: '2025-01-02T08:30:00+08:00',
      },
      {
        id: 'm-2',
        buildingId: 'b-1',
        energy: 'water',
        unit: 't',
        multiplier: 1,
        intervalS: 900,
        installedAt: '2025-03-01T07:00:00+08:00',
        reading: 'manual',
      },
      {
        id: 'm-3',
        buildingId: 'b-1',
        energy: 'electricity',
        unit: 'kWh',
        multiplier: 1,
        intervalS: 900,
        virtual: { plus: ['m-1'], minus: [] },
      },
    ]);
    // The secret was trimmed as every cell is: the gateway logs in with it.
    expect((await t.connectGateway('g-1', 'secret-of-g-1')).connected).toBe(true);
  });

  it('lists header problems: an unknown column, a missing required one, a repeated one', async () => {
    const wb = new ExcelJS.Workbook();
    const meters = wb.addWorksheet('meters');
    meters.addRow(['id', 'buildingId', 'gatewayId', 'energy', 'multipler', 'energy']);
    meters.addRow(['m-9', 'b-1', 'g-1', 'electricity', 2, 'electricity']);
    const res = await postImport(t, Buffer.from(await wb.xlsx.writeBuffer()));
    expect(res.status).toBe(400);
    expect(res.body.details?.map(({ path, sheet, row, column }) => ({ path, sheet, row, column }))).toEqual([
      { path: 'meters!E1', sheet: 'meters', row: 1, column: 'multipler' },
      { path: 'meters!F1', sheet: 'meters', row: 1, column: 'energy' },
      { path: 'meters', sheet: 'meters', row: 0, column: 'unit' },
    ]);
    const keys = sheetTables()
      .find((table) => table.name === 'meters')
      ?.columns.map((c) => c.key);
    expect(res.body.details?.map((d) => d.message)).toEqual([
      `unknown column "multipler"; columns: ${keys?.join(', ')}`,
      'column "energy" appears twice',
      'missing column "unit"',
    ]);
  });
});
