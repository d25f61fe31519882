/**
 * The savings-project API (issue 18, item 3) on a real platform (DuckDB, broker, Fastify): b104's
 * real hourly electricity written to the store as derived hours (gaps left out) and the Bedford
 * temperatures through `store.weather`; projects created, refused (400 naming the field, 404,
 * 409, 403 outside the token's district), adjusted, and exported as XLSX and PDF.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SavingsAdjustment, SavingsAnswer, SavingsProject } from '../../core/domain/savings-projects.js';
import type { HourRecord } from '../../core/mv/series.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { b104Hours, b104Project, pureAnswer, sameFigures, seedB104, TZ } from './fixture.js';

const run = promisify(execFile);

interface Problem {
  code: string;
  details: { path: string }[];
}

let t: TestPlatform;
let hours: HourRecord[];
let dir: string;
let officerOther: string;
let officerCam: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jieneng-savings-'));
  t = await startTestPlatform({ TIMEZONE: TZ });
  hours = await b104Hours();
  await seedB104(t, hours);
  const token = async (name: string, district: string) => {
    const res = await t.api<{ token: string }>('POST', '/api/v1/tokens', {
      name,
      role: 'officer',
      scopes: [`district:${district}`],
    });
    expect(res.status).toBe(201);
    return res.body.token;
  };
  officerOther = await token('officer-other', 'other');
  officerCam = await token('officer-cam', 'cam');
}, 120_000);

afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('savings projects through the API', () => {
  it('creates a project (201, audited), lists it, refuses its id again (409)', async () => {
    const created = await t.api<SavingsProject>(
      'POST',
      '/api/v1/savings-projects',
      b104Project('p-daily', 'daily'),
      officerCam,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ id: 'p-daily', createdBy: 'officer-cam', scope: 'building:b104' });
    const again = await t.api<Problem>('POST', '/api/v1/savings-projects', b104Project('p-daily', 'hourly'));
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('JN_SAVINGS_PROJECT_EXISTS');
    const list = await t.api<{ projects: SavingsProject[] }>('GET', '/api/v1/savings-projects');
    expect(list.body.projects.map((p) => p.id)).toEqual(['p-daily']);
    expect(
      (await t.api<{ projects: unknown[] }>('GET', '/api/v1/savings-projects', undefined, officerOther)).body.projects,
    ).toEqual([]);
    const audit = await t.api<{ entries: { entity: string }[] }>('GET', '/api/v1/audit?from=2000-01-01&to=2100-01-01');
    expect(JSON.stringify(audit.body)).toContain('savings-project:p-daily');
  }, 120_000);

  it('answers 400 naming the field at fault', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...b104Project('p-x', 'daily'), scope: 'building:nope' }, 'scope'],
      [{ ...b104Project('p-x', 'daily'), scope: 'district:cam' }, 'scope'],
      [{ ...b104Project('p-x', 'daily'), weatherStationId: 'nowhere' }, 'weatherStationId'],
      [{ ...b104Project('p-x', 'daily'), baselineTo: '2016-01-01' }, 'baselineTo'],
      [{ ...b104Project('p-x', 'daily'), reportingFrom: '2017-06-01' }, 'reportingFrom'],
      [{ ...b104Project('p-x', 'daily'), model: 'monthly' }, 'model'],
      [{ ...b104Project('p-x', 'daily'), energy: 'plutonium' }, 'energy'],
      [{ ...b104Project('p-x', 'daily'), baselineFrom: '2017-13-01' }, 'baselineFrom'],
    ];
    for (const [body, field] of cases) {
      const res = await t.api<Problem>('POST', '/api/v1/savings-projects', body);
      expect(res.status, field).toBe(400);
      // An unknown scope is JN_SCOPE_UNKNOWN, as on every route (api/params.ts); the rest invalid.
      expect(res.body.code).toBe(body.scope === 'building:nope' ? 'JN_SCOPE_UNKNOWN' : 'JN_REQUEST_INVALID');
      expect(
        res.body.details.map((d) => d.path.replace(/^body\./, '')),
        field,
      ).toContain(field);
    }
  }, 120_000);

  it('answers 404 for an unknown project and 403 outside the token scope', async () => {
    expect((await t.api<Problem>('GET', '/api/v1/savings-projects/nope')).status).toBe(404);
    const foreign = await t.api<Problem>(
      'POST',
      '/api/v1/savings-projects',
      b104Project('p-foreign', 'daily'),
      officerOther,
    );
    expect(foreign.status).toBe(403);
    expect(foreign.body.code).toBe('JN_FORBIDDEN');
    expect((await t.api('GET', '/api/v1/savings-projects/p-daily', undefined, officerOther)).status).toBe(403);
    const adj = { kind: 'constant', value: 1, from: '2018-02-01', reason: 'x' };
    expect((await t.api('POST', '/api/v1/savings-projects/p-daily/adjustments', adj, officerOther)).status).toBe(403);
    expect((await t.api('POST', '/api/v1/savings-projects/nope/adjustments', adj)).status).toBe(404);
  }, 120_000);

  it('computes the project from the store as the pure model does from the CSV', async () => {
    const got = await t.api<SavingsAnswer>('GET', '/api/v1/savings-projects/p-daily');
    expect(got.status, JSON.stringify(got.body)).toBe(200);
    expect(sameFigures(got.body, pureAnswer(b104Project('p-daily', 'daily'), hours))).toEqual([]);
    expect(got.body.months).toHaveLength(12);
    expect(got.body.reporting.savingsConverted.kgce).toBeCloseTo((got.body.reporting.savings ?? 0) * 0.1229, 6);
    // Electricity converts to kgCO₂ by the grid factor (2018 takes the table's first year, 2021).
    expect(got.body.reporting.savingsConverted.kgco2).toBeCloseTo((got.body.reporting.savings ?? 0) * 0.5568, 6);
    expect(got.body.reporting.savingsConverted.yuan).toBeNull();
    expect(got.body.reporting.steps.incompleteConsumption).toBeGreaterThanOrEqual(3);
  }, 120_000);

  it('appends adjustments (201, numbered, audited) that move the savings by exactly their amount; 400 naming the field', async () => {
    const before = (await t.api<SavingsAnswer>('GET', '/api/v1/savings-projects/p-daily')).body;
    const bad = await t.api<Problem>('POST', '/api/v1/savings-projects/p-daily/adjustments', {
      kind: 'constant',
      value: 50,
      from: '2018-07-01',
      to: '2018-06-01',
      reason: 'x',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d) => d.path.replace(/^body\./, ''))).toContain('to');
    const noReason = await t.api<Problem>('POST', '/api/v1/savings-projects/p-daily/adjustments', {
      kind: 'constant',
      value: 50,
      from: '2018-06-01',
    });
    expect(noReason.body.details.map((d) => d.path.replace(/^body\./, ''))).toContain('reason');
    const wing = { kind: 'constant', value: 50, from: '2018-06-01', to: '2018-07-01', reason: '新建配楼' };
    const added = await t.api<SavingsAdjustment>(
      'POST',
      '/api/v1/savings-projects/p-daily/adjustments',
      wing,
      officerCam,
    );
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body).toMatchObject({ ...wing, n: 1, createdBy: 'officer-cam' });
    const after = (await t.api<SavingsAnswer>('GET', '/api/v1/savings-projects/p-daily')).body;
    expect(after.adjustments).toHaveLength(1);
    expect(after.adjustments[0]?.appliedAmount).toBeCloseTo(50 * 30, 6);
    expect((after.reporting.savings ?? 0) - (before.reporting.savings ?? 0)).toBeCloseTo(1500, 6);
    expect(sameFigures(after, pureAnswer(b104Project('p-daily', 'daily'), hours, [added.body]))).toEqual([]);
  }, 120_000);

  it('exports XLSX and PDF in Chinese and English', async () => {
    const download = async (query: string) => {
      const res = await fetch(`${t.platform.apiUrl}/api/v1/savings-projects/p-daily/export?${query}`, {
        headers: { authorization: 'Bearer test-admin-token-0123456789' },
      });
      return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
    };
    const answer = (await t.api<SavingsAnswer>('GET', '/api/v1/savings-projects/p-daily')).body;
    const xlsx = await download('format=xlsx&lang=zh');
    expect(xlsx.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['概要', '逐月', '非常规调整']);
    const months = wb.getWorksheet('逐月');
    expect(months?.getRow(1).getCell(2).value).toBe('调整后基准能耗 (kWh)');
    expect(months?.getRow(2).getCell(1).value).toBe('2018-01');
    expect(months?.getRow(2).getCell(2).value).toBeCloseTo(answer.months[0]?.baseline ?? Number.NaN, 6);
    expect(JSON.stringify(wb.getWorksheet('非常规调整')?.getSheetValues())).toContain('新建配楼');
    expect((await download('format=csv')).status).toBe(400);

    const pdf = await download('format=pdf&lang=zh');
    expect(pdf.type).toBe('application/pdf');
    const file = join(dir, 'savings.pdf');
    await writeFile(file, pdf.body);
    const zh = (await run('pdftotext', ['-layout', file, '-'])).stdout.replace(/[ \t]+/g, ' ');
    for (const s of ['节能量测量与验证', '调整后基准能耗', '节能量相对不确定度', '新建配楼', 'ASHRAE 14'])
      expect(zh).toContain(s);
    await writeFile(file, (await download('format=pdf&lang=en')).body);
    const en = (await run('pdftotext', ['-layout', file, '-'])).stdout;
    expect(en).toContain('Savings measurement and verification');
    expect(en).toContain('Non-routine adjustments');
  }, 120_000);

  it("prices the savings at each month's average price once a tariff prices the use", async () => {
    const tariffs = { tariffs: [{ energy: 'electricity', from: '2017-01-01', priceYuanPerUnit: 0.8 }] };
    expect((await t.api('PUT', '/api/v1/tariffs', tariffs)).status).toBe(200);
    const a = (await t.api<SavingsAnswer>('GET', '/api/v1/savings-projects/p-daily')).body;
    expect(a.reporting.savingsConverted.yuan).toBeCloseTo((a.reporting.savings ?? 0) * 0.8, 3);
    expect(a.conversions.yuan).toContain('average price');
  }, 120_000);

  it('documents every route with its request and response schemas (OpenAPI)', async () => {
    const doc = await t.api<{ paths: Record<string, Record<string, { responses?: Record<string, unknown> }>> }>(
      'GET',
      '/docs/json',
      undefined,
      '',
    );
    expect(doc.status).toBe(200);
    const one = doc.body.paths['/api/v1/savings-projects/{id}']?.get?.responses?.['200'];
    expect(JSON.stringify(one)).toContain('fsu90');
    expect(doc.body.paths['/api/v1/savings-projects']?.post?.responses?.['201']).toBeDefined();
    expect(doc.body.paths['/api/v1/savings-projects/{id}/adjustments']?.post?.responses?.['201']).toBeDefined();
  }, 120_000);

  it('computes an hourly project on an institution the same way', async () => {
    const input = b104Project('p-hourly', 'hourly', 'institution:estate');
    expect((await t.api('POST', '/api/v1/savings-projects', input)).status).toBe(201);
    const got = await t.api<SavingsAnswer>('GET', '/api/v1/savings-projects/p-hourly');
    expect(got.status, JSON.stringify(got.body)).toBe(200);
    expect(got.body.model.type).toBe('hourly');
    expect(sameFigures(got.body, pureAnswer(input, hours))).toEqual([]);
  }, 120_000);
});
