/**
 * `npm run backup -- --out DIR` and `npm run restore -- --from DIR`: backups of the embedded store
 * (database, write-ahead log, report archive, manifest with SHA-256s). A backup is taken by the
 * running platform (`--api URL --token T` runs its `backup` job, which copies between ingest writes,
 * then copies the result to `--out`) or, with the platform stopped, from DATA_DIR directly. A
 * restore checks the backup first and refuses a data directory in use or not empty (`--force`).
 * Progress goes to stderr, one line per step.
 */
import { cp, readdir } from 'node:fs/promises';
import { Command } from 'commander';
import { createBackup } from '../core/backup/create.js';
import { verifyBackup } from '../core/backup/manifest.js';
import { restoreBackup } from '../core/backup/restore.js';
import { ConfigError, loadConfig } from '../core/config.js';
import { AppError } from '../core/errors.js';
import { EmbeddedStore } from '../core/storage/duckdb/embedded-store.js';
import { APP_VERSION } from './app-version.js';

/** A failure to print as one line and exit 1 with. */
class CliError extends Error {}

let progress = (message: string) => process.stderr.write(`backup: ${message}\n`);

function config(): ReturnType<typeof loadConfig> {
  try {
    return loadConfig();
  } catch (error) {
    throw error instanceof ConfigError ? new CliError(error.message) : error;
  }
}

async function assertEmpty(dir: string): Promise<void> {
  const entries = await readdir(dir).catch(() => []);
  if (entries.length > 0) throw new CliError(`--out ${dir} is not empty: give a new or empty directory`);
}

/** Runs the platform's `backup` job and copies the backup it made to `out`, checked on both sides. */
async function viaApi(api: string, token: string | undefined, out: string): Promise<void> {
  if (token === undefined) throw new CliError('--api needs --token (an admin API token of the platform)');
  await assertEmpty(out);
  const url = `${api.replace(/\/+$/, '')}/api/v1/jobs/backup/run`;
  progress(`running the backup job: POST ${url}`);
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  } catch (error) {
    throw new CliError(`cannot reach ${api}: ${(error as Error).message}`);
  }
  const body = (await res.json().catch(() => ({}))) as {
    message?: string;
    lastRun?: { outcome?: string; detail?: unknown };
  };
  if (!res.ok) throw new CliError(`${res.status}: ${body.message ?? 'the backup job could not run'}`);
  const detail = body.lastRun?.detail;
  if (body.lastRun?.outcome !== 'ok' || typeof detail !== 'object' || detail === null || !('dir' in detail))
    throw new CliError(`the backup job failed: ${JSON.stringify(detail)}`);
  const made = String(detail.dir);
  progress(`the platform wrote ${made}; verifying it`);
  await verifyBackup(made);
  progress(`copying it to ${out}`);
  await cp(made, out, { recursive: true });
  const manifest = await verifyBackup(out);
  progress(`backup complete: ${manifest.files.length} files in ${out}, verified`);
}

/** Backs up DATA_DIR with the platform stopped (DuckDB's file lock tells when it is not). */
async function direct(dataDir: string, timeZone: string, out: string): Promise<void> {
  await assertEmpty(out);
  progress(`opening the store in ${dataDir}`);
  let store: EmbeddedStore;
  try {
    store = await EmbeddedStore.open({ dataDir, timeZone });
  } catch (error) {
    if (/lock/i.test(error instanceof Error ? error.message : String(error)))
      throw new CliError(`the store in ${dataDir} is in use: use --api URL --token T on the running platform`);
    throw error;
  }
  try {
    await createBackup(
      {
        dataDir,
        snapshot: (file) => store.beginSnapshot(file),
        exclusive: (fn) => fn(),
        appVersion: APP_VERSION,
        onProgress: progress,
      },
      out,
    );
  } finally {
    await store.close();
  }
}

function program(): Command {
  const root = new Command().name('npm run').showHelpAfterError();
  root
    .command('backup')
    .description(
      'Back up the embedded store (database, write-ahead log, report archive, manifest with SHA-256s) into --out. ' +
        'With --api, the running platform takes it between ingest writes (its `backup` job); without, DATA_DIR is ' +
        'read directly and the platform must be stopped.',
    )
    .usage('-- --out DIR [--api URL --token T] [--data-dir DIR]')
    .requiredOption('--out <dir>', 'a new or empty directory for the backup')
    .option('--api <url>', 'a running platform, e.g. http://localhost:8080 (on this machine: its backup is copied)')
    .option('--token <token>', 'admin API token (with --api)')
    .option('--data-dir <dir>', 'the data directory [DATA_DIR]')
    .action(async (o: { out: string; api?: string; token?: string; dataDir?: string }) => {
      if (o.api !== undefined) return viaApi(o.api, o.token, o.out);
      const c = config();
      return direct(o.dataDir ?? c.DATA_DIR, c.TIMEZONE, o.out);
    });
  root
    .command('restore')
    .description(
      'Restore a backup into the data directory, for a platform to start on (it replays the write-ahead log). ' +
        'Every file is checked against the manifest first; a directory in use by a running platform is refused, ' +
        'and one that is not empty unless --force.',
    )
    .usage('-- --from DIR [--data-dir DIR] [--force]')
    .requiredOption('--from <dir>', 'the backup directory (with manifest.json)')
    .option('--data-dir <dir>', 'the data directory to restore into [DATA_DIR]')
    .option('--force', 'replace the database, log and reports of a directory that is not empty')
    .action(async (o: { from: string; dataDir?: string; force?: boolean }) => {
      progress = (message) => process.stderr.write(`restore: ${message}\n`);
      await restoreBackup({
        from: o.from,
        dataDir: o.dataDir ?? config().DATA_DIR,
        force: o.force === true,
        onProgress: progress,
      });
    });
  return root;
}

program()
  .parseAsync(process.argv.slice(2), { from: 'user' })
  .catch((error: unknown) => {
    if (error instanceof CliError) progress(error.message);
    else if (error instanceof AppError) progress(`${error.code}: ${error.message}`);
    else progress(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  });
