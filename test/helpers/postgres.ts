import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './influxd.js';

/** Debian's PostgreSQL binaries (`postgresql` package): the newest installed major version. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'postgres')) && existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

/** The uid and gid of the `postgres` user, when there is one. */
function postgresUser(): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/** PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user. */
const asRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * Why the PostgreSQL tests do not run, or undefined when they do. Locally they are skipped with a
 * visible message; in CI (`CI` set) a missing server is an error: `.ci/run` installs it.
 */
export function postgresSkipReason(): string | undefined {
  let missing: string | undefined;
  if (postgresBinDir() === undefined) missing = 'PostgreSQL (Debian package postgresql) is not installed';
  else if (asRoot() && postgresUser() === undefined) missing = 'running as root without a postgres user';
  if (missing === undefined) return undefined;
  if (process.env.CI !== undefined && process.env.CI !== '') {
    throw new Error(`${missing}: the PostgreSQL tests must run in CI (.ci/run installs it)`);
  }
  console.warn(`\n  ⚠ ${missing}: PostgreSQL tests skipped. Install it with: apt-get install postgresql\n`);
  return `${missing}: PostgreSQL tests skipped`;
}

/** A running PostgreSQL server in a temporary directory, trusting local connections. */
export interface TestPostgres {
  readonly port: number;
  /** A connection URL of database `database` (`postgres` by default). */
  url(database?: string): string;
  /** Creates an empty database with a fresh name and returns its URL. */
  createDatabase(prefix?: string): Promise<string>;
  /** Runs one statement on the database of `url` and returns its rows. */
  query(url: string, sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

/** Runs a PostgreSQL binary, as the `postgres` user when this process is root. */
function command(bin: string, args: string[]): [string, string[]] {
  const user = asRoot() ? postgresUser() : undefined;
  if (user === undefined) return [bin, args];
  return ['setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', '--', bin, ...args]];
}

/** Starts `postgres` on a free port with a fresh cluster (initdb) in a temporary directory. */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBinDir();
  if (bin === undefined) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  const dir = await mkdtemp(join(tmpdir(), 'jieneng-postgres-'));
  const user = asRoot() ? postgresUser() : undefined;
  if (user !== undefined) await chown(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const [initdb, initArgs] = command(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '--encoding=UTF8',
    '--locale=C.UTF-8',
    '--no-sync',
  ]);
  execFileSync(initdb, initArgs, { stdio: 'pipe', cwd: dir });
  const port = await freePort();
  // Throw-away data: no fsync, no unix socket outside the directory, listen on 127.0.0.1 only.
  const [cmd, args] = command(join(bin, 'postgres'), [
    '-D',
    data,
    '-p',
    String(port),
    '-h',
    '127.0.0.1',
    '-k',
    dir,
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
  ]);
  const child: ChildProcess = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;

  const query: TestPostgres['query'] = async (target, sql, params = []) => {
    const client = new pg.Client({ connectionString: target });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  };

  const exited = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      // SIGINT: PostgreSQL's fast shutdown (disconnects clients, then exits).
      child.kill('SIGINT');
      await Promise.race([exited(), new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited();
    }
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`postgres exited (${child.exitCode}): ${output}`);
    }
    const ok = await query(url(), 'SELECT 1').then(
      () => true,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`postgres did not accept connections in 30 s: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  let count = 0;
  return {
    port,
    url,
    query,
    async createDatabase(prefix = 'jieneng') {
      const name = `${prefix}_${process.pid}_${++count}`;
      // FILE_COPY (PostgreSQL 15+) copies the small template at once; the default logs every page.
      const strategy = Number(bin.split('/').at(-2)) >= 15 ? ' STRATEGY = FILE_COPY' : '';
      await query(url(), `CREATE DATABASE "${name}"${strategy}`);
      return url(name);
    },
    stop,
  };
}
