import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { buildApp, type HealthReport } from '../api/app.js';
import { mqttAuthRoutes } from '../api/routes/mqtt-auth.js';
import { ensureFirstAdmin } from '../core/accounts/first-admin.js';
import { ssoSettingsOf } from '../core/accounts/oidc-client.js';
import { type Config, sharedStoreWriters } from '../core/config.js';
import { DEFAULT_COEFFICIENT_TABLE } from '../core/domain/energy.js';
import { parseTopic } from '../core/domain/topics.js';
import { startLoginMemo } from '../core/login-memo.js';
import { createMetrics, type Metrics } from '../core/metrics.js';
import { RegistryHolder } from '../core/registry-holder.js';
import { hashApiToken } from '../core/security.js';
import { clustersRollups } from '../core/storage/compose-store.js';
import { createStore, storeHealth } from '../core/storage/create-store.js';
import { EmbeddedStore } from '../core/storage/duckdb/embedded-store.js';
import { PostgresJobLock } from '../core/storage/postgres/job-lock.js';
import type { Store } from '../core/storage/store.js';
import { ensureAdminToken, isTokenActive } from '../core/tokens.js';
import { Notifier, notifierSettings } from '../ingest/alerts/notifier.js';
import { EmbeddedBroker } from '../ingest/broker.js';
import { ExternalSubscriber } from '../ingest/external-subscriber.js';
import { backupJob } from '../ingest/jobs/backup.js';
import { detectionJobs } from '../ingest/jobs/catalog.js';
import { clusterRollupsJob } from '../ingest/jobs/cluster-rollups.js';
import { dataAuditJob } from '../ingest/jobs/data-audit.js';
import { rebuildJob } from '../ingest/jobs/rebuild.js';
import { reportJobs } from '../ingest/jobs/reports.js';
import { JobRunner, withSchedules } from '../ingest/jobs/runner.js';
import { IngestPipeline } from '../ingest/pipeline.js';
import { readingsEarliestMs } from '../ingest/validate.js';
import { WriteAheadLog } from '../ingest/wal/log.js';
import { WeatherIngest } from '../ingest/weather.js';
import { ADMIN_PASSWORD_FILE, writeAdminTokenFile, writeSecretFile } from './admin-token.js';
import { APP_VERSION } from './app-version.js';
import { followCluster } from './cluster.js';

/** A running platform: store, broker, ingest and API in one process. */
export interface Platform {
  readonly config: Config;
  readonly store: Store;
  readonly registry: RegistryHolder;
  readonly metrics: Metrics;
  readonly pipeline: IngestPipeline;
  readonly apiUrl: string;
  readonly apiPort: number;
  readonly mqttPort: number;
  /** The MQTTS port when TLS is configured, else 0. */
  readonly mqttsPort: number;
  /** The admin token generated at this start, if one was (printed once). */
  readonly generatedAdminToken: string | undefined;
  /** Where the generated admin token was written (`DATA_DIR/admin-token.txt`, mode 0600), if one was. */
  readonly adminTokenFile: string | undefined;
  /** The password of the first user `admin` generated at this start, if one was (printed once). */
  readonly generatedAdminPassword: string | undefined;
  /** Where it was written (`DATA_DIR/admin-password.txt`, mode 0600), if it was. */
  readonly adminPasswordFile: string | undefined;
  /** The job runner (`POST /api/v1/jobs/{name}/run`): runs are in job history and notify like any. */
  readonly jobs: Pick<JobRunner, 'run' | 'list'>;
  /** Stops everything in reverse order of start, writing what is in flight. */
  stop(): Promise<void>;
}

/**
 * The composition root: builds config-driven parts, wires them and starts them in order
 * (store → registry → ingest → broker → API). Nothing imports this but `main.ts` and tests.
 */
export async function startPlatform(config: Config, logger: Logger): Promise<Platform> {
  const metrics = createMetrics();
  const store = await createStore(config, { logger: logger.child({ part: 'store' }), metrics });
  const stops: (() => Promise<void>)[] = [() => store.close()];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch((err: unknown) => logger.error({ err }, 'stop failed'));
  };
  try {
    const registry = new RegistryHolder(await store.loadRegistry());
    // Issue 19, item 4: secrets verified before the restart cost an HMAC, not a scrypt (stopped late: after the broker).
    stops.push(await startLoginMemo(config, registry, logger.child({ part: 'logins' })));
    const generatedAdminToken = await ensureAdminToken(store, config.ADMIN_TOKEN, Date.now());
    const adminTokenFile =
      generatedAdminToken === undefined ? undefined : await writeAdminTokenFile(config.DATA_DIR, generatedAdminToken);
    // Issue 17, item 1: the first user `admin`, so that someone can sign in to the page.
    const generatedAdminPassword = await ensureFirstAdmin(store.accounts, config.ADMIN_PASSWORD, Date.now());
    const adminPasswordFile =
      generatedAdminPassword === undefined
        ? undefined
        : await writeSecretFile(config.DATA_DIR, ADMIN_PASSWORD_FILE, generatedAdminPassword);
    const tls =
      config.TLS_CERT_FILE === undefined || config.TLS_KEY_FILE === undefined
        ? undefined
        : { cert: await readFile(config.TLS_CERT_FILE), key: await readFile(config.TLS_KEY_FILE) };
    // Opened before ingest starts (which replays it) and closed after ingest has drained. With an
    // external broker the PUBACK waits for the store write instead: workers keep no state.
    const external = config.MQTT_MODE === 'external';
    // A worker whose DATA_DIR still has a log from before (it acknowledged from it) replays it.
    const leftLog = external && existsSync(join(config.DATA_DIR, 'wal'));
    if (leftLog)
      logger.warn(
        { dir: join(config.DATA_DIR, 'wal') },
        'external mode needs no write-ahead log: replaying and keeping the one found; remove it after a clean stop',
      );
    const wal =
      config.INGEST_DURABLE === 'on' && (!external || leftLog)
        ? await WriteAheadLog.open({
            dir: join(config.DATA_DIR, 'wal'),
            segmentMaxBytes: config.INGEST_WAL_SEGMENT_BYTES,
          })
        : undefined;
    if (wal !== undefined) stops.push(() => wal.close());
    const pipeline = new IngestPipeline({
      store,
      registry,
      metrics,
      logger: logger.child({ part: 'ingest' }),
      batchMax: config.INGEST_BATCH_MAX,
      flushMs: config.INGEST_FLUSH_MS,
      clockSkewMaxMs: config.CLOCK_SKEW_MAX_S * 1000,
      readingsEarliestMs: readingsEarliestMs(config.READINGS_EARLIEST),
      maxReadingsPerMessage: config.MQTT_MAX_READINGS_PER_MESSAGE,
      ...(wal === undefined ? {} : { wal }),
      soleWriter: !sharedStoreWriters(config),
      ackAfterStore: external,
    });
    await pipeline.start();
    stops.push(() => pipeline.stop());
    // With METADATA_URL: changes other processes make reach this one (issue "Production parity", item 2).
    stops.push(followCluster({ store, registry, pipeline, logger: logger.child({ part: 'cluster' }) }));
    // Issue 18, item 1: weather observations go beside the readings pipeline, never through it.
    const weather = new WeatherIngest({
      store: store.weather,
      registry,
      reject: (rejections, where) => pipeline.reject(rejections, where),
      logger: logger.child({ part: 'weather' }),
      clockSkewMaxMs: config.CLOCK_SKEW_MAX_S * 1000,
    });
    const onReadings = (gatewayId: string, topic: string, payload: Buffer) =>
      parseTopic(topic)?.kind === 'weather'
        ? weather.submit(gatewayId, topic, payload.toString('utf8'))
        : pipeline.submit(gatewayId, topic, payload.toString('utf8'));
    const onRefused = (gatewayId: string, topic: string, reason: string, payload: Buffer) =>
      pipeline.reject([{ label: 'oversized', reason, raw: payload.subarray(0, 2000).toString('utf8') }], {
        gatewayId,
        topic,
        receivedAtMs: Date.now(),
      });
    const mqttLogger = logger.child({ part: 'mqtt' });
    // The MQTT `service` login (monitoring subscribers): an active admin API token.
    const verifyServiceToken = async (token: string) => {
      const found = await store.findTokenByHash(hashApiToken(token));
      return found?.role === 'admin' && isTokenActive(found, Date.now());
    };
    const broker =
      config.MQTT_MODE === 'embedded'
        ? new EmbeddedBroker({
            host: config.MQTT_HOST,
            port: config.MQTT_PORT,
            maxPayloadBytes: config.MQTT_MAX_PAYLOAD_BYTES,
            registry,
            metrics,
            logger: mqttLogger,
            onReadings,
            onRefused,
            verifyServiceToken,
            maxMessagesPerS: config.MQTT_MAX_MESSAGES_PER_S,
            maxFailedLoginsPerMin: config.MQTT_MAX_FAILED_LOGINS_PER_MIN,
            ...(tls === undefined ? {} : { tls: { ...tls, port: config.MQTTS_PORT } }),
          })
        : new ExternalSubscriber({
            url: config.MQTT_URL ?? '',
            ...(config.MQTT_USERNAME === undefined ? {} : { username: config.MQTT_USERNAME }),
            ...(config.MQTT_PASSWORD === undefined ? {} : { password: config.MQTT_PASSWORD }),
            workerId: config.INGEST_WORKER_ID,
            shareGroup: config.MQTT_SHARE_GROUP,
            sessionExpirySec: config.MQTT_SESSION_EXPIRY_S,
            connections: config.INGEST_CONNECTIONS,
            maxPayloadBytes: config.MQTT_MAX_PAYLOAD_BYTES,
            logger: mqttLogger,
            onReadings,
            onRefused,
          });
    await broker.start();
    stops.push(() => broker.stop());
    const mqttPort = broker instanceof EmbeddedBroker ? broker.port : 0;
    const reportsDir = join(config.DATA_DIR, 'reports');
    // With METADATA_URL the schedules run on one process of the cluster at a time.
    const jobLock =
      config.METADATA_URL === undefined
        ? undefined
        : await PostgresJobLock.open(config.METADATA_URL, logger.child({ part: 'jobs' }));
    if (jobLock !== undefined) stops.push(() => jobLock.close());
    // Issue 17, item 4: routed notifications; stopped after the jobs (stops run in reverse).
    const notifier = new Notifier({
      store: store.notifications,
      registry,
      timeZone: config.TIMEZONE,
      logger: logger.child({ part: 'notify' }),
      ...notifierSettings(config),
    });
    stops.push(() => notifier.stop());
    const jobSpecs = detectionJobs({
      store,
      registry,
      notifier,
      timeZone: config.TIMEZONE,
      coefficients: DEFAULT_COEFFICIENT_TABLE,
      logger: logger.child({ part: 'jobs' }),
      metrics,
      balanceTolerance: config.BALANCE_TOLERANCE,
      defaultGridRegion: config.DEFAULT_GRID_REGION,
      ...(config.ALERT_WEBHOOK_URL === undefined
        ? {}
        : { webhook: { url: config.ALERT_WEBHOOK_URL, secret: config.ALERT_WEBHOOK_SECRET ?? '' } }),
    }).concat(
      reportJobs({
        store,
        registry,
        timeZone: config.TIMEZONE,
        coefficients: DEFAULT_COEFFICIENT_TABLE,
        reportsDir,
        logger: logger.child({ part: 'jobs' }),
      }),
      rebuildJob(pipeline),
      dataAuditJob({
        store,
        registry,
        timeZone: config.TIMEZONE,
        coefficients: DEFAULT_COEFFICIENT_TABLE,
        logger: logger.child({ part: 'jobs' }),
        yoyThreshold: config.AUDIT_YOY_THRESHOLD,
        balanceTolerance: config.BALANCE_TOLERANCE,
        billTolerance: config.BILL_TOLERANCE,
      }),
      // The embedded store's backup, taken between ingest writes (InfluxDB has its own `influx backup`).
      store instanceof EmbeddedStore
        ? [
            backupJob({
              dataDir: config.DATA_DIR,
              snapshot: (file) => store.beginSnapshot(file),
              exclusive: (fn) => pipeline.exclusive(fn),
              appVersion: APP_VERSION,
              logger: logger.child({ part: 'jobs' }),
            }),
          ]
        : [],
      clustersRollups(store) ? [clusterRollupsJob(store)] : [],
    );
    const recordJobRun = store.recordJobRun?.bind(store);
    const jobs = new JobRunner(withSchedules(jobSpecs, config.JOB_SCHEDULES), {
      timeZone: config.TIMEZONE,
      logger: logger.child({ part: 'jobs' }),
      ...(jobLock === undefined ? {} : { lock: jobLock }),
      // With METADATA_URL every run goes to the history the whole cluster's `GET /api/v1/jobs` shows.
      ...(recordJobRun === undefined
        ? {}
        : { history: { processId: `${config.INGEST_WORKER_ID}@${hostname()}:${process.pid}`, record: recordJobRun } }),
    });
    if (config.JOBS === 'on') jobs.start();
    stops.push(() => jobs.stop());
    const health = (): HealthReport => {
      // While InfluxDB is unavailable the store spools writes: the platform works, degraded.
      const { status, ...storeDetails } = storeHealth(store);
      return {
        status,
        store: store.kind,
        ...storeDetails,
        mqttPort,
        meters: registry.get().meters.length,
      };
    };
    // Issue 17, item 1: single sign-on when OIDC_ISSUER is set.
    const sso = ssoSettingsOf(config);
    const app = await buildApp({
      store,
      registry,
      metrics,
      logger: logger.child({ part: 'api' }),
      timeZone: config.TIMEZONE,
      coefficients: DEFAULT_COEFFICIENT_TABLE,
      defaultGridRegion: config.DEFAULT_GRID_REGION,
      health,
      lifecycle: pipeline,
      jobs,
      reportsDir,
      balanceTolerance: config.BALANCE_TOLERANCE,
      billTolerance: config.BILL_TOLERANCE,
      ...(broker instanceof EmbeddedBroker
        ? { gateways: { disconnect: (id: string) => broker.disconnectGateway(id) } }
        : {}),
      security: {
        rateLimitPerMin: config.API_RATE_LIMIT_PER_MIN,
        corsOrigins: config.CORS_ORIGINS,
        requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
        ...(tls === undefined ? {} : { tls }),
        trustProxy: config.TRUST_PROXY,
      },
      signIn: {
        maxAgeMs: config.SESSION_MAX_AGE_H * 3_600_000,
        idleMs: config.SESSION_IDLE_MIN * 60_000,
        maxFailedLoginsPerMin: config.LOGIN_MAX_FAILED_PER_MIN,
      },
      ...(sso === undefined ? {} : { sso }),
    });
    if (config.MQTT_AUTH_SECRET !== undefined) {
      await app.register(mqttAuthRoutes, {
        registry,
        secret: config.MQTT_AUTH_SECRET,
        verifyServiceToken,
        ...(config.MQTT_USERNAME === undefined
          ? {}
          : {
              ingest: {
                username: config.MQTT_USERNAME,
                password: config.MQTT_PASSWORD ?? '',
                shareGroup: config.MQTT_SHARE_GROUP,
              },
            }),
      });
    }
    await app.listen({ host: config.HOST, port: config.PORT });
    stops.push(() => app.close());
    const address = app.server.address();
    const apiPort = typeof address === 'object' && address !== null ? address.port : config.PORT;
    const shownHost = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
    return {
      config,
      store,
      registry,
      metrics,
      pipeline,
      apiUrl: `${tls === undefined ? 'http' : 'https'}://${shownHost}:${apiPort}`,
      apiPort,
      mqttPort,
      mqttsPort: broker instanceof EmbeddedBroker ? broker.tlsPort : 0,
      generatedAdminToken,
      adminTokenFile,
      generatedAdminPassword,
      adminPasswordFile,
      jobs,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
