/**
 * Backups of the embedded store end to end: a real platform ingests a small city through its
 * broker, archives a monthly report and records anomalies; `npm run backup -- --api` takes a backup
 * while a message is acknowledged (in the write-ahead log) but not yet stored; `npm run restore`
 * restores it into a fresh data directory, and a platform started there gives every answer the
 * original gave. The CLIs run as child processes, as an operator runs them: DuckDB's file lock,
 * which a restore must respect, only holds between processes.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type BackupManifest, MANIFEST_FILE, verifyBackup } from '../../core/backup/manifest.js';
import { restoreBackup } from '../../core/backup/restore.js';
import { readingsTopic } from '../../core/domain/topics.js';
import { WriteAheadLog } from '../../ingest/wal/log.js';
import { startTestPlatform, TEST_ADMIN_TOKEN, type TestPlatform } from '../helpers/platform.js';
import { smallCity } from '../helpers/registry.js';
import { waitFor } from '../helpers/wait.js';

const ROOT = join(import.meta.dirname, '..', '..');
const HOUR_MS = 3_600_000;
/** Six hourly readings ending four hours ago: recent enough for the hourly detection, offline by now. */
const BASE_MS = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 9 * HOUR_MS;
const HOURS = [0, 1, 2, 3, 4, 5].map((h) => BASE_MS + h * HOUR_MS);
const REGISTERS: Record<string, number[]> = {
  'm-light': [1000, 1000.5, 1001, 1002, 1002.5, 1003],
  'm-hvac': [500, 510, 520, 530, 540, 550],
  'm-water': [10, 11, 12, 13, 14, 15],
  'm-school': [0, 5, 10, 15, 20, 25],
  'm-hosp': [100, 120, 140, 160, 180, 200],
  'm-gas': [0, 2, 4, 6, 8, 10],
};
/** The reading held back until after the backup: the restored platform gets it from the log. */
const LATE = { meter: 'm-hosp', ts: BASE_MS + 6 * HOUR_MS, value: 230 };

const localDate = (ms: number) => new Date(ms + 8 * HOUR_MS).toISOString().slice(0, 10);
const year = new Date(BASE_MS + 8 * HOUR_MS).getUTCFullYear();

/** The instant both platforms answer at: completeness of the current month counts the hours until now. */
const ANSWERS_AT_MS = BASE_MS + 10 * HOUR_MS;

/** Every answer compared between the original platform and the restored one, asked at `ANSWERS_AT_MS`. */
async function answers(t: TestPlatform): Promise<Record<string, unknown>> {
  vi.useFakeTimers({ toFake: ['Date'], now: ANSWERS_AT_MS });
  try {
    return await ask(t);
  } finally {
    vi.useRealTimers();
  }
}

async function ask(t: TestPlatform): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const get = async (path: string) => {
    const res = await t.api('GET', path);
    expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
    out[path] = res.body;
  };
  const scopes = [
    'city',
    'district:gulou',
    'district:xuanwu',
    'institution:i-001',
    'institution:i-002',
    'institution:i-003',
    ...Object.keys(REGISTERS).map((m) => `meter:${m}`),
  ];
  const windows = {
    hour: `from=${localDate(BASE_MS - 86_400_000)}&to=${localDate(Date.now() + 2 * 86_400_000)}`,
    day: `from=${year - 1}-12-01&to=${year + 1}-02-01`,
    month: `from=${year - 1}-01-01&to=${year + 1}-01-01`,
  };
  for (const scope of scopes) {
    for (const [interval, window] of Object.entries(windows)) {
      const energy = smallCity().meters.find((m) => `meter:${m.id}` === scope)?.energy;
      const meter = energy === undefined ? '&unit=kgce' : `&energy=${energy}`;
      await get(`/api/v1/consumption?scope=${scope}&${window}&interval=${interval}${meter}`);
      if (scope === 'city') await get(`/api/v1/consumption?scope=city&${window}&interval=${interval}&energy=water`);
    }
  }
  await get('/api/v1/dead-letters?from=2020-01-01&to=2100-01-01&limit=10000');
  await get('/api/v1/anomalies?from=2020-01-01&to=2100-01-01');
  await get('/api/v1/registry');
  // A running platform lists the registry in the order it was PUT, one started on a store by id.
  out['/api/v1/registry'] = Object.fromEntries(
    Object.entries(out['/api/v1/registry'] as Record<string, { id: string }[]>).map(([k, rows]) => [
      k,
      [...rows].sort((x, y) => x.id.localeCompare(y.id)),
    ]),
  );
  await get('/api/v1/reports');
  return out;
}

/** Runs `npm run backup|restore -- args` as a child process; resolves with its exit code and stderr. */
function cli(command: 'backup' | 'restore', args: string[], env: Record<string, string> = {}) {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'server/backup-cli.ts', command, ...args],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', TIMEZONE: 'Asia/Shanghai', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stderr })),
  );
}

describe('backup and restore of the embedded store', () => {
  let work: string;
  let original: TestPlatform;
  let originalRunning = false;
  let restored: TestPlatform | undefined;
  let before: Record<string, unknown>;
  const dirs = () => ({ a: join(work, 'a'), out: join(work, 'out'), b: join(work, 'b') });

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'jieneng-backup-'));
    original = await startTestPlatform({}, dirs().a);
    originalRunning = true;
    const put = await original.api('PUT', '/api/v1/registry', smallCity());
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const gw1 = await original.connectGateway('gw-001', 'secret-gw-001');
    const gw2 = await original.connectGateway('gw-002', 'secret-gw-002');
    for (let h = 0; h < HOURS.length; h++) {
      const readings: unknown[] = ['m-light', 'm-hvac', 'm-water', 'm-school'].map((meter) => ({
        meter,
        ts: HOURS[h],
        value: REGISTERS[meter]?.[h],
      }));
      readings.push({ meter: 'm-light', ts: HOURS[h], value: 'abc' }, { meter: 'nope', ts: HOURS[h], value: 1 });
      await gw1.publishAsync(readingsTopic('gw-001'), JSON.stringify({ readings }), { qos: 1 });
      for (const meter of ['m-hosp', 'm-gas'])
        await gw2.publishAsync(
          readingsTopic('gw-002'),
          JSON.stringify({ meter, ts: HOURS[h], value: REGISTERS[meter]?.[h] }),
          { qos: 1 },
        );
    }
    await gw1.publishAsync(readingsTopic('gw-001'), '{not json', { qos: 1 });
    await original.platform.pipeline.drain();
    for (const job of ['monthly-reports', 'detect-hourly']) {
      const run = await original.api<{ lastRun: { outcome: string } }>('POST', `/api/v1/jobs/${job}/run`);
      expect(run.body.lastRun.outcome, JSON.stringify(run.body)).toBe('ok');
    }

    // Ingest writes are held while the CLI asks the platform for a backup; once the backup job has
    // started, a gateway's message is acknowledged (it is in the write-ahead log), but stored only
    // after the backup copied the database.
    let release = () => {};
    const held = original.platform.pipeline.exclusive(() => new Promise<void>((resolve) => (release = resolve)));
    const backup = cli('backup', ['--api', original.platform.apiUrl, '--token', TEST_ADMIN_TOKEN, '--out', dirs().out]);
    await waitFor(
      async () => readdir(join(dirs().a, 'backups')).catch(() => []),
      (names) => names.length > 0,
    );
    await gw2.publishAsync(readingsTopic('gw-002'), JSON.stringify(LATE), { qos: 1 });
    release();
    await held;
    const done = await backup;
    expect(done.code, done.stderr).toBe(0);
    expect(done.stderr).toMatch(/backup: backup complete: \d+ files in/);
    await original.platform.pipeline.drain();
    before = await answers(original);
  }, 60_000);

  afterAll(async () => {
    await restored?.close();
    if (originalRunning) await original.close();
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  it('backs up the database, the write-ahead log with the message not yet stored, and the reports', async () => {
    const manifest = await verifyBackup(dirs().out);
    const paths = manifest.files.map((f) => f.path);
    expect(paths).toContain('jieneng.duckdb');
    expect(paths).toContain('wal/checkpoint');
    expect(paths.some((p) => /^wal\/\d{16}\.wal$/.test(p))).toBe(true);
    expect(paths.some((p) => /^reports\/\d{4}-\d{2}\/city\/v1\.xlsx$/.test(p))).toBe(true);
    expect(manifest.versions.node).toBe(process.version);
    // The late reading is in the backup's log past its checkpoint: the restore replays it.
    const copy = join(work, 'wal-copy');
    await cp(join(dirs().out, 'wal'), copy, { recursive: true });
    const wal = await WriteAheadLog.open({ dir: copy });
    const pending: string[] = [];
    for await (const r of wal.replay()) pending.push(r.payload.toString('utf8'));
    await wal.close();
    expect(pending.join('\n')).toContain(String(LATE.ts));
  });

  it('refuses to restore into the data directory of a running platform', async () => {
    const run = await cli('restore', ['--from', dirs().out, '--data-dir', dirs().a, '--force']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain('JN_BACKUP_TARGET_IN_USE');
  });

  it('restores into a fresh directory, and the platform started there answers as the original', async () => {
    originalRunning = false;
    await original.close();
    const run = await cli('restore', ['--from', dirs().out, '--data-dir', dirs().b]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/restore: restore complete/);
    // With the platform stopped, the CLI backs up the data directory directly.
    const offline = await cli('backup', ['--data-dir', dirs().a, '--out', join(work, 'offline')]);
    expect(offline.code, offline.stderr).toBe(0);
    expect((await verifyBackup(join(work, 'offline'))).files.map((f) => f.path)).toContain('jieneng.duckdb');
    restored = await startTestPlatform({}, dirs().b);
    const after = await answers(restored);
    expect(Object.keys(after)).toEqual(Object.keys(before));
    for (const path of Object.keys(before)) expect(after[path], path).toEqual(before[path]);
    // Not an empty comparison: the answers hold the late reading, dead letters, anomalies and reports.
    const hosp = before[Object.keys(before).find((p) => p.includes('meter:m-hosp') && p.includes('hour')) ?? ''];
    expect((hosp as { total: number }).total).toBe(130);
    expect(
      (before['/api/v1/dead-letters?from=2020-01-01&to=2100-01-01&limit=10000'] as { deadLetters: unknown[] })
        .deadLetters,
    ).toHaveLength(13);
    expect(
      (before['/api/v1/anomalies?from=2020-01-01&to=2100-01-01'] as { anomalies: unknown[] }).anomalies.length,
    ).toBeGreaterThan(0);
    expect((before['/api/v1/reports'] as { reports: unknown[] }).reports.length).toBeGreaterThan(0);
  });

  it('refuses a backup whose files do not match its manifest, and a target that is not empty', async () => {
    const bad = join(work, 'bad');
    await cp(dirs().out, bad, { recursive: true });
    const manifest = JSON.parse(await readFile(join(bad, MANIFEST_FILE), 'utf8')) as BackupManifest;
    const db = manifest.files.find((f) => f.path === 'jieneng.duckdb');
    if (db === undefined) throw new Error('no database in the manifest');
    await writeFile(
      join(bad, MANIFEST_FILE),
      JSON.stringify({
        ...manifest,
        files: manifest.files.map((f) => (f === db ? { ...f, sha256: '0'.repeat(64) } : f)),
      }),
    );
    const target = join(work, 'c');
    await expect(restoreBackup({ from: bad, dataDir: target })).rejects.toMatchObject({ code: 'JN_BACKUP_INVALID' });
    expect(existsSync(target)).toBe(false);
    await writeFile(join(bad, MANIFEST_FILE), '{"format":"jieneng-backup"');
    await expect(restoreBackup({ from: bad, dataDir: target })).rejects.toMatchObject({ code: 'JN_BACKUP_INVALID' });
    // Not the restored platform's directory: opening its file in this process would drop its lock.
    const used = join(work, 'used');
    await mkdir(used);
    await writeFile(join(used, 'notes.txt'), 'keep');
    await expect(restoreBackup({ from: dirs().out, dataDir: used })).rejects.toMatchObject({
      code: 'JN_BACKUP_TARGET_NOT_EMPTY',
    });
    expect(await readdir(used)).toEqual(['notes.txt']);
  });
});
