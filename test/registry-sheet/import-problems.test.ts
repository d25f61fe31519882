import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RegistryInput } from '../../core/domain/registry.js';
import { registryWorkbook } from '../../core/registry-sheet/write.js';
import { zipArchive } from '../../core/registry-sheet/zip-guard.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { smallCity } from '../helpers/registry.js';
import { lyingZip, postImport } from './helpers.js';

const ok = {
  district: { id: 'd-ok', name: '好区' },
  institution: { id: 'i-ok', name: '好机构', districtId: 'd-ok', type: 'office', floorAreaM2: 1000, occupants: 10 },
  building: { id: 'b-ok', institutionId: 'i-ok', name: '好楼', floorAreaM2: 500 },
  meter: { id: 'm-ok', buildingId: 'b-ok', gatewayId: 'gw-001', energy: 'electricity', unit: 'kWh' },
};

/**
 * Twenty planted errors, one a cell, each with the place it must be reported at. Rows are the
 * spreadsheet's: the template's data starts at row 3. The registry already holds smallCity, so
 * gw-001 is a known gateway (its row needs no secret) and gw-new is not.
 */
const planted = {
  districts: [
    ok.district,
    { id: 'bad id!', name: '坏编号' }, // districts!A4: id pattern
    { id: 'd-noname' }, // districts!B5: name missing
    { id: 'd-ok', name: '重复' }, // districts!A6: duplicate id
  ],
  institutions: [
    ok.institution,
    { ...ok.institution, id: 'i-castle', type: 'castle' }, // institutions!D4: enum
    { ...ok.institution, id: 'i-neg', floorAreaM2: -5 }, // institutions!E5: negative area
    { ...ok.institution, id: 'i-text', floorAreaM2: 'abc' }, // institutions!E6: text in a number cell
    { ...ok.institution, id: 'i-lost', districtId: 'nowhere' }, // institutions!C7: unknown district
    { ...ok.institution, id: 'i-half', occupants: 1.5 }, // institutions!F8: not an integer
  ],
  buildings: [
    ok.building,
    { ...ok.building, id: 'b-lost', institutionId: 'i-missing' }, // buildings!B4: unknown institution
    { id: 'b-noname', institutionId: 'i-ok', floorAreaM2: 10 }, // buildings!C5: name missing
  ],
  gateways: [
    { id: 'gw-001', name: '已有采集器' },
    { id: 'gw-new', name: '新采集器' }, // gateways!C4: a new gateway needs a secret
    { id: 'gw-short', secret: 'short' }, // gateways!C5: secret too short
  ],
  meters: [
    ok.meter,
    { ...ok.meter, id: 'm-pu', energy: 'plutonium' }, // meters!E4: enum
    { ...ok.meter, id: 'm-unit', unit: 'm3' }, // meters!G5: unit does not fit electricity
    { ...ok.meter, id: 'm-lost', buildingId: 'b-nowhere' }, // meters!C6: unknown building
    { ...ok.meter, id: 'm-gw', gatewayId: 'gw-nowhere' }, // meters!D7: unknown gateway
    { ...ok.meter, name: '重复' }, // meters!A8: duplicate id
    { ...ok.meter, id: 'm-zero', multiplier: 0 }, // meters!H9: multiplier must be > 0
    { ...ok.meter, id: 'm-water', energy: 'water', unit: 'm3', subItem: '01A10' }, // meters!F10: sub-item on water
    { ...ok.meter, id: 'm-when', installedAt: 'yesterday' }, // meters!M11: not a date-time
  ],
} as unknown as RegistryInput;

const expected = [
  ['districts', 4, 'id', 'A'],
  ['districts', 5, 'name', 'B'],
  ['districts', 6, 'id', 'A'],
  ['institutions', 4, 'type', 'D'],
  ['institutions', 5, 'floorAreaM2', 'E'],
  ['institutions', 6, 'floorAreaM2', 'E'],
  ['institutions', 7, 'districtId', 'C'],
  ['institutions', 8, 'occupants', 'F'],
  ['buildings', 4, 'institutionId', 'B'],
  ['buildings', 5, 'name', 'C'],
  ['gateways', 4, 'secret', 'C'],
  ['gateways', 5, 'secret', 'C'],
  ['meters', 4, 'energy', 'E'],
  ['meters', 5, 'unit', 'G'],
  ['meters', 6, 'buildingId', 'C'],
  ['meters', 7, 'gatewayId', 'D'],
  ['meters', 8, 'id', 'A'],
  ['meters', 9, 'multiplier', 'H'],
  ['meters', 10, 'subItem', 'F'],
  ['meters', 11, 'installedAt', 'M'],
].map(([sheet, row, column, letter]) => ({ path: `${sheet}!${letter}${row}`, sheet, row, column }));

const TABLES = ['districts', 'institutions', 'buildings', 'gateways', 'meters'];
const order = (p: { sheet: string; row: number; column: string }) =>
  `${TABLES.indexOf(p.sheet)}|${String(p.row).padStart(6, '0')}|${p.column}`;

describe('registry spreadsheet import: problems, dry runs and hostile bodies', () => {
  let t: TestPlatform;
  let before: unknown;
  beforeAll(async () => {
    t = await startTestPlatform();
    expect((await t.api('PUT', '/api/v1/registry', smallCity())).status).toBe(200);
  });
  beforeEach(async () => {
    before = (await t.api('GET', '/api/v1/registry')).body;
  });
  afterAll(async () => {
    await t?.close();
  });

  const imports = async () =>
    (
      await t.api<{ audit: { route: string }[] }>('GET', '/api/v1/audit?from=2000-01-01&to=2100-01-01')
    ).body.audit.filter((a) => a.route === 'POST /api/v1/registry/import').length;

  it('lists all 20 planted errors with sheet, row and column, and applies nothing', async () => {
    const res = await postImport(t, await registryWorkbook(planted, 'input'));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('JN_REGISTRY_INVALID');
    const found = (res.body.details ?? []).map(({ path, sheet, row, column }) => ({ path, sheet, row, column }));
    expect(found.sort((a, b) => order(a).localeCompare(order(b)))).toEqual(expected);
    const message = (path: string) => res.body.details?.find((d) => d.path === path)?.message;
    expect(message('institutions!E6')).toBe('"abc" is not a number');
    expect(message('institutions!C7')).toBe('unknown district "nowhere"');
    expect(message('gateways!C4')).toBe('a new gateway needs a secret');
    expect(message('meters!A8')).toBe('duplicate id "m-ok" in this submission');
    expect(message('meters!G5')).toBe('unit "m3" does not fit energy electricity');
    expect((await t.api('GET', '/api/v1/registry')).body).toEqual(before);
    expect(await imports()).toBe(0);
  });

  it('validates only with dryRun=true: the answer counts what would be, nothing changes', async () => {
    const city = smallCity();
    const change: RegistryInput = {
      ...city,
      gateways: [{ id: 'gw-003', secret: 'secret-gw-003' }],
      meters: [...city.meters, { ...ok.meter, id: 'm-new', buildingId: 'b-001', gatewayId: 'gw-003' } as never],
    };
    const workbook = await registryWorkbook(change, 'input');
    const dry = await postImport(t, workbook, { query: '?dryRun=true' });
    expect(dry.status).toBe(200);
    const rows = { districts: 2, institutions: 3, buildings: 4, gateways: 1, meters: 7 };
    expect(dry.body).toEqual({ dryRun: true, rows, registry: { ...rows, gateways: 3 } });
    expect((await t.api('GET', '/api/v1/registry')).body).toEqual(before);
    expect(await imports()).toBe(0);
    // The same workbook without dryRun is applied: the dry run's answer was the real one.
    const real = await postImport(t, workbook, { query: '?dryRun=false' });
    expect(real.body).toEqual({ dryRun: false, rows, registry: { ...rows, gateways: 3 } });
    expect(await imports()).toBe(1);
  });

  it('answers a body that is no workbook with a 400 naming the body', async () => {
    const bodies: [string, Buffer | string, string?][] = [
      ['not an XLSX workbook (an XLSX file is a zip archive)', 'this is not a spreadsheet'],
      [
        'expected an XLSX workbook (content type application/vnd.openxmlformats-officedocument.spreadsheetml.sheet)',
        '',
      ],
      ['not an XLSX workbook (an XLSX file is a zip archive)', Buffer.from([0x50, 0x4b, 0x03])],
      [
        'expected an XLSX workbook (content type application/vnd.openxmlformats-officedocument.spreadsheetml.sheet)',
        '{"districts":[]}',
        'application/json',
      ],
      [
        'no sheet named districts, institutions, buildings, gateways, meters: start from the template',
        zipArchive([{ name: 'hello.txt', data: Buffer.from('hello') }]),
        'application/octet-stream',
      ],
      // A zip bomb: 40 MiB of sheet XML in a few hundred kB, honest about its size ...
      [
        'the workbook inflates to more than 32 MiB',
        zipArchive([{ name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(40 * 2 ** 20, '<row/>') }]),
      ],
      // ... or lying about it.
      [
        'zip entry "xl/worksheets/sheet1.xml": inflates past its declared size, or is not valid deflate data',
        lyingZip('xl/worksheets/sheet1.xml', Buffer.alloc(2 ** 20, '<row/>'), 1000),
      ],
    ];
    for (const [message, body, contentType] of bodies) {
      const res = await postImport(t, body, contentType === undefined ? {} : { contentType });
      expect(res.status, message).toBe(400);
      expect(res.body.code).toBe('JN_REQUEST_INVALID');
      expect(res.body.details).toEqual([{ path: 'body', sheet: '', row: 0, column: '', message }]);
    }
    // Past the route's 20 MiB body limit, Fastify refuses the body before reading it.
    const huge = await postImport(t, Buffer.alloc(20 * 2 ** 20 + 1));
    expect(huge.status).toBe(413);
    expect((await t.api('GET', '/api/v1/registry')).body).toEqual(before);
  });

  it('lists at most 1,000 problems, and says how many more there are', async () => {
    const districts = Array.from({ length: 1500 }, (_, i) => ({ id: `d/${i}`, name: `区 ${i}` }));
    const res = await postImport(t, await registryWorkbook({ districts }, 'input'));
    expect(res.status).toBe(400);
    expect(res.body.details?.length).toBe(1001);
    expect(res.body.details?.[999]).toMatchObject({ path: 'districts!A1002', row: 1002, column: 'id' });
    expect(res.body.details?.[1000]).toEqual({
      path: 'body',
      sheet: '',
      row: 0,
      column: '',
      message: '500 more problem(s) not listed',
    });
  });

  it('is for admins only; the template and the export are for every token', async () => {
    const viewer = await t.api<{ token: string }>('POST', '/api/v1/tokens', {
      name: 'viewer',
      role: 'viewer',
      scopes: ['institution:i-001'],
    });
    expect(viewer.status).toBe(201);
    const res = await postImport(t, await registryWorkbook(smallCity(), 'input'), { token: viewer.body.token });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('JN_FORBIDDEN');
    for (const path of ['/api/v1/registry/template.xlsx', '/api/v1/registry/export.xlsx']) {
      const got = await fetch(`${t.platform.apiUrl}${path}`, {
        headers: { authorization: `Bearer ${viewer.body.token}` },
      });
      expect(got.status, path).toBe(200);
    }
  });
});
