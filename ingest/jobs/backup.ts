import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { type BackupOutcome, type BackupSource, createBackup } from '../../core/backup/create.js';
import type { JobSpec } from './runner.js';

/** Backups the job keeps in `DATA_DIR/backups`, newest first; older ones are deleted after a new one. */
export const BACKUPS_KEPT = 3;

/** What the backup job needs: the data directory and the running platform's snapshot and pause. */
export interface BackupJobDeps extends Omit<BackupSource, 'onProgress'> {
  readonly logger: Logger;
}

/** A backup's directory name: its UTC time, sortable, without `:` (e.g. `2026-12-06T03-30-00.000Z`). */
const stampOf = (ms: number) => new Date(ms).toISOString().replace(/:/g, '-');
const STAMP = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z$/;

/** Deletes the backups of `dir` beyond the newest `keep`. */
async function prune(dir: string, keep: number): Promise<string[]> {
  const stamps = (await readdir(dir)).filter((n) => STAMP.test(n)).sort();
  const old = stamps.slice(0, Math.max(0, stamps.length - keep));
  for (const name of old) await rm(join(dir, name), { recursive: true, force: true });
  return old;
}

/**
 * Makes a backup into `DATA_DIR/backups/<UTC time>/` (see `createBackup`) and keeps the newest
 * `BACKUPS_KEPT`. A backup that fails half-way is deleted: a directory there is a whole backup.
 */
export async function runBackup(deps: BackupJobDeps): Promise<BackupOutcome & { deleted: string[] }> {
  const root = join(deps.dataDir, 'backups');
  const dir = join(root, stampOf((deps.now ?? Date.now)()));
  let outcome: BackupOutcome;
  try {
    outcome = await createBackup(
      { ...deps, onProgress: (message) => deps.logger.info({ dir }, `backup: ${message}`) },
      dir,
    );
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const deleted = await prune(root, BACKUPS_KEPT);
  if (deleted.length > 0) deps.logger.info({ deleted }, 'backup: deleted older backups');
  return { ...outcome, deleted };
}

/**
 * The `backup` admin job: a consistent copy of the embedded store, its write-ahead log and the report
 * archive in `DATA_DIR/backups/<time>/`, daily at 03:30 (after the 02:00 monthly and 03:00 annual
 * reports) and on demand (`POST /api/v1/jobs/backup/run`, what `npm run backup -- --api` calls).
 * Its run detail is `{ dir, createdAt, files, bytes, deleted }`.
 */
export function backupJob(deps: BackupJobDeps): JobSpec {
  return {
    name: 'backup',
    schedule: '30 3 * * *',
    description: `Backup: the store, its write-ahead log and the report archive into DATA_DIR/backups (the newest ${BACKUPS_KEPT} kept)`,
    run: () => runBackup(deps),
  };
}
