import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../helpers/influxd.js';
import { TEST_ADMIN_TOKEN } from '../helpers/platform.js';

const REPO_ROOT = join(import.meta.dirname, '..', '..');

/** `server/main.ts` in a child process that can be killed (SIGKILL) and started again on the same env. */
export interface PlatformProcess {
  start(): Promise<void>;
  /** SIGKILL: no shutdown hook runs. */
  kill(): Promise<void>;
  /** SIGTERM: close-with-grace drains ingest. */
  stop(): Promise<void>;
  output(): string;
}

const exited = (proc: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve();
    else proc.once('exit', () => resolve());
  });

/** A platform process with DEMO=off on the given ports and data directory; `healthUrl` answers when it is up. */
export function platformProcess(env: Record<string, string>, healthUrl: string): PlatformProcess {
  let child: ChildProcess | undefined;
  let output = '';
  return {
    async start() {
      // node --import tsx is what `npx tsx` runs, without a launcher process in between.
      const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
        cwd: REPO_ROOT,
        env: { ...process.env, DEMO: 'off', JOBS: 'off', LOG_LEVEL: 'warn', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = proc;
      const keep = (d: Buffer) => {
        output = (output + d.toString()).slice(-8000);
      };
      proc.stdout?.on('data', keep);
      proc.stderr?.on('data', keep);
      const deadline = Date.now() + 60_000;
      for (;;) {
        if (proc.exitCode !== null) throw new Error(`platform exited (${proc.exitCode}):\n${output}`);
        const ok = await fetch(healthUrl).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) return;
        if (Date.now() > deadline) throw new Error(`platform did not answer in 60 s:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async kill() {
      const proc = child;
      if (proc === undefined) return;
      proc.kill('SIGKILL');
      await exited(proc);
    },
    async stop() {
      const proc = child;
      if (proc === undefined) return;
      proc.kill('SIGTERM');
      await Promise.race([exited(proc), new Promise((resolve) => setTimeout(resolve, 20_000))]);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited(proc);
    },
    output: () => output,
  };
}

/** A platform process with the embedded broker and store on free loopback ports, the test admin token and `dataDir`. */
export async function embeddedPlatformProcess(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<{ proc: PlatformProcess; api: string; mqttPort: number }> {
  const [port, mqttPort] = [await freePort(), await freePort()];
  const api = `http://127.0.0.1:${port}`;
  const proc = platformProcess(
    {
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      MQTT_HOST: '127.0.0.1',
      PORT: String(port),
      MQTT_PORT: String(mqttPort),
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      INGEST_FLUSH_MS: '50',
      ...env,
    },
    `${api}/healthz`,
  );
  return { proc, api, mqttPort };
}
