/**
 * A real InfluxDB 1.x server (Debian's `influxd`) for tests: a generated config in a temporary
 * directory, HTTP and RPC bound to free loopback ports, usage reporting and self-monitoring off.
 * Speaks the v1 API (`/write` line protocol, `/query` InfluxQL), which InfluxDB 2.x also serves
 * for a bucket mapped to a database (DBRP), and which Grafana's InfluxQL datasource uses.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../helpers/wait.js';

/** Whether an `influxd` binary is on PATH. */
export function influxdAvailable(): boolean {
  return spawnSync('influxd', ['version'], { stdio: 'ignore' }).status === 0;
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

/** A running server. */
export interface Influxd {
  readonly url: string;
  createDatabase(name: string): Promise<void>;
  /** Writes line protocol with millisecond timestamps; throws on a non-204 answer. */
  write(db: string, lines: readonly string[]): Promise<void>;
  /** Runs InfluxQL; throws on an HTTP or statement error, so a bad query fails the test. */
  query(db: string, q: string): Promise<InfluxResult[]>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function config(dir: string, httpPort: number, rpcPort: number): string {
  return `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${join(dir, 'meta')}"
  logging-enabled = false
[data]
  dir = "${join(dir, 'data')}"
  wal-dir = "${join(dir, 'wal')}"
  query-log-enabled = false
[monitor]
  store-enabled = false
[subscriber]
  enabled = false
[continuous_queries]
  enabled = false
[http]
  bind-address = "127.0.0.1:${httpPort}"
  log-enabled = false
  pprof-enabled = false
`;
}

/** Starts `influxd` on free ports and waits until `/ping` answers. */
export async function startInfluxd(): Promise<Influxd> {
  const dir = await mkdtemp(join(tmpdir(), 'jieneng-influxd-'));
  const httpPort = await freePort();
  const rpcPort = await freePort();
  const configPath = join(dir, 'influxdb.conf');
  await writeFile(configPath, config(dir, httpPort, rpcPort));
  const child: ChildProcess = spawn('influxd', ['run', '-config', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${httpPort}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      () =>
        fetch(`${url}/ping`).then(
          (r) => r.status,
          () => 0,
        ),
      (status) => status === 204 || child.exitCode !== null,
      20_000,
    );
    if (child.exitCode !== null) throw new Error(`influxd exited with ${child.exitCode}: ${stderr}`);
  } catch (err) {
    await stop();
    throw err;
  }

  async function query(db: string, q: string): Promise<InfluxResult[]> {
    const res = await fetch(`${url}/query?db=${encodeURIComponent(db)}&epoch=ms`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ q }).toString(),
    });
    const body = (await res.json()) as { results?: InfluxResult[]; error?: string };
    if (!res.ok || body.error !== undefined) throw new Error(`InfluxQL failed (${res.status}): ${body.error}\n${q}`);
    const results = body.results ?? [];
    const failed = results.find((r) => r.error !== undefined);
    if (failed !== undefined) throw new Error(`InfluxQL statement failed: ${failed.error}\n${q}`);
    return results;
  }

  return {
    url,
    async createDatabase(name) {
      await query(name, `CREATE DATABASE "${name}"`);
    },
    async write(db, lines) {
      const res = await fetch(`${url}/write?db=${encodeURIComponent(db)}&precision=ms`, {
        method: 'POST',
        body: lines.join('\n'),
      });
      if (res.status !== 204) throw new Error(`write failed (${res.status}): ${await res.text()}`);
    },
    query,
    stop,
  };
}
