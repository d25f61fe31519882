import { copyFile, cp, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../errors.js';
import { duckDbVersion } from '../storage/duckdb/snapshot.js';
import { DUCKDB_FILE, listFiles, writeManifest } from './manifest.js';

/** What a backup needs from the process that holds the data directory. */
export interface BackupSource {
  /** The data directory (`DATA_DIR`): its write-ahead log `wal/` and report archive `reports/` are copied. */
  readonly dataDir: string;
  /**
   * Begins a consistent copy of the database into `file` (`EmbeddedStore.beginSnapshot`): resolves
   * once its point in time is fixed; `finish()` writes it out.
   */
  readonly snapshot: (file: string) => Promise<{ finish(): Promise<unknown> }>;
  /**
   * Runs `fn` while no ingest write runs (`IngestPipeline.exclusive`), so that the database's copy
   * and the log's are of one point; the identity when nothing else writes (platform stopped).
   */
  readonly exclusive: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Jieneng's version, for the manifest. */
  readonly appVersion: string;
  /** Called once per step with a line to show. */
  readonly onProgress?: (message: string) => void;
  /** The clock (epoch ms); fixed in tests. */
  readonly now?: () => number;
}

/** A backup made: where, when, and how many files and bytes it holds (manifest excluded). */
export interface BackupOutcome {
  readonly dir: string;
  readonly createdAt: string;
  readonly files: number;
  readonly bytes: number;
}

/** Copies the write-ahead log: the checkpoint first, then the segments (later records only add). */
async function copyWal(from: string, to: string): Promise<number> {
  const names = await readdir(from).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  });
  const wanted = names
    .filter((n) => n === 'checkpoint' || n.endsWith('.wal'))
    .sort((a, b) => (a === 'checkpoint' ? -1 : b === 'checkpoint' ? 1 : a.localeCompare(b)));
  if (wanted.length === 0) return 0;
  await mkdir(to, { recursive: true });
  // The segment being written may end in a record half written: replay skips such a torn tail.
  for (const name of wanted) await copyFile(join(from, name), join(to, name));
  return wanted.length;
}

/**
 * Writes a backup of a data directory into `outDir` (created; must be empty): the database (a
 * consistent snapshot), the write-ahead log as it stood at that point, the report archive, and
 * `manifest.json` with every file's size and SHA-256, written last. Records of the log past its
 * checkpoint are replayed when a platform starts on the restored directory; replay drops readings
 * already stored, so a record both in the database and in the log is harmless.
 */
export async function createBackup(source: BackupSource, outDir: string): Promise<BackupOutcome> {
  const progress = source.onProgress ?? (() => undefined);
  await mkdir(outDir, { recursive: true });
  if ((await readdir(outDir)).length > 0)
    throw new AppError('JN_BACKUP_TARGET_NOT_EMPTY', 409, `backup target ${outDir} is not empty`);
  const createdAt = new Date((source.now ?? Date.now)()).toISOString();
  const file = join(outDir, DUCKDB_FILE);
  const { snapshot, walFiles } = await source.exclusive(async () => {
    progress('ingest writes paused: fixing the database copy and copying the write-ahead log');
    const begun = await source.snapshot(file);
    try {
      return { snapshot: begun, walFiles: await copyWal(join(source.dataDir, 'wal'), join(outDir, 'wal')) };
    } catch (error) {
      await begun.finish().catch(() => undefined);
      throw error;
    }
  });
  progress(`ingest writes resumed; copied ${walFiles} write-ahead log file(s); copying the database`);
  await snapshot.finish();
  const reports = await listFiles(join(source.dataDir, 'reports'));
  progress(`copying the report archive (${reports.length} files)`);
  if (reports.length > 0)
    // Archive files are renamed into place: a `.tmp` is a write in progress, not part of it.
    await cp(join(source.dataDir, 'reports'), join(outDir, 'reports'), {
      recursive: true,
      filter: (src) => !src.endsWith('.tmp'),
    });
  progress('writing the manifest (SHA-256 of every file)');
  const manifest = await writeManifest(outDir, {
    createdAt,
    versions: { jieneng: source.appVersion, node: process.version, duckdb: duckDbVersion() },
  });
  const bytes = manifest.files.reduce((sum, f) => sum + f.bytes, 0);
  progress(`backup complete: ${manifest.files.length} files, ${bytes} bytes in ${outDir}`);
  return { dir: outDir, createdAt, files: manifest.files.length, bytes };
}
