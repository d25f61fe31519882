import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import cron from 'node-cron';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_COEFFICIENT_TABLE } from '../../core/domain/energy.js';
import type { ArchiveEntry, ArchiveManifest, ArchiveOutcome } from '../../core/reports/archive.js';
import type { ReportModel } from '../../core/reports/model.js';
import { reportJobs } from '../../ingest/jobs/reports.js';
import { buildFleet } from '../../simulator/fleet.js';
import { startTestPlatform, TEST_ADMIN_TOKEN, type TestPlatform } from '../helpers/platform.js';
import { expectedByInstitution, H, headerOf, onlyGateways, publishHourly, TZ } from './fleet.js';

const ROOT = join(import.meta.dirname, '..', '..');
const OCT25 = Date.parse('2026-10-25T00:00:00+08:00');
const OCT29 = Date.parse('2026-10-29T00:00:00+08:00');
const NOV = Date.parse('2026-11-01T00:00:00+08:00');
const RUN_AT = Date.parse('2026-11-01T02:00:00+08:00');
const base = buildFleet({ seed: 77, districts: 2, institutions: 2, intervalS: 3600 });
// Meters installed on 2026-10-25: a week of readings is then a complete month.
const fleet = {
  ...base,
  registry: {
    ...base.registry,
    meters: base.registry.meters.map((m) => ({ ...m, installedAt: '2026-10-25T00:00:00+08:00' })),
  },
};
const late = fleet.registry.gateways[0]?.id ?? '';
const lateInstitution = fleet.registry.buildings.find((b) => `gw-${b.id}` === late)?.institutionId ?? '';
const lateDistrict = `district:${fleet.registry.institutions.find((i) => i.id === lateInstitution)?.districtId}`;

/** Runs the report CLI in a child process. */
function cli(args: string[], dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      ['server/report-cli.ts', ...args],
      { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir } },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
    );
  });
}

describe('monthly report job, archive with versions, and the CLI', () => {
  let dir: string;
  let t: TestPlatform | undefined;
  let running = true;
  const reportsDir = () => join(dir, 'reports');
  const runJob = async () => {
    const platform = t?.platform;
    if (platform === undefined) throw new Error('no platform');
    const [job] = reportJobs({
      store: platform.store,
      registry: platform.registry,
      timeZone: TZ,
      coefficients: DEFAULT_COEFFICIENT_TABLE,
      reportsDir: reportsDir(),
      logger: pino({ level: 'silent' }),
      now: () => RUN_AT,
    });
    return (await job?.run()) as { period: string; reports: ArchiveOutcome[] };
  };
  const archived = async (scope: string, version: number) =>
    JSON.parse(await readFile(join(reportsDir(), '2026-10', scope, `v${version}.json`), 'utf8')) as ReportModel;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jieneng-archive-'));
    t = await startTestPlatform({}, dir);
    expect((await t.api('PUT', '/api/v1/registry', fleet.registry)).status).toBe(200);
    await publishHourly(
      t,
      onlyGateways(fleet, (g) => g !== late),
      OCT25,
      NOV,
    );
    // One gateway has uploaded only until the 29th when the job runs.
    await publishHourly(
      t,
      onlyGateways(fleet, (g) => g === late),
      OCT25,
      OCT29,
    );
  });
  afterAll(async () => {
    if (running) await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is scheduled at 02:00 on the 1st and listed with the platform jobs', async () => {
    const [job] = reportJobs({} as Parameters<typeof reportJobs>[0]);
    expect(job?.schedule).toBe('0 2 1 * *');
    expect(cron.validate(job?.schedule ?? '')).toBe(true);
    const jobs = await t?.api<{ jobs: { name: string }[] }>('GET', '/api/v1/jobs');
    expect(jobs?.body.jobs.map((j) => j.name)).toContain('monthly-reports');
  });

  it('on 2026-11-01 02:00 archives the October reports of the city and each district', async () => {
    const result = await runJob();
    expect(result.period).toBe('2026-10');
    const districts = fleet.registry.districts.map((d) => `district:${d.id}`);
    expect(result.reports).toEqual(
      ['city', ...districts].map((scope) => ({ period: '2026-10', scope, version: 1, created: true })),
    );
    for (const slug of ['city', ...districts.map((d) => d.replace(':', '-'))]) {
      for (const ext of ['json', 'csv', 'xlsx', 'pdf'])
        expect(existsSync(join(reportsDir(), '2026-10', slug, `v1.${ext}`)), `${slug} ${ext}`).toBe(true);
      const manifest = JSON.parse(
        await readFile(join(reportsDir(), '2026-10', slug, 'manifest.json'), 'utf8'),
      ) as ArchiveManifest;
      expect(manifest.versions.map((v) => v.version)).toEqual([1]);
    }
    const v1 = await archived('city', 1);
    // Incomplete data is reported, with its completeness, never as complete.
    expect(v1.incomplete).toEqual([lateInstitution]);
    const row = v1.institutions.find((r) => r.institutionId === lateInstitution);
    expect(row?.completeness).toBeCloseTo((4 * 24 + 1) / (7 * 24), 3);
  });

  it('lists the archive and serves its files', async () => {
    const list = await t?.api<{ reports: ArchiveEntry[] }>('GET', '/api/v1/reports');
    const city = list?.body.reports.find((r) => r.scope === 'city');
    expect(city).toMatchObject({ period: '2026-10', version: 1, latest: true, kind: 'monthly' });
    expect(city?.formats).toEqual(['json', 'csv', 'xlsx', 'pdf']);
    expect(city?.downloads.xlsx).toBe('/api/v1/reports/archive/2026-10/city/v1.xlsx');
    const res = await fetch(`${t?.platform.apiUrl}${city?.downloads.xlsx}`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="jieneng-2026-10-city-v1.xlsx"');
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.equals(await readFile(join(reportsDir(), '2026-10', 'city', 'v1.xlsx')))).toBe(true);
    for (const bad of [
      '2026-10/city/v9.pdf',
      '2026-10/city/v1.exe',
      '2026-13/city/v1.pdf',
      '2026-10/..%2F..%2Fx/v1.pdf',
    ])
      expect((await t?.api('GET', `/api/v1/reports/archive/${bad}`))?.status, bad).toBe(404);
  });

  it('keeps v1 when nothing changed, and adds v2 where late data changed the figures', async () => {
    expect((await runJob()).reports.every((r) => r.version === 1 && !r.created)).toBe(true);
    if (t === undefined) throw new Error('no platform');
    await publishHourly(
      t,
      onlyGateways(fleet, (g) => g === late),
      OCT29 + H,
      NOV,
    );
    const again = await runJob();
    for (const r of again.reports) {
      const changed = r.scope === 'city' || r.scope === lateDistrict;
      expect(r, r.scope).toEqual({ period: '2026-10', scope: r.scope, version: changed ? 2 : 1, created: changed });
    }
    const [v1, v2] = [await archived('city', 1), await archived('city', 2)];
    expect(v2.incomplete).toEqual([]);
    expect(v2.total.totalKgce).toBeGreaterThan(v1.total.totalKgce);
    const expected = expectedByInstitution(fleet, OCT25, NOV);
    for (const row of v2.institutions)
      for (const line of row.energies)
        expect(Math.abs(line.amount - (expected.get(row.institutionId)?.native.get(line.energy) ?? 0))).toBeLessThan(
          0.01,
        );
    const list = await t.api<{ reports: ArchiveEntry[] }>('GET', '/api/v1/reports');
    const city = list.body.reports.filter((r) => r.scope === 'city');
    expect(city.map((r) => [r.version, r.latest])).toEqual([
      [2, true],
      [1, false],
    ]);
  });

  it('annual-reports: on 1 January archives last year for the city and each district, listed as annual', async () => {
    const platform = t?.platform;
    if (platform === undefined) throw new Error('no platform');
    const job = reportJobs({
      store: platform.store,
      registry: platform.registry,
      timeZone: TZ,
      coefficients: DEFAULT_COEFFICIENT_TABLE,
      reportsDir: reportsDir(),
      logger: pino({ level: 'silent' }),
      now: () => Date.parse('2027-01-01T03:00:00+08:00'),
    }).find((j) => j.name === 'annual-reports');
    expect(job?.schedule).toBe('0 3 1 1 *');
    expect(cron.validate(job?.schedule ?? '')).toBe(true);
    const result = (await job?.run()) as { period: string; reports: ArchiveOutcome[] };
    const districts = fleet.registry.districts.map((d) => `district:${d.id}`);
    expect(result).toEqual({
      period: '2026',
      reports: ['city', ...districts].map((scope) => ({ period: '2026', scope, version: 1, created: true })),
    });
    // The year holds only October's data: its total is October's (latest version).
    const year = JSON.parse(await readFile(join(reportsDir(), '2026', 'city', 'v1.json'), 'utf8')) as ReportModel;
    expect(year.total.totalKgce).toBeCloseTo((await archived('city', 2)).total.totalKgce, 6);
    const list = await t?.api<{ reports: ArchiveEntry[] }>('GET', '/api/v1/reports');
    expect(list?.body.reports.find((r) => r.period === '2026' && r.scope === 'city')).toMatchObject({
      kind: 'annual',
      version: 1,
      latest: true,
    });
  });

  it('CLI: downloads through the API, and refuses to open a store the platform holds', async () => {
    const help = await cli(['--help'], dir);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--month <YYYY-MM>/);
    const out = join(dir, 'via-api.csv');
    const api = ['--api', t?.platform.apiUrl ?? '', '--token', TEST_ADMIN_TOKEN];
    const ok = await cli(['--month', '2026-10', '--scope', 'city', '--format', 'csv', '--out', out, ...api], dir);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/wrote .*via-api\.csv/);
    expect([...(await readFile(out)).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const bad = await cli(['--month', '2026-13', ...api], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/month: /);
    const locked = await cli(['--month', '2026-10', '--out', join(dir, 'x.xlsx')], dir);
    expect(locked.code).toBe(1);
    expect(locked.stderr).toMatch(/stop the platform or use --api/);
  });

  it('CLI: reads the store directly once the platform is stopped', async () => {
    await t?.close();
    running = false;
    const out = join(dir, 'direct.xlsx');
    const res = await cli(['--month', '2026-10', '--scope', 'city', '--format', 'xlsx', '--out', out], dir);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/opening the store/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    const sheet = wb.getWorksheet('汇总');
    const header = headerOf(sheet);
    const last = sheet?.getRow(sheet.rowCount);
    expect(last?.getCell(header.indexOf('综合能耗 (kgce)') + 1).value).toBe(
      (await archived('city', 2)).total.totalKgce,
    );
    const scope = await cli(['--month', '2026-10', '--scope', 'district:nowhere', '--out', out], dir);
    expect(scope.code).toBe(1);
    expect(scope.stderr).toMatch(/scope: unknown district:nowhere/);
  });
});
