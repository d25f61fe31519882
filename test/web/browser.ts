/**
 * Helpers of the browser tests: the built page, Debian's chromium driven by playwright-core (never
 * `npx playwright install`: the machines are offline), and a simulated city on a real platform.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { formatLocalIso } from '../../core/domain/time.js';
import { readingsTopic } from '../../core/domain/topics.js';
import { DEMO_TARIFFS } from '../../server/demo-cost.js';
import { buildFleet } from '../../simulator/fleet.js';
import type { Fleet } from '../../simulator/model.js';
import { FleetPublisher } from '../../simulator/publisher.js';
import { startTestPlatform, TEST_ADMIN_TOKEN, type TestPlatform } from '../helpers/platform.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** Debian's chromium (`apt-get install chromium`); CHROMIUM_PATH overrides. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Whether chromium is installed. Without it the browser tests skip with a visible message; in CI
 * (`CI=true`, set by .ci/run, which installs chromium) a missing chromium fails instead.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  const message = `web tests: no chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`;
  if (process.env.CI === 'true') throw new Error(message);
  console.warn(`SKIPPED ${message}`);
  return false;
}

/** Where the screenshots go (a test artifact; test-results/ is gitignored). */
export const SCREENSHOT_DIR = join(ROOT, 'test-results', 'web');

const H = 3_600_000;

/** Builds web/dist unless it is fresh (CI builds it in .ci/run; an edit of web/src rebuilds here). */
import { ensureWebBuild } from '../../web/build.js';

export { ensureWebBuild };

/** The first admin's password on the browser tests' platforms (`ADMIN_PASSWORD`, 12+ characters). */
export const TEST_ADMIN_PASSWORD = 'browser-test-admin-password';

/** Signs in with an API token through the folded-away token form and waits for the overview. */
export async function signIn(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/signin`);
  await page.click('details[data-token-signin] summary');
  await page.fill('input[name=token]', token);
  await page.click('form[data-signin=token] button[type=submit]');
  await page.waitForURL(/\/overview$/);
  await page.locator('main[data-ready="true"]').waitFor();
}

/** Fills the username and password form and submits it (the caller waits for what it expects). */
export async function submitPassword(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/signin`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('form[data-signin=password] button[type=submit]');
}

/** Signs in with a username and password and waits for the overview. */
export async function signInWithPassword(page: Page, baseUrl: string, username: string, password: string) {
  await submitPassword(page, baseUrl, username, password);
  await page.waitForURL(/\/overview$/);
  await page.locator('main[data-ready="true"]').waitFor();
}

/** A browser with a fresh profile; `close()` removes the profile. */
export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Launches chromium headless with a fresh temporary profile, in the platform's time zone and Chinese locale. */
export async function launchBrowser(): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'jieneng-chromium-'));
  // playwright-core refuses --user-data-dir in args: the persistent context passes the fresh profile.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1366, height: 900 },
    acceptDownloads: true,
  });
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** What the seeded city holds. */
export interface SeededCity {
  readonly fleet: Fleet;
  /** The institution given a tiny monthly target: detection finds it over target. */
  readonly overTarget: string;
  /** Local month and year of the data, `YYYY-MM` and `YYYY`. */
  readonly month: string;
  readonly year: string;
  /** Yesterday, `YYYY-MM-DD`: `overTarget`'s electricity and water bills cover it. */
  readonly billedDay: string;
}

/**
 * The registry with utility accounts on the first building of `institutionId`: one for its
 * electricity meters, one for its water meters (bills are per account).
 */
function withAccounts(fleet: Fleet, institutionId: string): Fleet['registry'] {
  const building = fleet.registry.buildings.find((b) => b.institutionId === institutionId)?.id;
  const meters = fleet.registry.meters.map((m) =>
    m.buildingId !== building || (m.energy !== 'electricity' && m.energy !== 'water')
      ? m
      : { ...m, accountNo: m.energy === 'electricity' ? 'WEB-E-1' : 'WEB-W-1' },
  );
  return { ...fleet.registry, meters };
}

/**
 * A small simulated city (2 districts, 4 institutions, ~40 meters) with 3 days of hourly readings
 * published through the broker, one dead letter, a city target and an institution over its monthly
 * target, found by `POST /api/v1/jobs/detect-targets/run`; the demo's tariffs, and yesterday's
 * electricity and water bills of that institution.
 */
export async function seedCity(t: TestPlatform): Promise<SeededCity> {
  const fleet = buildFleet({ seed: 11, districts: 2, institutions: 4, intervalS: 3600 });
  const overTarget = fleet.registry.institutions[0]?.id ?? '';
  const put = await t.api('PUT', '/api/v1/registry', withAccounts(fleet, overTarget));
  if (put.status !== 200) throw new Error(`registry: ${JSON.stringify(put.body)}`);
  const nowMs = Date.now();
  const toMs = Math.floor(nowMs / H) * H + 1;
  const publisher = new FleetPublisher({
    fleet,
    brokerUrl: `mqtt://127.0.0.1:${t.platform.mqttPort}`,
    intervalS: 3600,
    timeZone: t.platform.config.TIMEZONE,
  });
  try {
    await publisher.backfill(toMs - 1 - 3 * 24 * H, toMs);
  } finally {
    await publisher.close();
  }
  const gateway = fleet.registry.gateways[0];
  if (gateway === undefined) throw new Error('the fleet has no gateway');
  const client = await t.connectGateway(gateway.id, gateway.secret);
  const bad = { meter: 'no-such-meter', ts: new Date(toMs - 1).toISOString(), value: 1 };
  await client.publishAsync(readingsTopic(gateway.id), JSON.stringify(bad), { qos: 1 });
  await t.platform.pipeline.drain();

  // In the first hour of a month the month has no complete hour yet and nothing is over target.
  const month = formatLocalIso(nowMs, t.platform.config.TIMEZONE).slice(0, 7);
  const year = month.slice(0, 4);
  const targets = await t.api('PUT', '/api/v1/targets', {
    targets: [
      { scope: `institution:${overTarget}`, energy: 'all', period: month, value: 1, unit: 'kgce' },
      { scope: 'city', energy: 'all', period: year, value: 5_000_000, unit: 'kgce' },
    ],
  });
  if (targets.status !== 200) throw new Error(`targets: ${JSON.stringify(targets.body)}`);
  const run = await t.api<{ lastRun: { outcome: string } }>('POST', '/api/v1/jobs/detect-targets/run');
  if (run.body.lastRun.outcome !== 'ok') throw new Error(`detect-targets: ${JSON.stringify(run.body)}`);

  const tariffs = await t.api('PUT', '/api/v1/tariffs', { tariffs: DEMO_TARIFFS });
  if (tariffs.status !== 200) throw new Error(`tariffs: ${JSON.stringify(tariffs.body)}`);
  const billedDay = formatLocalIso(nowMs - 24 * H, t.platform.config.TIMEZONE).slice(0, 10);
  const today = formatLocalIso(nowMs, t.platform.config.TIMEZONE).slice(0, 10);
  const bill = { energy: 'electricity', from: billedDay, to: today, quantity: 1000, amountYuan: 888.88 };
  const bills = await t.api('POST', '/api/v1/bills', {
    bills: [
      { ...bill, accountNo: 'WEB-E-1' },
      { ...bill, accountNo: 'WEB-W-1', energy: 'water', quantity: 20, amountYuan: 98.76 },
    ],
  });
  if (bills.status !== 201) throw new Error(`bills: ${JSON.stringify(bills.body)}`);
  return { fleet, overTarget, month, year, billedDay };
}

/** What most page tests start from: a platform with the seeded city and a Chromium page signed in as admin. */
export interface SeededSession {
  readonly t: TestPlatform;
  readonly tz: string;
  readonly city: SeededCity;
  readonly browser: Browser;
  readonly page: Page;
}

/** Builds the page, starts a platform, seeds the city and signs a fresh Chromium in with the admin token. */
export async function openSeededSession(): Promise<SeededSession> {
  await ensureWebBuild();
  const t = await startTestPlatform();
  const city = await seedCity(t);
  const browser = await launchBrowser();
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await signIn(page, t.platform.apiUrl, TEST_ADMIN_TOKEN);
  return { t, tz: t.platform.config.TIMEZONE, city, browser, page };
}

/** Closes what `openSeededSession` opened (whatever of it was opened). */
export async function closeSeededSession(s: { browser?: Browser; t?: TestPlatform }): Promise<void> {
  await s.browser?.close();
  await s.t?.close();
}
