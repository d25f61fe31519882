import { getHeapStatistics } from 'node:v8';
import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { startDemo } from './demo.js';
import { startPlatform } from './platform.js';

const HELP = `Jieneng: energy and water monitoring of public buildings, all in one process.

Usage: npm start            (or: npx tsx server/main.ts)

Starts the embedded store (DuckDB in DATA_DIR), the MQTT broker (MQTT_PORT), ingest and the API
(PORT, OpenAPI docs at /docs). With DEMO=on (default) an empty data directory is seeded with a demo
city whose gateways keep publishing live. Every setting is an environment variable: see
.env.example and the README. npm start gives Node a heap limit of HEAP_LIMIT_MB (default 1024).`;

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(HELP);
    return;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL, process.stdout.isTTY === true);
  const platform = await startPlatform(config, logger);
  logger.info(
    {
      api: platform.apiUrl,
      docs: `${platform.apiUrl}/docs`,
      mqtt: `mqtt://localhost:${platform.mqttPort}`,
      dataDir: platform.store.location,
      timeZone: config.TIMEZONE,
      // `npm start` sets it (HEAP_LIMIT_MB, server/build.ts); young generation included.
      heapLimitMb: Math.round(getHeapStatistics().heap_size_limit / 2 ** 20),
    },
    `Jieneng is up: API ${platform.apiUrl} (docs ${platform.apiUrl}/docs), MQTT on port ${platform.mqttPort}, data in ${platform.store.location}`,
  );
  if (platform.generatedAdminToken !== undefined) {
    // Printed once and kept in a 0600 file: only its hash is stored.
    console.log(`\n  Admin API token (shown once, keep it): ${platform.generatedAdminToken}\n`);
    logger.info(
      { file: platform.adminTokenFile },
      `admin token also written to ${platform.adminTokenFile} (mode 0600)`,
    );
  } else if (config.ADMIN_TOKEN === undefined) {
    logger.info('admin token: the one printed at first start (set ADMIN_TOKEN to choose your own)');
  }
  if (platform.generatedAdminPassword !== undefined) {
    // Printed once and kept in a 0600 file: only its scrypt hash is stored.
    console.log(
      `\n  Sign in to the page as admin with the password (shown once): ${platform.generatedAdminPassword}\n`,
    );
    logger.info(
      { file: platform.adminPasswordFile },
      `admin password also written to ${platform.adminPasswordFile} (mode 0600)`,
    );
  }
  const demo = config.DEMO === 'on' ? await startDemo(platform, logger.child({ part: 'demo' })) : undefined;
  closeWithGrace({ delay: 30_000 }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'stopping after an error');
    else logger.info({ signal }, 'stopping');
    await demo?.stop();
    await platform.stop();
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
