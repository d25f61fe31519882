/**
 * Builds the web page into web/dist unless the bundle is newer than its sources. `npm start` runs
 * it first (prestart) and the browser tests call `ensureWebBuild()`; `npm run build:web` always
 * builds. web/dist is never committed, so a fresh clone builds it on its first start.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';

const WEB = import.meta.dirname;
const INDEX = join(WEB, 'dist', 'index.html');
/** A build lock older than this was left by a killed process. */
const STALE_LOCK_MS = 120_000;

function newestMtimeMs(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((name) => newestMtimeMs(join(path, name))));
}

/** Whether web/dist is at least as new as every source of the page. */
export function webBuildIsFresh(): boolean {
  if (!existsSync(INDEX)) return false;
  const sources = Math.max(
    newestMtimeMs(join(WEB, 'src')),
    newestMtimeMs(join(WEB, 'index.html')),
    newestMtimeMs(join(WEB, 'vite.config.ts')),
  );
  return statSync(INDEX).mtimeMs >= sources;
}

/**
 * Builds web/dist when it is missing or stale. Parallel callers (test workers) take turns on a
 * lock directory (mkdir is atomic); the second finds the bundle fresh and returns.
 */
export async function ensureWebBuild(): Promise<'fresh' | 'built'> {
  if (webBuildIsFresh()) return 'fresh';
  const lock = join(tmpdir(), 'jieneng-web-build.lock');
  for (const deadline = Date.now() + 2 * STALE_LOCK_MS; ; ) {
    if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) await rm(lock, { recursive: true });
    if (
      await mkdir(lock).then(
        () => true,
        () => false,
      )
    )
      break;
    if (Date.now() > deadline) throw new Error(`web build: ${lock} is held by another build`);
    await delay(100);
  }
  try {
    if (webBuildIsFresh()) return 'fresh';
    const { build } = await import('vite');
    await build({ configFile: join(WEB, 'vite.config.ts'), logLevel: 'warn' });
    return 'built';
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  ensureWebBuild().then(
    (outcome) => console.log(outcome === 'built' ? 'web page built into web/dist' : 'web page up to date (web/dist)'),
    (error: unknown) => {
      // The page is for officers; metering must not stop because it cannot be built (e.g. a
      // read-only install): the API starts and / explains how to build the page.
      console.warn(`web page not built (the API starts without it): ${error instanceof Error ? error.message : error}`);
    },
  );
}
