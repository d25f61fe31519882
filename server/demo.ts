import type { Logger } from 'pino';
import { upsertRegistry } from '../core/registry-service.js';
import { MAX_RANGE_DAYS } from '../ingest/jobs/detection-range.js';
import { buildFleet } from '../simulator/fleet.js';
import type { Fleet } from '../simulator/model.js';
import { FleetPublisher } from '../simulator/publisher.js';
import { alignUp } from '../simulator/registers.js';
import { detectDemoHistory, ensureReplacementEvent, seedDemoTargets } from './demo-content.js';
import { demoAccounts, ensureDemoAccounts, seedDemoBills, seedDemoTariffs, withDemoAccounts } from './demo-cost.js';
import {
  DEMO_WEATHER_STATION,
  demoSavingsProject,
  ensureDemoSavingsProject,
  putDemoWeather,
  withDemoWeather,
} from './demo-savings.js';
import { type DemoShowcase, demoScenario, withMeterTree } from './demo-scenario.js';
import type { Platform } from './platform.js';

/** The demo city: 3 districts, ~40 institutions, ~400 meters. */
export const DEMO_FLEET = { seed: 2026, districts: 3, institutions: 40 } as const;

const DAY_MS = 86_400_000;
/** How often the demo's weather station reports while the demo runs live. */
const WEATHER_EVERY_MS = 3_600_000;

/** A running demo: back-fill, then live publishing through the real broker. */
export interface Demo {
  /** Where the meter tree, the replaced meter, the silent gateways and the planted anomalies are. */
  readonly showcase?: DemoShowcase;
  /** Settles when the back-fill, bills, targets and detection over the back-fill are done (or stopped). */
  readonly ready: Promise<void>;
  stop(): Promise<void>;
}

/** The fleet's meters that the registry holds (a city seeded before the meter tree has no main meter). */
function registered(fleet: Fleet, platform: Platform): Fleet {
  const has = (id: string) => platform.registry.meter(id) !== undefined;
  return {
    registry: { ...fleet.registry, meters: fleet.registry.meters.filter((m) => has(m.id)) },
    meters: fleet.meters.filter((m) => has(m.id)),
  };
}

/**
 * Seeds the demo city on an empty registry, with a meter tree (demo-scenario.ts), tariffs and a
 * few utility accounts (demo-cost.ts), back-fills `DEMO_DAYS` of readings through the broker with
 * the gateways' credentials and the planted scenario (resuming where a previous run stopped, in
 * the same window), bills the accounts' whole months, sets targets, runs detection over the
 * back-fill (demo-content.ts), then publishes live. The gateways reconnect after a broker hiccup.
 */
export async function startDemo(platform: Platform, logger: Logger): Promise<Demo> {
  const { config } = platform;
  const base = buildFleet({ ...DEMO_FLEET, intervalS: config.DEMO_INTERVAL_S });
  const isDemo = base.registry.meters.every((m) => platform.registry.meter(m.id) !== undefined);
  if (platform.registry.get().meters.length > 0 && !isDemo) {
    logger.info('the registry is not the demo city: demo publishing is off');
    return { ready: Promise.resolve(), stop: async () => undefined };
  }
  const tree = withMeterTree(base);
  const accounts = demoAccounts(tree.fleet.registry);
  if (!isDemo) {
    logger.info(
      `seeding the demo city: ${base.registry.institutions.length} institutions, ${tree.fleet.registry.meters.length} meters`,
    );
    await upsertRegistry(
      platform.store,
      platform.registry,
      withDemoWeather({ ...tree.fleet.registry, meters: withDemoAccounts(tree.fleet.registry.meters, accounts) }),
    );
  } else {
    const added = await ensureDemoAccounts(platform.store, platform.registry, accounts);
    if (added > 0) logger.info({ meters: added }, 'demo utility accounts added');
  }
  const tariffs = await seedDemoTariffs(platform.store);
  if (tariffs > 0) logger.info({ tariffs }, 'demo tariffs stored');
  const fleet = registered(tree.fleet, platform);
  const nowMs = Date.now();
  // The window is that of the first start (its first reading on), so a restart plants the same scenario.
  const keepMeterId = base.registry.meters[0]?.id ?? '';
  const stored = await platform.store.readings(keepMeterId, nowMs - MAX_RANGE_DAYS * DAY_MS, nowMs + DAY_MS);
  const windowFromMs = stored[0]?.tsMs ?? alignUp(nowMs - config.DEMO_DAYS * DAY_MS, config.DEMO_INTERVAL_S);
  const window = {
    fromMs: windowFromMs,
    toMs: windowFromMs + config.DEMO_DAYS * DAY_MS,
    timeZone: config.TIMEZONE,
    intervalS: config.DEMO_INTERVAL_S,
  };
  // A city seeded before the showcase (no main meter) has readings without it: planting now would
  // put steps and a replacement into history already published, so it goes on without them.
  // Likewise the retrofit: only in a city seeded with the weather station (a later version).
  const withWeather = (platform.registry.get().weatherStations ?? []).some((s) => s.id === DEMO_WEATHER_STATION.id);
  const planned =
    platform.registry.meter(tree.mainMeterId) === undefined
      ? undefined
      : demoScenario(fleet, window, { ...tree, keepMeterId }, { retrofit: withWeather });
  const scenario = planned?.scenario;
  const showcase = planned?.showcase;
  if (showcase !== undefined && (await ensureReplacementEvent(platform, showcase)))
    logger.info({ meterId: showcase.replaced?.meterId }, 'demo meter replacement recorded');
  const fromMs = (stored.at(-1)?.tsMs ?? windowFromMs - 1) + 1;
  const publisher = new FleetPublisher({
    fleet,
    ...(scenario === undefined ? {} : { scenario }),
    // Issue 17, item 7: a publisher that died at 40 % (`connack timeout`) must carry on instead.
    retry: { maxAttempts: Number.POSITIVE_INFINITY },
    brokerUrl: `mqtt://127.0.0.1:${platform.mqttPort}`,
    intervalS: config.DEMO_INTERVAL_S,
    timeZone: config.TIMEZONE,
    clientIdPrefix: 'demo-',
    onClientError: (gatewayId, error) => logger.info({ gatewayId, err: error.message }, 'demo gateway reconnecting'),
  });
  const abort = new AbortController();
  let weatherTimer: NodeJS.Timeout | undefined;
  // Bills need the back-filled readings in the store; a failure leaves the demo running on tariffs.
  const billWholeMonths = async () => {
    try {
      await platform.pipeline.drain();
      const span = { fromMs: nowMs - config.DEMO_DAYS * DAY_MS, toMs: nowMs, timeZone: config.TIMEZONE, nowMs };
      const bills = await seedDemoBills(platform.store, platform.registry, span);
      if (bills.length > 0) logger.info({ bills: bills.length }, 'demo bills recorded');
    } catch (error) {
      logger.warn({ err: error }, 'demo bills not recorded');
    }
  };
  // The station's temperatures up to now, and the retrofit's savings project (issue 18).
  const fillWeather = async () => {
    if (!withWeather) return;
    try {
      const hours = await putDemoWeather(platform.store, windowFromMs - DAY_MS, Date.now(), config.TIMEZONE);
      if (hours > 0) logger.info({ hours }, 'demo weather stored');
      const project =
        showcase === undefined ? undefined : demoSavingsProject(showcase, windowFromMs, config.TIMEZONE, nowMs);
      if (await ensureDemoSavingsProject(platform.store, project))
        logger.info({ project: project?.id, scope: project?.scope }, 'demo savings project stored');
    } catch (error) {
      logger.warn({ err: error }, 'demo weather or savings project not stored');
    }
  };
  // Targets and detection need the back-fill (and the bills) in the store.
  const fillPages = async (backfilled: boolean) => {
    try {
      const targets = await seedDemoTargets(platform, nowMs);
      if (targets > 0) logger.info({ targets }, 'demo targets stored');
      // A restart that only added the minutes since the last run has nothing new to examine.
      if (!backfilled) return;
      const started = Date.now();
      const byType = await detectDemoHistory(platform, windowFromMs, logger);
      const seconds = (Date.now() - started) / 1000;
      logger.info({ byType, seconds }, `demo detection over the back-fill done in ${seconds.toFixed(1)} s`);
    } catch (error) {
      logger.warn({ err: error }, 'demo targets or detection failed');
    }
  };
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const run = (async () => {
    const started = Date.now();
    let nextLogAt = 0;
    const result = await publisher.backfill(
      fromMs,
      nowMs,
      (p) => {
        const share = p.total === 0 ? 1 : p.published / p.total;
        if (share >= nextLogAt) {
          logger.info(
            `demo back-fill ${(share * 100).toFixed(0)} % (${p.published.toLocaleString('en')} of ${p.total.toLocaleString('en')} readings)`,
          );
          nextLogAt += 0.1;
        }
      },
      abort.signal,
    );
    const seconds = (Date.now() - started) / 1000;
    logger.info(
      { readings: result.readings, seconds },
      `demo back-fill done: ${result.readings.toLocaleString('en')} readings in ${seconds.toFixed(1)} s; publishing live every ${config.DEMO_INTERVAL_S} s`,
    );
    if (!abort.signal.aborted) await billWholeMonths();
    if (!abort.signal.aborted) await fillWeather();
    if (!abort.signal.aborted) await fillPages(fromMs < nowMs - DAY_MS);
    markReady();
    // The station keeps reporting while the demo runs live.
    weatherTimer = setInterval(() => void fillWeather(), WEATHER_EVERY_MS);
    weatherTimer.unref();
    await publisher.live({ signal: abort.signal, startMs: nowMs });
  })().catch((error: unknown) => {
    if (!abort.signal.aborted) logger.error({ err: error }, 'demo publisher failed');
  });
  return {
    ...(showcase === undefined ? {} : { showcase }),
    ready: Promise.race([ready, run]),
    async stop() {
      abort.abort();
      clearInterval(weatherTimer);
      await run;
      await publisher.close();
    },
  };
}
