import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildServer,
  DEFAULT_HEAP_LIMIT_MB,
  SERVER_BUNDLE,
  START_ENV,
  START_SCRIPT_ARGS,
  startArgs,
} from '../../server/build.js';
import { ensureWebBuild } from '../../web/build.js';
import { freePort } from '../helpers/influxd.js';
import { TEST_ADMIN_TOKEN } from '../helpers/platform.js';

/** `npm start` runs the bundle of server/main.ts with plain Node: the bundle must be the platform. */
const ROOT = join(import.meta.dirname, '..', '..');

const exited = (proc: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve(proc.exitCode);
    else proc.once('exit', (code) => resolve(code));
  });

describe('npm start: the bundled platform', () => {
  let dataDir = '';
  let proc: ChildProcess | undefined;
  let output = '';
  let api = '';

  beforeAll(async () => {
    await Promise.all([buildServer(), ensureWebBuild()]);
    dataDir = await mkdtemp(join(tmpdir(), 'jieneng-bundle-'));
    const [port, mqttPort] = [await freePort(), await freePort()];
    api = `http://127.0.0.1:${port}`;
    proc = spawn(process.execPath, [...startArgs({}), SERVER_BUNDLE], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...START_ENV,
        DEMO: 'off',
        JOBS: 'off',
        LOG_LEVEL: 'info',
        HOST: '127.0.0.1',
        MQTT_HOST: '127.0.0.1',
        PORT: String(port),
        MQTT_PORT: String(mqttPort),
        DATA_DIR: dataDir,
        ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (d: Buffer) => {
      output = (output + d.toString()).slice(-20_000);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`platform exited (${proc.exitCode}):\n${output}`);
      if (
        await fetch(`${api}/healthz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      if (Date.now() > deadline) throw new Error(`platform did not answer in 30 s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }, 60_000);

  afterAll(async () => {
    if (proc !== undefined && proc.exitCode === null) {
      proc.kill('SIGKILL');
      await exited(proc);
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('is what package.json starts, built first by prestart', () => {
    const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
    const env = Object.entries(START_ENV).map(([k, v]) => `${k}=${v}`);
    expect(scripts.start).toBe([...env, 'node', START_SCRIPT_ARGS, 'dist/server/main.mjs'].join(' '));
    expect(scripts.prestart).toContain('tsx server/build.ts');
    expect(scripts.prestart).toContain('tsx web/build.ts');
  });

  it('serves the API, the web page and its start-up log', async () => {
    const registry = await fetch(`${api}/api/v1/registry`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    expect(registry.status).toBe(200);
    expect(await registry.json()).toMatchObject({ meters: [] });
    const page = await fetch(`${api}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<div id="app"');
    expect(output).toContain(api);
    expect(output).toContain(dataDir);
    // The heap limit npm start gives (old space plus V8's young generation), in the start-up log.
    const heapLimitMb = Number(/"heapLimitMb":(\d+)/.exec(output)?.[1]);
    expect(heapLimitMb).toBeGreaterThanOrEqual(DEFAULT_HEAP_LIMIT_MB);
    expect(heapLimitMb).toBeLessThan(DEFAULT_HEAP_LIMIT_MB + 200);
  });

  it("expands HEAP_LIMIT_MB in the start script's shell, and its default when unset or empty", () => {
    const limitMb = (env: Record<string, string>) =>
      Number(
        execFileSync(
          '/bin/sh',
          [
            '-c',
            `node ${START_SCRIPT_ARGS} -e "console.log(require('v8').getHeapStatistics().heap_size_limit / 2 ** 20)"`,
          ],
          { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' },
        ),
      );
    const [unset, empty, given] = [limitMb({}), limitMb({ HEAP_LIMIT_MB: '' }), limitMb({ HEAP_LIMIT_MB: '2048' })];
    expect(empty).toBe(unset);
    expect(given - unset).toBe(2048 - DEFAULT_HEAP_LIMIT_MB);
    expect(startArgs({ HEAP_LIMIT_MB: '2048' })).toEqual(['--max-old-space-size=2048']);
    expect(startArgs({ HEAP_LIMIT_MB: '' })).toEqual([`--max-old-space-size=${DEFAULT_HEAP_LIMIT_MB}`]);
  });

  it('stops cleanly on SIGTERM', async () => {
    const running = proc as ChildProcess;
    running.kill('SIGTERM');
    expect(await exited(running)).toBe(0);
  });

  it('prints its usage with --help', () => {
    const help = execFileSync(process.execPath, [SERVER_BUNDLE, '--help'], { cwd: ROOT, encoding: 'utf8' });
    expect(help).toContain('Usage: npm start');
  });
});
