import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AppError } from '../errors.js';
import { duckDbFileInUse } from '../storage/duckdb/snapshot.js';
import { DUCKDB_FILE, sha256File, verifyBackup } from './manifest.js';

/** What a restore replaces in a data directory with `force` (the rest, e.g. `backups/`, stays). */
const REPLACED = [DUCKDB_FILE, `${DUCKDB_FILE}.wal`, 'wal', 'reports'];

/** Options of a restore. */
export interface RestoreOptions {
  /** The backup directory (with its `manifest.json`). */
  readonly from: string;
  /** The data directory to restore into (`DATA_DIR`). */
  readonly dataDir: string;
  /** Restore into a directory that is not empty, replacing its database, log and reports. */
  readonly force?: boolean;
  /** Called once per step with a line to show. */
  readonly onProgress?: (message: string) => void;
}

/** A restore done: the backup's time and what was copied. */
export interface RestoreOutcome {
  readonly createdAt: string;
  readonly files: number;
  readonly bytes: number;
}

/**
 * Restores a backup into a data directory, for a platform to start on. It checks every file of the
 * backup against its manifest first (`JN_BACKUP_INVALID`), refuses a directory whose database a
 * running platform holds (`JN_BACKUP_TARGET_IN_USE`, from DuckDB's file lock) and one that is not
 * empty unless `force` (`JN_BACKUP_TARGET_NOT_EMPTY`); then copies and checks the copies.
 */
export async function restoreBackup(options: RestoreOptions): Promise<RestoreOutcome> {
  const progress = options.onProgress ?? (() => undefined);
  progress(`verifying ${options.from} against its manifest`);
  const manifest = await verifyBackup(options.from);
  const bytes = manifest.files.reduce((sum, f) => sum + f.bytes, 0);
  progress(`backup of ${manifest.createdAt} verified: ${manifest.files.length} files, ${bytes} bytes`);
  const entries: string[] = await readdir(options.dataDir).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  });
  if (entries.includes(DUCKDB_FILE) && (await duckDbFileInUse(join(options.dataDir, DUCKDB_FILE))))
    throw new AppError(
      'JN_BACKUP_TARGET_IN_USE',
      409,
      `${options.dataDir} is in use by a running platform (its database is locked): stop it first`,
    );
  if (entries.length > 0) {
    if (options.force !== true)
      throw new AppError(
        'JN_BACKUP_TARGET_NOT_EMPTY',
        409,
        `${options.dataDir} is not empty: restore into an empty directory, or add --force to replace its ${REPLACED.join(', ')}`,
      );
    progress(
      `removing ${REPLACED.filter((name) => entries.includes(name)).join(', ') || 'nothing'} from ${options.dataDir}`,
    );
    for (const name of REPLACED) await rm(join(options.dataDir, name), { recursive: true, force: true });
  }
  progress(`copying ${manifest.files.length} files into ${options.dataDir}`);
  for (const f of manifest.files) {
    const target = join(options.dataDir, f.path);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(join(options.from, f.path), target);
  }
  progress('checking the copies against the manifest');
  for (const f of manifest.files) {
    if ((await sha256File(join(options.dataDir, f.path))) !== f.sha256)
      throw new AppError('JN_BACKUP_INVALID', 422, `${f.path} differs from the backup after copying`);
  }
  progress(`restore complete: start the platform on ${options.dataDir}`);
  return { createdAt: manifest.createdAt, files: manifest.files.length, bytes };
}
