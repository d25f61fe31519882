import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, normalize, relative, sep } from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors.js';

/** The manifest's file name in a backup directory. */
export const MANIFEST_FILE = 'manifest.json';

/** The database file in a data directory and in a backup. */
export const DUCKDB_FILE = 'jieneng.duckdb';

/** One file of a backup, by its path relative to the backup directory (with `/`). */
const BackupFileSchema = z.object({
  path: z.string().min(1),
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

/** What a backup holds and how it was made; `restore` checks every file against it first. */
export const BackupManifestSchema = z.object({
  format: z.literal('jieneng-backup'),
  formatVersion: z.literal(1),
  createdAt: z.iso.datetime(),
  versions: z.object({ jieneng: z.string(), node: z.string(), duckdb: z.string() }),
  files: z.array(BackupFileSchema),
});

/** A backup's manifest. */
export type BackupManifest = z.infer<typeof BackupManifestSchema>;
/** One file of a backup's manifest. */
export type BackupFile = z.infer<typeof BackupFileSchema>;

/** The SHA-256 of a file, read as a stream (a database file need not fit in memory). */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Every file under `dir`, as sorted paths relative to it with `/`; an absent directory has none. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

/** Describes the files of a backup directory (all but the manifest) and writes its manifest. */
export async function writeManifest(
  dir: string,
  meta: Pick<BackupManifest, 'createdAt' | 'versions'>,
): Promise<BackupManifest> {
  const files: BackupFile[] = [];
  for (const path of await listFiles(dir)) {
    if (path === MANIFEST_FILE) continue;
    const file = join(dir, path);
    files.push({ path, bytes: (await stat(file)).size, sha256: await sha256File(file) });
  }
  const manifest: BackupManifest = { format: 'jieneng-backup', formatVersion: 1, ...meta, files };
  // Written last and renamed into place: a directory with a manifest is a complete backup.
  await writeFile(join(dir, `${MANIFEST_FILE}.tmp`), `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(join(dir, `${MANIFEST_FILE}.tmp`), join(dir, MANIFEST_FILE));
  return manifest;
}

const invalid = (dir: string, message: string, cause?: unknown) =>
  new AppError('JN_BACKUP_INVALID', 422, `backup ${dir}: ${message}`, cause === undefined ? {} : { cause });

/** A manifest path that stays inside the backup (no `..`, not absolute). */
function safePath(path: string): boolean {
  return !isAbsolute(path) && !normalize(path).split(/[\\/]/).includes('..');
}

/**
 * Reads a backup's manifest and checks every file it lists (present, same size, same SHA-256) and
 * that it holds the database; throws `JN_BACKUP_INVALID` naming the first problem.
 */
export async function verifyBackup(dir: string, onFile?: (file: BackupFile) => void): Promise<BackupManifest> {
  let manifest: BackupManifest;
  try {
    manifest = BackupManifestSchema.parse(JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')));
  } catch (error) {
    throw invalid(dir, `no readable ${MANIFEST_FILE} (${error instanceof Error ? error.message : error})`, error);
  }
  if (!manifest.files.some((f) => f.path === DUCKDB_FILE)) throw invalid(dir, `the manifest lists no ${DUCKDB_FILE}`);
  for (const f of manifest.files) {
    if (!safePath(f.path)) throw invalid(dir, `the manifest lists a path outside the backup: ${f.path}`);
    const file = join(dir, f.path);
    const bytes = await stat(file).then(
      (s) => s.size,
      () => undefined,
    );
    if (bytes === undefined) throw invalid(dir, `${f.path} is missing`);
    if (bytes !== f.bytes) throw invalid(dir, `${f.path} has ${bytes} bytes, the manifest says ${f.bytes}`);
    if ((await sha256File(file)) !== f.sha256) throw invalid(dir, `${f.path} does not match its SHA-256`);
    onFile?.(f);
  }
  return manifest;
}
