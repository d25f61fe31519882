/**
 * `npm run screenshots`: the README's pictures of the page, taken from the demo city as a new user
 * sees it. Runs the built platform (`node dist/server/main.mjs`, as `npm start` does) on an empty
 * temporary data directory, waits until the demo's back-fill, targets and detection are done (the
 * detection jobs' last runs), signs in as `admin` in Debian's chromium and saves each main page to
 * `docs/screenshots/` (JPEG, to keep the repository small).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { chromium, type Page } from 'playwright-core';

const ROOT = join(import.meta.dirname, '..');
const PASSWORD = 'screenshots-admin-password';

const program = new Command('screenshots')
  .description('Take the README screenshots of the page from a freshly started demo city (needs `npm run prestart`)')
  .option('--out <dir>', 'where the JPEG files go', join(ROOT, 'docs', 'screenshots'))
  .option('--days <n>', 'days of demo back-fill (57 or more for the savings project)', '60')
  .option('--chromium <path>', 'the chromium binary', process.env.CHROMIUM_PATH ?? '/usr/bin/chromium')
  .option('--lang <lang>', 'page language: zh or en', 'zh');

/** A free TCP port on the loopback interface. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** Polls `ok` every second until it answers true; throws after `timeoutMs`. */
async function until(what: string, timeoutMs: number, ok: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ok().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface Job {
  readonly name: string;
  readonly lastRun: { readonly outcome: string } | null;
}

/** Signs in through the API and answers the session cookie. */
async function sessionCookie(base: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-requested-with': 'jieneng' },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  if (!res.ok) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

/** Waits until the demo has run detection over its back-fill (the three detection jobs have run). */
async function demoReady(base: string): Promise<void> {
  const cookie = await sessionCookie(base);
  await until('the demo back-fill and detection', 30 * 60_000, async () => {
    const res = await fetch(`${base}/api/v1/jobs`, { headers: { cookie } });
    const jobs = ((await res.json()) as { jobs: Job[] }).jobs;
    return ['detect-hourly', 'detect-daily', 'detect-targets'].every(
      (n) => jobs.find((j) => j.name === n)?.lastRun?.outcome === 'ok',
    );
  });
}

/** The pages shown, by file name: a path, and what to do on it before the picture. */
const SHOTS: readonly { file: string; path: string; prepare?: (page: Page) => Promise<void> }[] = [
  { file: 'overview', path: '/overview' },
  {
    file: 'institution',
    path: '/overview',
    prepare: async (page) => {
      await page.locator('main a[href^="/institutions/"]').first().click();
      await page.locator('main[data-ready="true"]').waitFor();
      // The demo has no last year to compare with: the previous 30 days instead.
      await page.goto(`${page.url()}?compare=previous`);
      await page.locator('main[data-ready="true"]').waitFor();
    },
  },
  { file: 'anomalies', path: '/anomalies' },
  { file: 'targets', path: '/targets' },
  { file: 'savings', path: '/savings/demo-retrofit' },
  { file: 'quality', path: '/quality' },
  { file: 'reports', path: '/reports' },
  { file: 'audit', path: '/audit' },
  { file: 'admin-registry', path: '/admin/registry' },
  { file: 'admin-jobs', path: '/admin/jobs' },
];

async function shoot(base: string, out: string, chromiumPath: string, lang: string): Promise<void> {
  const profile = await mkdtemp(join(tmpdir(), 'jieneng-shots-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    locale: lang === 'en' ? 'en-US' : 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1366, height: 900 },
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${base}/signin`);
    await page.evaluate(`localStorage.setItem('jieneng.lang', ${JSON.stringify(lang)})`);
    await page.goto(`${base}/signin`);
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('form[data-signin=password] button[type=submit]');
    await page.waitForURL(/\/overview$/);
    for (const shot of SHOTS) {
      await page.goto(`${base}${shot.path}`);
      await page.locator('main[data-ready="true"]').waitFor({ timeout: 60_000 });
      await shot.prepare?.(page);
      // Charts animate in: let them settle.
      await page.waitForTimeout(1500);
      const path = join(out, `${shot.file}.jpg`);
      await page.screenshot({ path, type: 'jpeg', quality: 70, fullPage: false });
      console.log(`saved ${path}`);
    }
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const opts = program.parse().opts<{ out: string; days: string; chromium: string; lang: string }>();
  await mkdir(opts.out, { recursive: true });
  const dataDir = await mkdtemp(join(tmpdir(), 'jieneng-shots-data-'));
  const [port, mqttPort] = [await freePort(), await freePort()];
  const base = `http://127.0.0.1:${port}`;
  console.log(`starting the demo city on ${base} (data in ${dataDir}, ${opts.days} days of back-fill)`);
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'dist', 'server', 'main.mjs')], {
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      MQTT_PORT: String(mqttPort),
      HOST: '127.0.0.1',
      ADMIN_PASSWORD: PASSWORD,
      DEMO: 'on',
      DEMO_DAYS: opts.days,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  try {
    await until('the API', 120_000, async () => (await fetch(`${base}/healthz`)).ok);
    await demoReady(base);
    console.log('demo ready: taking screenshots');
    await shoot(base, opts.out, opts.chromium, opts.lang);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
