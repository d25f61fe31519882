import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { RegistryInput } from '../../core/domain/registry.js';
import { freePort } from './influxd.js';
import { waitFor } from './wait.js';

const REPO_ROOT = join(import.meta.dirname, '..', '..');

/** Debian's mosquitto binary, when installed. */
export const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => existsSync(p));

/** Why Mosquitto tests cannot run here (undefined: they can); in CI a missing broker is an error. */
export function mosquittoSkipReason(what: string): string | undefined {
  if (MOSQUITTO !== undefined) return undefined;
  const missing = 'mosquitto (Debian package mosquitto) is not installed';
  if (process.env.CI) throw new Error(`${missing}: the ${what} must run in CI`);
  console.warn(`\n  ⚠ ${missing}: ${what} skipped. Install it with: apt-get install mosquitto\n`);
  return missing;
}

/** A running Mosquitto configured by the project's generator. */
export interface Mosquitto {
  readonly url: string;
  readonly port: number;
  output(): string;
  stop(): Promise<void>;
}

const exited = (proc: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve();
    else proc.once('exit', () => resolve());
  });

/**
 * Starts Mosquitto on a free loopback port with the configuration `npm run mosquitto-config` writes
 * for `registry` (passwd, acl, mosquitto.conf in `dir/broker`), and waits until the ingest user can
 * log in.
 */
export async function startMosquitto(
  dir: string,
  registry: RegistryInput,
  ingest: { readonly user: string; readonly password: string },
): Promise<Mosquitto> {
  const registryFile = join(dir, 'registry.json');
  await writeFile(registryFile, JSON.stringify(registry));
  const port = await freePort();
  const conf = join(dir, 'broker');
  execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'server/mosquitto-config.ts',
      ...['--registry', registryFile, '--ingest-password', ingest.password, '--ingest-user', ingest.user],
      ...['--port', String(port), '--out', conf],
    ],
    { cwd: REPO_ROOT, stdio: 'pipe' },
  );
  const generated = await readFile(join(conf, 'mosquitto.conf'), 'utf8');
  // Loopback only; as root, Mosquitto would switch to user `mosquitto`, which cannot read the 0600 passwd.
  const local = generated.replace(`listener ${port}`, `listener ${port} 127.0.0.1`);
  await writeFile(join(conf, 'mosquitto.conf'), `${local}${process.getuid?.() === 0 ? 'user root\n' : ''}`);
  const proc = spawn(MOSQUITTO as string, ['-c', join(conf, 'mosquitto.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const url = `mqtt://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (proc.exitCode !== null) throw new Error(`mosquitto exited (${proc.exitCode}): ${output}`);
      const login = { username: ingest.user, password: ingest.password, reconnectPeriod: 0, connectTimeout: 1000 };
      return mqtt.connectAsync(url, login).then(
        async (c) => {
          await c.endAsync();
          return true;
        },
        () => false,
      );
    },
    (ok) => ok,
  );
  return {
    url,
    port,
    output: () => output,
    async stop() {
      proc.kill('SIGTERM');
      await exited(proc);
    },
  };
}
