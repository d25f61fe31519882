import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { SsoSettings } from '../core/accounts/oidc-client.js';
import type { GridRegion } from '../core/domain/carbon.js';
import type { CoefficientTable } from '../core/domain/energy.js';
import type { ManualEntryRequest, ManualOutcome } from '../core/domain/manual-readings.js';
import type { MeterEvent } from '../core/domain/meter-events.js';
import { AppError } from '../core/errors.js';
import type { Metrics } from '../core/metrics.js';
import type { RegistryHolder } from '../core/registry-holder.js';
import type { Correction, Store } from '../core/storage/store.js';
import { authPlugin, tokenPlugin } from './auth.js';
import { installErrorHandler } from './errors.js';
import { anomalyRoutes } from './routes/anomalies.js';
import { auditRoutes } from './routes/audit.js';
import { auditFlagRoutes } from './routes/audit-flags.js';
import { balanceRoutes } from './routes/balance.js';
import { baselineRoutes } from './routes/baselines.js';
import { billRoutes } from './routes/bills.js';
import { consumptionRoutes } from './routes/consumption.js';
import { correctionRoutes } from './routes/corrections.js';
import { deadLetterRoutes } from './routes/dead-letters.js';
import { energyFlowRoutes } from './routes/energy-flow.js';
import { eventRoutes } from './routes/events.js';
import { factRoutes } from './routes/facts.js';
import { gatewayRoutes } from './routes/gateways.js';
import { healthRoutes } from './routes/health.js';
import { jobRoutes } from './routes/jobs.js';
import { manualReadingRoutes } from './routes/manual-readings.js';
import { noticeRoutes } from './routes/notice.js';
import { notificationRoutes } from './routes/notifications.js';
import { oidcRoutes } from './routes/oidc.js';
import { qualityRoutes } from './routes/quality.js';
import { readingRoutes } from './routes/readings.js';
import { registryRoutes } from './routes/registry.js';
import { registrySheetRoutes } from './routes/registry-sheet.js';
import { reportRoutes } from './routes/reports.js';
import { savingsProjectRoutes } from './routes/savings-projects.js';
import { sessionRoutes, signInRoutes } from './routes/sessions.js';
import { signoffRoutes } from './routes/signoff.js';
import { statisticsRoutes } from './routes/statistics.js';
import { targetRoutes } from './routes/targets.js';
import { tariffRoutes } from './routes/tariffs.js';
import { tokenRoutes } from './routes/tokens.js';
import { userRoutes } from './routes/users.js';
import { weatherRoutes } from './routes/weather.js';
import { CSP_DIRECTIVES, webRoutes } from './routes/web.js';
import { CSRF_HEADER, CSRF_VALUE, type SignInSettings, sessionPlugin } from './session-auth.js';

/** Health of the platform's parts, as `/healthz` reports it. */
export interface HealthReport {
  readonly status: 'ok' | 'degraded';
  readonly [part: string]: unknown;
}

/** Changes that recompute derived consumption; ingest provides them, serialised with its writes. */
export interface Lifecycle {
  addEvent(event: MeterEvent): Promise<void>;
  addCorrection(correction: Correction): Promise<void>;
  eventsOf(meterId: string): readonly MeterEvent[];
  /** Takes a readings message of a gateway as if it had just published it (a dead letter's retry). */
  submit(gatewayId: string, topic: string, payload: string): Promise<void>;
  /** Stores readings or deliveries a user entered for a manual meter, all or nothing (issue 15, item 5). */
  enterManual(request: ManualEntryRequest): Promise<ManualOutcome>;
}

/** A job's state as `GET /api/v1/jobs` shows it. */
export interface JobInfo {
  readonly name: string;
  readonly schedule: string;
  readonly description: string;
  readonly running: boolean;
  readonly lastRun: {
    readonly startedAt: string;
    readonly finishedAt?: string;
    readonly outcome: 'ok' | 'failed' | 'running';
    readonly detail?: unknown;
  } | null;
}

/** Scheduled jobs, run on demand by an admin. */
export interface JobControl {
  list(): JobInfo[];
  /** Runs a job now (or waits for the run in progress), with an input for a job that takes one, and returns its state. */
  run(name: string, input?: unknown): Promise<JobInfo>;
}

/** The broker's hold on gateway connections (secret rotation closes them). */
export interface GatewayControl {
  /** Closes the gateway's MQTT connections; returns how many. */
  disconnect(gatewayId: string): number;
}

/** HTTP hardening settings (from config). */
export interface HttpSecurity {
  /** Requests per minute per valid token, or per client address for requests without a valid one. */
  readonly rateLimitPerMin: number;
  /** Origins allowed by CORS; empty: CORS off. */
  readonly corsOrigins: readonly string[];
  /** Longest a request may take, and longest an idle connection is kept, in milliseconds. */
  readonly requestTimeoutMs: number;
  /** Serve HTTPS with this certificate and key (PEM). */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
  /** Reverse proxies whose X-Forwarded-* headers are believed (addresses, CIDRs); none by default. */
  readonly trustProxy?: readonly string[];
}

/** Defaults of the HTTP hardening when the caller gives none. */
export const DEFAULT_HTTP_SECURITY: HttpSecurity = {
  rateLimitPerMin: 1000,
  corsOrigins: [],
  requestTimeoutMs: 120_000,
};

/** What the API needs from the rest of the platform. */
export interface ApiDeps {
  readonly store: Store;
  readonly registry: RegistryHolder;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly timeZone: string;
  readonly coefficients: CoefficientTable;
  /** Grid region of institutions without `gridRegion`, for kgCO₂ (`DEFAULT_GRID_REGION`, default national). */
  readonly defaultGridRegion?: GridRegion;
  readonly health: () => HealthReport;
  readonly lifecycle: Lifecycle;
  readonly jobs: JobControl;
  readonly now?: () => number;
  /** Largest |difference / parent| of a balanced meter tree (`BALANCE_TOLERANCE`, default 0.05). */
  readonly balanceTolerance?: number;
  /** Largest |metered − billed| / billed of a reconciled bill (`BILL_TOLERANCE`, default 0.02). */
  readonly billTolerance?: number;
  /** Where archived reports live (`DATA_DIR/reports`); without it the archive is empty. */
  readonly reportsDir?: string;
  /** Largest request body, in bytes. */
  readonly bodyLimitBytes?: number;
  readonly gateways?: GatewayControl;
  readonly security?: HttpSecurity;
  /** Users' sign-in: session lifetimes and failed-login limits (default DEFAULT_SIGN_IN_SETTINGS). */
  readonly signIn?: SignInSettings;
  /** Single sign-on with an OpenID Connect provider (`OIDC_*`); unset: passwords only. */
  readonly sso?: SsoSettings;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: ApiDeps;
  }
}

/** Builds the Fastify app without listening (tests use `inject()`). */
export async function buildApp(deps: ApiDeps): Promise<FastifyInstance> {
  const security = deps.security ?? DEFAULT_HTTP_SECURITY;
  const app = Fastify({
    loggerInstance: deps.logger as unknown as FastifyBaseLogger,
    bodyLimit: deps.bodyLimitBytes ?? 16 * 1024 * 1024,
    // Per-request logs would drown the ingest logs; errors are still logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    requestTimeout: security.requestTimeoutMs,
    connectionTimeout: security.requestTimeoutMs,
    ...(security.tls === undefined ? {} : { https: { cert: security.tls.cert, key: security.tls.key } }),
    // Behind a TLS proxy: the client's address for the limits, and https for the cookie's Secure flag.
    ...((security.trustProxy ?? []).length === 0 ? {} : { trustProxy: [...(security.trustProxy ?? [])] }),
  }) as unknown as FastifyInstance;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate('deps', deps);
  installErrorHandler(app);
  await app.register(helmet, {
    contentSecurityPolicy: { directives: CSP_DIRECTIVES as Record<string, string[]> },
    hsts: security.tls !== undefined,
  });
  if (security.corsOrigins.length > 0) await app.register(cors, { origin: [...security.corsOrigins] });
  await app.register(tokenPlugin);
  await app.register(sessionPlugin);
  await app.register(rateLimit, {
    // Not per route (route hooks run after the API's auth hook, so refused tokens went uncounted):
    // one app-wide onRequest hook, added below before any route plugin.
    global: false,
    max: security.rateLimitPerMin,
    timeWindow: '1 minute',
    // Per token (or signed-in user) when it is known and active, else per client address: requests
    // with a missing or wrong token share their address's budget, so guessing tokens is limited too.
    keyGenerator: async (request) => {
      const principal = await app.principal(request);
      return principal instanceof AppError ? `ip:${request.ip}` : `tok:${principal.id}`;
    },
    onExceeded: () => deps.metrics.httpRateLimited.inc(),
    errorResponseBuilder: (_request, context) =>
      new AppError('JN_RATE_LIMITED', 429, `rate limit: at most ${context.max} requests per ${context.after}`),
  });
  app.addHook('onRequest', app.rateLimit());
  await app.register(swagger, {
    openapi: {
      info: { title: 'Jieneng API', description: 'Energy and water monitoring of public buildings', version: '1' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'jn_session',
            description: `POST /api/v1/sessions sets it; changes also need the header ${CSRF_HEADER}: ${CSRF_VALUE}`,
          },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  await app.register(healthRoutes);
  // Signing in needs no credentials: outside the authenticated /api/v1 below.
  await app.register(signInRoutes, { prefix: '/api/v1' });
  await app.register(oidcRoutes, { prefix: '/api/v1' });
  await app.register(
    async (v1) => {
      await v1.register(authPlugin);
      await v1.register(registryRoutes);
      await v1.register(registrySheetRoutes);
      await v1.register(consumptionRoutes);
      await v1.register(energyFlowRoutes);
      await v1.register(balanceRoutes);
      await v1.register(readingRoutes);
      await v1.register(deadLetterRoutes);
      await v1.register(eventRoutes);
      await v1.register(factRoutes);
      await v1.register(correctionRoutes);
      await v1.register(manualReadingRoutes);
      await v1.register(qualityRoutes);
      await v1.register(targetRoutes);
      await v1.register(tariffRoutes);
      await v1.register(billRoutes);
      await v1.register(anomalyRoutes);
      await v1.register(jobRoutes);
      await v1.register(reportRoutes);
      await v1.register(noticeRoutes);
      await v1.register(notificationRoutes);
      await v1.register(tokenRoutes);
      await v1.register(sessionRoutes);
      await v1.register(userRoutes);
      await v1.register(auditRoutes);
      await v1.register(auditFlagRoutes);
      await v1.register(signoffRoutes);
      await v1.register(statisticsRoutes);
      await v1.register(gatewayRoutes);
      await v1.register(weatherRoutes);
      await v1.register(savingsProjectRoutes);
      await v1.register(baselineRoutes);
    },
    { prefix: '/api/v1' },
  );
  await app.register(webRoutes);
  return app;
}
