import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Registry, RegistryInput } from '../../core/domain/registry.js';
import { registryWorkbook } from '../../core/registry-sheet/write.js';
import { buildFleet } from '../../simulator/fleet.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { cellTexts, getWorkbook, openWorkbook, postImport, regrouped, XLSX } from './helpers.js';

type Served = { gateways: { id: string; name?: string }[]; meters: Record<string, unknown>[] } & Omit<
  Registry,
  'gateways' | 'meters'
>;

// The city a bureau brings in: 760 institutions as the simulator's fleet model builds them
// (6,710 meters), behind 40 gateways so that hashing their secrets stays cheap.
const fleet: RegistryInput = regrouped(
  buildFleet({ seed: 13, districts: 12, institutions: 760, metersTarget: 6000 }).registry,
  40,
);

describe('registry spreadsheet import of a city', () => {
  let t: TestPlatform;
  let workbook: Buffer;
  beforeAll(async () => {
    t = await startTestPlatform();
    workbook = await registryWorkbook(fleet, 'input');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('imports 760 institutions and their meters in one request, and the registry is the fleet', async () => {
    expect(fleet.institutions.length).toBe(760);
    expect(fleet.meters.length).toBe(6710);
    const res = await postImport(t, workbook);
    expect(res.status, JSON.stringify(res.body).slice(0, 2000)).toBe(200);
    const counts = { districts: 12, institutions: 760, buildings: 1444, gateways: 40, meters: 6710 };
    expect(res.body).toEqual({ dryRun: false, rows: counts, registry: counts });

    const served = (await t.api<Served>('GET', '/api/v1/registry')).body;
    expect(served.districts).toEqual(fleet.districts);
    expect(served.institutions).toEqual(fleet.institutions);
    expect(served.buildings).toEqual(fleet.buildings);
    expect(served.gateways).toEqual(fleet.gateways.map(({ secret: _secret, ...g }) => g));
    // The platform stamps registeredAt on new meters (a value sent is ignored); the rest is the fleet's.
    expect(served.meters.map(({ registeredAt: _at, ...m }) => m)).toEqual(fleet.meters);
    expect(served.meters.every((m) => typeof m.registeredAt === 'string')).toBe(true);

    // The secrets in the workbook were hashed: a gateway logs in with its own.
    const client = await t.connectGateway('gw-007', 'secret-of-gw-007');
    expect(client.connected).toBe(true);
    const audit = await t.api<{ audit: { route: string; entity: string }[] }>(
      'GET',
      '/api/v1/audit?from=2000-01-01&to=2100-01-01',
    );
    expect(audit.body.audit.filter((a) => a.route === 'POST /api/v1/registry/import').map((a) => a.entity)).toEqual([
      'registry',
    ]);
  });

  it('exports a workbook without secrets that imports back changing nothing', async () => {
    const before = (await t.api<Served>('GET', '/api/v1/registry')).body;
    const hashes = t.platform.registry.get().gateways.map((g) => g.secretHash);
    const exported = await getWorkbook(t, '/api/v1/registry/export.xlsx');
    expect(exported.status).toBe(200);
    expect(exported.type).toBe(XLSX);

    const wb = await openWorkbook(exported.body);
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      'districts',
      'institutions',
      'buildings',
      'gateways',
      'meters',
      '说明 instructions',
    ]);
    expect(wb.getWorksheet('gateways')?.getRow(2).values).toEqual([undefined, 'id', 'name']);
    expect(wb.getWorksheet('meters')?.actualRowCount).toBe(2 + 6710);
    const texts = cellTexts(wb);
    const secrets = fleet.gateways.map((g) => g.secret);
    expect(texts.filter((s) => secrets.some((secret) => s.includes(secret)))).toEqual([]);
    expect(texts.filter((s) => hashes.some((h) => s.includes(h)) || s.includes('scrypt$'))).toEqual([]);
    expect(texts.filter((s) => /secretHash/i.test(s))).toEqual([]);

    const res = await postImport(t, exported.body);
    expect(res.status, JSON.stringify(res.body).slice(0, 2000)).toBe(200);
    const after = (await t.api<Served>('GET', '/api/v1/registry')).body;
    expect(after).toEqual(before);
    // Gateways without a secret in the workbook keep theirs: same hash, same login.
    expect(t.platform.registry.get().gateways.map((g) => g.secretHash)).toEqual(hashes);
    const client = await t.connectGateway('gw-011', 'secret-of-gw-011');
    expect(client.connected).toBe(true);
  });

  it('serves the template: every table with zh and en headers, and the instructions', async () => {
    const template = await getWorkbook(t, '/api/v1/registry/template.xlsx');
    expect(template.status).toBe(200);
    const wb = await openWorkbook(template.body);
    const headers = (name: string) => {
      const ws = wb.getWorksheet(name);
      return [1, 2].map((r) => ((ws?.getRow(r).values ?? []) as unknown[]).slice(1));
    };
    expect(headers('institutions')).toEqual([
      [
        '编号',
        '名称',
        '所属区县编号',
        '机构类型',
        '建筑面积(m²)',
        '用能人数',
        '电网区域',
        '统一社会信用代码',
        '单位性质',
        '气象站编号',
      ],
      [
        'id',
        'name',
        'districtId',
        'type',
        'floorAreaM2',
        'occupants',
        'gridRegion',
        'creditCode',
        'nature',
        'weatherStationId',
      ],
    ]);
    expect(headers('gateways')).toEqual([
      ['编号', '名称', '接入密钥'],
      ['id', 'name', 'secret'],
    ]);
    const meterKeys = headers('meters')[1];
    expect(meterKeys?.slice(0, 7)).toEqual(['id', 'name', 'buildingId', 'gatewayId', 'energy', 'subItem', 'unit']);
    const instructions = cellTexts(wb);
    expect(instructions).toContain('electricity');
    expect(instructions).toContain('01A10');
    expect(instructions).toContain('office | school | hospital | venue | other');
    // An empty template imports as nothing at all.
    const res = await postImport(t, template.body, { query: '?dryRun=true' });
    expect(res.status).toBe(200);
    expect(res.body.rows).toEqual({ districts: 0, institutions: 0, buildings: 0, gateways: 0, meters: 0 });
  });
});
