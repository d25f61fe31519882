/**
 * Child processes, temporary directories and free ports for the benchmarks, with a clean-up that
 * also runs when the bench fails or is interrupted: nothing is left running or on disk.
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A free TCP port on 127.0.0.1 (the test helpers' own). */
export { freePort } from '../test/helpers/influxd.js';

/** A new temporary directory, removed by `removeTempDir` or at exit at the latest. */
export async function makeTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export async function removeTempDir(dir: string): Promise<void> {
  tempDirs.delete(dir);
  await rm(dir, { recursive: true, force: true });
}

/** A child process whose output tail is kept for error messages. */
export interface Child {
  readonly process: ChildProcess;
  readonly pid: number;
  /** The last few kB of stdout and stderr. */
  output(): string;
  /** Resolves with the exit code (or signal) when the process has exited. */
  readonly exited: Promise<number | string>;
}

/** Spawns a process that is killed at exit if still running. */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions): Child {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve(code ?? signal ?? 'unknown');
    });
    child.once('error', (error) => {
      children.delete(child);
      keep(Buffer.from(String(error)));
      resolve('spawn error');
    });
  });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  return { process: child, pid: child.pid, output: () => tail, exited };
}

/** Asks a child to stop (SIGTERM), and kills it when it has not exited after `graceMs`. */
export async function stopChild(child: Child, graceMs = 15_000): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

/** Resident memory and CPU time of a live process, from /proc (Linux). */
export interface ProcStats {
  /** VmRSS: resident set size now, bytes. */
  readonly rssBytes: number;
  /** VmHWM: peak resident set size, bytes. */
  readonly peakRssBytes: number;
  /** utime + stime of all its threads, ms (10 ms resolution). */
  readonly cpuMs: number;
}

const CLOCK_TICKS_PER_S = 100; // USER_HZ, the unit of /proc/<pid>/stat times on Linux

/** Reads /proc/<pid>/status and /proc/<pid>/stat. */
export async function procStats(pid: number): Promise<ProcStats> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces), from field 3 on: utime is 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return {
    rssBytes: kb('VmRSS') * 1024,
    peakRssBytes: kb('VmHWM') * 1024,
    cpuMs: (ticks * 1000) / CLOCK_TICKS_PER_S,
  };
}

/** Polls `check` every `everyMs` until it returns true; throws after `timeoutMs`. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 25,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
