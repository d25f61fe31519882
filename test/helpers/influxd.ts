import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether Debian's `influxd` (InfluxDB 1.x) is installed here. */
export function influxdAvailable(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v influxd'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Why the InfluxDB tests do not run, or undefined when they do. Locally they are skipped with a
 * visible message; in CI (`CI` set) a missing influxd is an error: `.ci/run` installs it.
 */
export function influxdSkipReason(): string | undefined {
  if (influxdAvailable()) return undefined;
  const missing = 'influxd (Debian package influxdb) is not installed';
  if (process.env.CI !== undefined && process.env.CI !== '') {
    throw new Error(`${missing}: the InfluxDB tests must run in CI (.ci/run installs it)`);
  }
  console.warn(`\n  ⚠ ${missing}: InfluxDB tests skipped. Install it with: apt-get install influxdb\n`);
  return `${missing}: InfluxDB tests skipped`;
}

/** Ports `freePort` picks from: below Linux's ephemeral range (32768–60999), where outgoing connections take theirs. */
const PORT_RANGE = { from: 20_000, to: 32_767 } as const;

/** Whether a TCP server can listen on `port` of 127.0.0.1 now. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A free TCP port on 127.0.0.1, picked at random below the ephemeral range: a port the OS hands out
 * for port 0 may be taken by any outgoing connection before the server that was given it binds it
 * (a CI run lost influxd to that). Falls back to asking the OS after 50 taken ports.
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = PORT_RANGE.from + Math.floor(Math.random() * (PORT_RANGE.to - PORT_RANGE.from + 1));
    if (await canListen(port)) return port;
  }
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** One InfluxQL statement's result: `series` absent when the statement matched nothing. */
export interface InfluxResult {
  readonly statement_id: number;
  readonly series?: readonly InfluxSeries[];
  readonly error?: string;
}

/** A series of a result: its tags (GROUP BY), column names and rows. */
export interface InfluxSeries {
  readonly name: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly columns: readonly string[];
  readonly values: readonly (readonly unknown[])[];
}

/** A running InfluxDB 1.x server in a temporary directory. */
export interface Influxd {
  readonly url: string;
  readonly port: number;
  /** Runs InfluxQL (POST /query) and returns the parsed answer. */
  query(q: string, db?: string): Promise<{ results: { series?: { values: unknown[][] }[]; error?: string }[] }>;
  /** Runs InfluxQL on `db`; throws on an HTTP or statement error, so a bad query fails the test. */
  statements(db: string, q: string): Promise<InfluxResult[]>;
  /** Writes line protocol with millisecond timestamps; throws on a non-204 answer. */
  write(db: string, lines: readonly string[]): Promise<void>;
  /** Creates a database with a fresh name and returns the name. */
  createDatabase(prefix?: string): Promise<string>;
  /** SIGSTOP: the server hangs (slow, unanswered requests). */
  pause(): void;
  /** SIGCONT after `pause`. */
  resume(): void;
  /** SIGKILL: the server is gone (connection refused) until `start`. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and data directory. */
  start(): Promise<void>;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

/** Options of a test InfluxDB. */
export interface InfluxdOptions {
  /** Turn authentication on, with this admin user (created at start). */
  readonly admin?: { readonly username: string; readonly password: string };
}

function config(dir: string, httpPort: number, rpcPort: number, auth: boolean): string {
  return `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${join(dir, 'meta')}"
[data]
  dir = "${join(dir, 'data')}"
  wal-dir = "${join(dir, 'wal')}"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:${httpPort}"
  log-enabled = false
  auth-enabled = ${auth}
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
[logging]
  level = "error"
`;
}

/** Starts `influxd` with a generated config: every directory in a temporary one, free ports. */
export async function startInfluxd(options: InfluxdOptions = {}): Promise<Influxd> {
  const dir = await mkdtemp(join(tmpdir(), 'jieneng-influxd-'));
  const confPath = join(dir, 'influxdb.conf');
  let [port, url] = [0, ''];
  /** Free ports, written into the config (a restart keeps them). */
  const choosePorts = async () => {
    const rpcPort = await freePort();
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    await writeFile(confPath, config(dir, port, rpcPort, options.admin !== undefined));
  };
  await choosePorts();
  let child: ChildProcess | undefined;
  let output = '';
  let dbCount = 0;

  const start = async () => {
    const proc = spawn('influxd', ['run', '-config', confPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout?.on('data', (d: Buffer) => {
      output = (output + d.toString()).slice(-4000);
    });
    proc.stderr?.on('data', (d: Buffer) => {
      output = (output + d.toString()).slice(-4000);
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`influxd exited (${proc.exitCode}): ${output}`);
      const ok = await fetch(`${url}/ping`).then(
        (r) => r.status === 204,
        () => false,
      );
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`influxd did not answer /ping in 30 s: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const exited = (proc: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) resolve();
      else proc.once('exit', () => resolve());
    });

  const query: Influxd['query'] = async (q, db) => {
    const a = options.admin;
    const headers: Record<string, string> =
      a === undefined ? {} : { authorization: `Basic ${btoa(`${a.username}:${a.password}`)}` };
    const body = new URLSearchParams({ q, epoch: 'ms', ...(db === undefined ? {} : { db }) });
    const res = await fetch(`${url}/query`, { method: 'POST', headers, body });
    return (await res.json()) as never;
  };

  /** Runs a statement until it succeeds (a loaded machine's fresh influxd may answer /ping before its meta store is ready). */
  const untilDone = async (what: string, attempt: () => Promise<string | undefined>) => {
    let problem: string | undefined;
    for (let i = 0; i < 100; i++) {
      problem = await attempt().catch((error: unknown) => String(error));
      if (problem === undefined) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${what} failed: ${problem}`);
  };
  const problemOf = (body: { results?: InfluxResult[]; error?: string }) =>
    body.error ?? (body.results ?? []).find((r) => r.error !== undefined)?.error;

  // Another process may take a port between its choice and influxd's bind (tests run in parallel).
  for (let attempt = 1; ; attempt++) {
    try {
      await start();
      break;
    } catch (error) {
      if (attempt >= 5 || !/address already in use/.test(String(error))) throw error;
      await choosePorts();
    }
  }
  if (options.admin !== undefined) {
    // With auth on, the first admin user may be created without credentials.
    const { username, password } = options.admin;
    const q = `CREATE USER "${username}" WITH PASSWORD '${password}' WITH ALL PRIVILEGES`;
    await untilDone('creating the admin user', async () => {
      await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q }) });
      // Done when the user can run an admin statement.
      return problemOf((await query('SHOW USERS')) as { results?: InfluxResult[]; error?: string });
    });
  }
  return {
    url,
    port,
    query,
    async statements(db, q) {
      const body = (await query(q, db)) as { results?: InfluxResult[]; error?: string };
      if (body.error !== undefined) throw new Error(`InfluxQL failed: ${body.error}\n${q}`);
      const results = body.results ?? [];
      const failed = results.find((r) => r.error !== undefined);
      if (failed !== undefined) throw new Error(`InfluxQL statement failed: ${failed.error}\n${q}`);
      return results;
    },
    async write(db, lines) {
      const res = await fetch(`${url}/write?db=${encodeURIComponent(db)}&precision=ms`, {
        method: 'POST',
        body: lines.join('\n'),
      });
      if (res.status !== 204) throw new Error(`write failed (${res.status}): ${await res.text()}`);
    },
    async createDatabase(prefix = 'jieneng') {
      const name = `${prefix}_${process.pid}_${++dbCount}`;
      await untilDone(`CREATE DATABASE "${name}"`, async () =>
        problemOf((await query(`CREATE DATABASE "${name}"`)) as { results?: InfluxResult[]; error?: string }),
      );
      return name;
    },
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
    async kill() {
      const proc = child;
      if (proc === undefined) return;
      proc.kill('SIGCONT');
      proc.kill('SIGKILL');
      await exited(proc);
    },
    start,
    async stop() {
      const proc = child;
      if (proc !== undefined) {
        proc.kill('SIGCONT');
        proc.kill('SIGTERM');
        await Promise.race([exited(proc), new Promise((resolve) => setTimeout(resolve, 5000))]);
        if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
        await exited(proc);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
