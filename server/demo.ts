import type { Logger } from 'pino';
import { upsertRegistry } from '../core/registry-service.js';
import { buildFleet } from '../simulator/fleet.js';
import { FleetPublisher } from '../simulator/publisher.js';
import { demoAccounts, ensureDemoAccounts, seedDemoBills, seedDemoTariffs, withDemoAccounts } from './demo-cost.js';
import type { Platform } from './platform.js';

/** The demo city: 3 districts, ~40 institutions, ~400 meters. */
export const DEMO_FLEET = { seed: 2026, districts: 3, institutions: 40 } as const;

const DAY_MS = 86_400_000;

/** A running demo: back-fill, then live publishing through the real broker. */
export interface Demo {
  stop(): Promise<void>;
}

/**
 * Seeds the demo city on an empty registry, with tariffs and a few utility accounts (demo-cost.ts),
 * back-fills `DEMO_DAYS` of readings through the broker with the gateways' credentials (resuming
 * where a previous run stopped), bills the accounts' whole months, then publishes live.
 */
export async function startDemo(platform: Platform, logger: Logger): Promise<Demo> {
  const { config } = platform;
  const fleet = buildFleet({ ...DEMO_FLEET, intervalS: config.DEMO_INTERVAL_S });
  const isDemo = fleet.registry.meters.every((m) => platform.registry.meter(m.id) !== undefined);
  if (platform.registry.get().meters.length > 0 && !isDemo) {
    logger.info('the registry is not the demo city: demo publishing is off');
    return { stop: async () => undefined };
  }
  const accounts = demoAccounts(fleet.registry);
  if (!isDemo) {
    logger.info(
      `seeding the demo city: ${fleet.registry.institutions.length} institutions, ${fleet.registry.meters.length} meters`,
    );
    await upsertRegistry(platform.store, platform.registry, {
      ...fleet.registry,
      meters: withDemoAccounts(fleet.registry.meters, accounts),
    });
  } else {
    const added = await ensureDemoAccounts(platform.store, platform.registry, accounts);
    if (added > 0) logger.info({ meters: added }, 'demo utility accounts added');
  }
  const tariffs = await seedDemoTariffs(platform.store);
  if (tariffs > 0) logger.info({ tariffs }, 'demo tariffs stored');
  const nowMs = Date.now();
  const firstMeter = fleet.registry.meters[0]?.id ?? '';
  const recent = await platform.store.readings(firstMeter, nowMs - config.DEMO_DAYS * DAY_MS, nowMs + DAY_MS);
  const fromMs = (recent.at(-1)?.tsMs ?? nowMs - config.DEMO_DAYS * DAY_MS) + 1;
  const publisher = new FleetPublisher({
    fleet,
    brokerUrl: `mqtt://127.0.0.1:${platform.mqttPort}`,
    intervalS: config.DEMO_INTERVAL_S,
    timeZone: config.TIMEZONE,
    clientIdPrefix: 'demo-',
    onClientError: (gatewayId, error) => logger.debug({ gatewayId, err: error.message }, 'demo gateway error'),
  });
  const abort = new AbortController();
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
    await publisher.live({ signal: abort.signal, startMs: nowMs });
  })().catch((error: unknown) => {
    if (!abort.signal.aborted) logger.error({ err: error }, 'demo publisher failed');
  });
  return {
    async stop() {
      abort.abort();
      await run;
      await publisher.close();
    },
  };
}
