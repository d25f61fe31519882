import { z } from 'zod';
import { DEFAULT_GRID_REGION, GridRegionSchema } from './domain/carbon.js';
import { GroupRolesJsonSchema } from './domain/sso.js';
import { hasWholeHourOffsets, isValidTimeZone } from './domain/time.js';
import { isInside, parseLoginMemoKey } from './login-memo-key.js';
import { MIN_DUCKDB_MEMORY_BYTES, memoryLimitBytes } from './memory-size.js';

const port = z.coerce.number().int().min(0).max(65_535);

const onOff = z.enum(['on', 'off']);

/** Every environment variable Jieneng reads, with defaults and units in names (see .env.example). */
export const ConfigSchema = z.object({
  HOST: z.string().default('0.0.0.0'),
  PORT: port.default(8080),
  MQTT_HOST: z.string().default('0.0.0.0'),
  MQTT_PORT: port.default(1883),
  /** Largest MQTT payload accepted, in bytes (default 256 KiB). */
  MQTT_MAX_PAYLOAD_BYTES: z.coerce.number().int().min(1024).default(262_144),
  /**
   * Messages per second one gateway may publish (token bucket, burst of 2 s); above it its messages
   * and PUBACKs wait (back-pressure), never a disconnect. 500: a year of one site's backlog uploads in minutes.
   */
  MQTT_MAX_MESSAGES_PER_S: z.coerce.number().positive().default(500),
  /** MQTT over TLS port, served when TLS_CERT_FILE and TLS_KEY_FILE are set (0 picks a free one). */
  MQTTS_PORT: port.default(8883),
  /** PEM certificate chain and private key: with both, the API serves HTTPS on PORT and MQTTS runs on MQTTS_PORT. */
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: z.string().min(1).optional(),
  /** API requests per minute per valid token; requests without a valid token count per client address (before authentication). */
  API_RATE_LIMIT_PER_MIN: z.coerce.number().int().min(1).default(1000),
  /** Comma-separated origins allowed to call the API from a browser (CORS); unset: CORS off. */
  CORS_ORIGINS: z
    .string()
    .optional()
    .transform((s) =>
      (s ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  /** Longest an HTTP request may take, and an idle connection stays open, in milliseconds. */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).default(120_000),
  DATA_DIR: z.string().min(1).default('./data'),
  /** Where readings and consumption live: embedded (DuckDB in DATA_DIR) or influx (InfluxDB; metadata stays in DATA_DIR). */
  STORE: z.enum(['embedded', 'influx']).default('embedded'),
  /**
   * Memory DuckDB (the embedded store) may hold, e.g. `2GB`, `1.5GiB`, `512MB` (KB/MB/GB/TB are
   * powers of 1000, KiB/MiB/GiB/TiB of 1024; at least 128 MiB): beyond it DuckDB spills to
   * DATA_DIR/jieneng.duckdb.tmp or refuses the statement. DuckDB's own default is 80 % of the
   * machine's memory, which lets one process crowd out everything else on a shared machine.
   */
  DUCKDB_MEMORY_LIMIT: z
    .string()
    .default('2GB')
    .refine(
      (s) => (memoryLimitBytes(s) ?? 0) >= MIN_DUCKDB_MEMORY_BYTES,
      'a size of at least 128 MiB, e.g. 2GB, 1.5GiB or 512MB',
    ),
  /** Threads DuckDB runs a statement on; unset: one per core (DuckDB's default). */
  DUCKDB_THREADS: z.coerce.number().int().min(1).max(256).optional(),
  /**
   * PostgreSQL for the metadata (registry, tokens, events, corrections, dead letters, targets,
   * anomalies, audit), shared by every process; unset: DuckDB in DATA_DIR. Migrated at start.
   */
  METADATA_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'a postgres:// URL (postgres://user:password@host:5432/database)')
    .optional(),
  /** InfluxDB base URL, required with STORE=influx (e.g. http://localhost:8086). */
  INFLUX_URL: z.url().optional(),
  /** InfluxDB HTTP API: v1 (1.x, INFLUX_DATABASE) or v2 (2.x/3.x, token); default: v1 when only INFLUX_DATABASE is set. */
  INFLUX_API: z.enum(['v1', 'v2']).optional(),
  /** InfluxDB 1.x database (INFLUX_API=v1); it must exist. */
  INFLUX_DATABASE: z.string().min(1).optional(),
  /** InfluxDB 1.x user and password, when authentication is on. */
  INFLUX_USERNAME: z.string().min(1).optional(),
  INFLUX_PASSWORD: z.string().optional(),
  /** InfluxDB 2.x/3.x API token, organisation and bucket (the bucket needs a DBRP mapping for InfluxQL). */
  INFLUX_TOKEN: z.string().min(1).optional(),
  INFLUX_ORG: z.string().min(1).optional(),
  INFLUX_BUCKET: z.string().min(1).optional(),
  /** Longest one InfluxDB request may take before InfluxDB counts as unavailable, in milliseconds. */
  INFLUX_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** Bound of the on-disk spool (DATA_DIR/spool) that keeps writes while InfluxDB is unavailable, in bytes (256 MiB). */
  INFLUX_SPOOL_MAX_BYTES: z.coerce.number().int().min(65_536).default(268_435_456),
  TIMEZONE: z
    .string()
    .default('Asia/Shanghai')
    .refine(isValidTimeZone, 'unknown time zone')
    .refine(
      (tz) => !isValidTimeZone(tz) || hasWholeHourOffsets(tz, new Date().getUTCFullYear()),
      'time zones with whole-hour offsets only',
    ),
  ADMIN_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  /**
   * Password of the first user, the city admin `admin`, created on a store without users; unset: one
   * is generated, printed once and written to DATA_DIR/admin-password.txt (0600). Ignored once users exist.
   */
  ADMIN_PASSWORD: z.string().min(12, 'at least 12 characters').max(256).optional(),
  /** Longest a sign-in to the page lasts, from sign-in, in hours. */
  SESSION_MAX_AGE_H: z.coerce.number().positive().max(720).default(12),
  /** A sign-in without a request for this long expires, in minutes. */
  SESSION_IDLE_MIN: z.coerce.number().int().min(1).default(30),
  /** Failed sign-ins per minute from one address (above it: 429 with a doubling back-off) and for one username (above it: answered later). */
  LOGIN_MAX_FAILED_PER_MIN: z.coerce.number().int().min(1).default(5),
  /**
   * Single sign-on (issue 17, item 1): the OpenID Connect provider's issuer URL (https; http only
   * on loopback), e.g. https://sso.example.gov.cn/realms/city; unset: passwords only. Register
   * PUBLIC_URL + /api/v1/sessions/oidc/callback as the client's redirect URI.
   */
  OIDC_ISSUER: z
    .url({ protocol: /^https?$/ })
    .refine((u) => u.startsWith('https:') || isLoopbackUrl(u), 'https (http only on localhost)')
    .optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** Scopes asked of the provider, space-separated; `openid` is required. */
  OIDC_SCOPES: z
    .string()
    .default('openid profile email groups')
    .refine((s) => s.split(/\s+/).includes('openid'), 'must include openid'),
  /** Claim (ID token or userinfo) listing the user's groups; a dotted path reaches a nested one (realm_access.roles). */
  OIDC_GROUPS_CLAIM: z.string().min(1).default('groups'),
  /** Groups → roles and scopes, JSON: {"energy-admins":{"role":"admin"},"district-a":{"role":"officer","scopes":["district:a"]}}. */
  OIDC_GROUP_ROLES: GroupRolesJsonSchema.optional(),
  /**
   * Reverse proxies trusted for X-Forwarded-For/-Proto/-Host, comma-separated addresses or CIDRs
   * (or loopback, linklocal, uniquelocal); unset: none, the client is the TCP peer.
   */
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((s, ctx) => {
      const hops = (s ?? '')
        .split(',')
        .map((h) => h.trim())
        .filter(Boolean);
      const named = new Set(['loopback', 'linklocal', 'uniquelocal']);
      const address = z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()]);
      for (const hop of hops)
        if (!named.has(hop) && !address.safeParse(hop).success)
          ctx.addIssue({ code: 'custom', message: `"${hop}": expected an address, a CIDR or loopback` });
      return hops;
    }),
  /** A parent meter whose sub-meters differ from it by more than this share is flagged (总分表平衡; issue "The meter model"). */
  BALANCE_TOLERANCE: z.coerce.number().min(0).max(1).default(0.05),
  /** A bill whose quantity differs from the metered one by more than this share is flagged (issue "The statutory year", item 1). */
  BILL_TOLERANCE: z.coerce.number().min(0).max(1).default(0.02),
  /** The data audit flags a year whose total kgce or water differs from last year's by more than this share (issue 16, item 4). */
  AUDIT_YOY_THRESHOLD: z.coerce.number().positive().max(10).default(0.2),
  /**
   * Grid region whose emission factor an institution without `gridRegion` takes (national, north,
   * northeast, east, central, northwest, southern, southwest; issue 16, item 2). Default: national.
   */
  DEFAULT_GRID_REGION: GridRegionSchema.default(DEFAULT_GRID_REGION),
  DEMO: onOff.default('on'),
  /** Days of history the demo back-fills on an empty data directory. */
  DEMO_DAYS: z.coerce.number().int().min(0).max(400).default(60),
  DEMO_INTERVAL_S: z.coerce.number().int().min(60).max(3600).default(900),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Readings gathered before the store is written, at most. */
  INGEST_BATCH_MAX: z.coerce.number().int().min(1).default(20_000),
  /** Longest a reading waits for its batch to fill, in milliseconds. */
  INGEST_FLUSH_MS: z.coerce.number().int().min(0).default(100),
  /** Readings stamped before this day (UTC) are rejected when their meter has no `installedAt` (a gateway whose clock reset to 1970). */
  READINGS_EARLIEST: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD')
    .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'not a valid date')
    .default('2000-01-01'),
  /** Readings one MQTT message may carry; the rest of a longer batch is refused with one dead letter that summarises it. */
  MQTT_MAX_READINGS_PER_MESSAGE: z.coerce.number().int().min(1).default(5000),
  /** Failed MQTT logins per minute from one address (above it: refused with a doubling back-off) and for one claimed username (above it: answered later, never refused). */
  MQTT_MAX_FAILED_LOGINS_PER_MIN: z.coerce.number().int().min(1).default(10),
  /**
   * Key of the login memo (issue 19, item 4), 32+ bytes as hex or base64: gateway secrets verified
   * once are remembered across restarts in DATA_DIR/verified-logins.json (HMACs), so a gateway's
   * first login after a restart costs an HMAC, not a scrypt. Unset (and no LOGIN_MEMO_KEY_FILE):
   * remembered in memory only. Keep it out of DATA_DIR and its backups.
   */
  LOGIN_MEMO_KEY: z
    .string()
    .refine((s) => parseLoginMemoKey(s) !== undefined, 'at least 32 bytes, hex or base64')
    .optional(),
  /** File holding the login memo key, outside DATA_DIR; created at first start (32 random bytes, mode 0600) when absent. */
  LOGIN_MEMO_KEY_FILE: z.string().min(1).optional(),
  /** Readings stamped further than this in the future are rejected (gateway clock skew), in seconds. */
  CLOCK_SKEW_MAX_S: z.coerce.number().int().min(0).default(600),
  /** Where new anomaly events are posted (JSON, signed with ALERT_WEBHOOK_SECRET); unset: no webhook. */
  ALERT_WEBHOOK_URL: z.url().optional(),
  ALERT_WEBHOOK_SECRET: z.string().min(16, 'at least 16 characters').optional(),
  /**
   * The page's public address, for links in notifications (e.g. https://jieneng.example.gov.cn); unset: no links.
   * Single sign-on's redirect URI is built on it (unset: on the address of the request).
   */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * SMTP server of e-mail notifications (issue 17, item 4): smtp://user:password@host:587 (STARTTLS
   * when offered) or smtps://…:465; or SMTP_HOST, SMTP_PORT, SMTP_USER and SMTP_PASS. Unset: no e-mail.
   */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/\S+$/, 'an smtp:// or smtps:// URL')
    .optional(),
  SMTP_HOST: z.string().min(1).optional(),
  /** 465: TLS from the start; other ports upgrade with STARTTLS when the server offers it. */
  SMTP_PORT: port.default(587),
  SMTP_USER: z.string().min(1).optional(),
  SMTP_PASS: z.string().optional(),
  /** Sender of notification e-mails, e.g. `节能平台 <jieneng@example.gov.cn>`; required with SMTP_URL or SMTP_HOST. */
  SMTP_FROM: z.string().min(3).optional(),
  /** Longest one notification attempt (a robot's or webhook's HTTP request, an SMTP exchange) may take, in milliseconds. */
  NOTIFY_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Attempts per notification message, at most; then it is given up and logged as failed. */
  NOTIFY_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  /** Wait before a notification's second attempt, doubled before each later one, in milliseconds. */
  NOTIFY_BACKOFF_MS: z.coerce.number().int().min(10).max(600_000).default(2000),
  /** Run the scheduled jobs (detection, reports) on their cron schedules (on|off); on demand always works. */
  JOBS: onOff.default('on'),
  /**
   * Cron schedules replacing jobs' own, `name=expression` separated by `;` (node-cron: five fields,
   * or six with seconds first), e.g. `detect-targets=0 7 * * *`.
   */
  JOB_SCHEDULES: z
    .string()
    .optional()
    .transform((s, ctx) => {
      const schedules: Record<string, string> = {};
      for (const part of (s ?? '').split(';').map((p) => p.trim())) {
        if (part === '') continue;
        const at = part.indexOf('=');
        const name = part.slice(0, Math.max(at, 0)).trim();
        const expression = part.slice(at + 1).trim();
        if (at <= 0 || expression === '') ctx.addIssue({ code: 'custom', message: `"${part}": expected name=cron` });
        else schedules[name] = expression;
      }
      return schedules;
    }),
  /** Embedded broker: PUBACK only once readings are fsync'd in the write-ahead log (DATA_DIR/wal) (on|off). External: always after the store write. */
  INGEST_DURABLE: onOff.default('on'),
  /** Bytes after which a write-ahead log segment is closed and a new one started (8 MiB). */
  INGEST_WAL_SEGMENT_BYTES: z.coerce.number().int().min(4096).default(8_388_608),
  /** embedded: the built-in aedes broker; external: ingest subscribes to an existing broker (MQTT_URL). */
  MQTT_MODE: z.enum(['embedded', 'external']).default('embedded'),
  /** The external broker (MQTT_MODE=external), e.g. mqtt://mosquitto:1883. */
  MQTT_URL: z.url().optional(),
  /** The ingest user's login on the external broker. */
  MQTT_USERNAME: z.string().min(1).optional(),
  MQTT_PASSWORD: z.string().optional(),
  /** Shared-subscription group of the ingest workers (`$share/<group>/jieneng/v1/+/readings`). */
  MQTT_SHARE_GROUP: z
    .string()
    .regex(/^[^/+#]+$/, 'no /, + or #')
    .default('jieneng'),
  /** Fixed MQTT client id of this worker: its persistent session survives restarts (default jieneng-ingest-1). */
  INGEST_WORKER_ID: z.string().min(1).default('jieneng-ingest-1'),
  /** How long the external broker keeps this worker's session (and QoS 1 messages) while it is away, in seconds. */
  MQTT_SESSION_EXPIRY_S: z.coerce.number().int().min(0).default(86_400),
  /** MQTT connections per worker in the share group (more connections, more messages per store write). */
  INGEST_CONNECTIONS: z.coerce.number().int().min(1).max(64).default(16),
  /** Ingest workers sharing the subscription; more than 1 needs STORE=influx (DuckDB is single-process). */
  INGEST_WORKERS: z.coerce.number().int().min(1).default(1),
  /** Shared secret of POST /api/v1/mqtt/auth and /acl (EMQX HTTP auth), sent as header x-jieneng-mqtt-secret; unset: routes off. */
  MQTT_AUTH_SECRET: z.string().min(16, 'at least 16 characters').optional(),
});

/** The parsed, frozen configuration. */
export type Config = Readonly<z.infer<typeof ConfigSchema>>;

/** A bad environment: every problem at once. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type InfluxSettings = Partial<Record<'INFLUX_API' | 'INFLUX_DATABASE' | 'INFLUX_BUCKET', string>>;

/** The InfluxDB API flavour: INFLUX_API, else v1 when INFLUX_DATABASE is set without INFLUX_BUCKET, else v2. */
export function influxApiOf(c: InfluxSettings): 'v1' | 'v2' {
  if (c.INFLUX_API === 'v1' || c.INFLUX_API === 'v2') return c.INFLUX_API;
  return c.INFLUX_DATABASE !== undefined && c.INFLUX_BUCKET === undefined ? 'v1' : 'v2';
}

/** Variables that STORE=influx needs together, checked on the raw environment so every problem shows at once. */
function influxProblems(env: Record<string, string | undefined>): string[] {
  if (env.STORE !== 'influx') return [];
  const api = influxApiOf(env);
  const chosen = ['INFLUX_API', 'INFLUX_DATABASE', 'INFLUX_TOKEN', 'INFLUX_ORG', 'INFLUX_BUCKET'].some((n) => env[n]);
  if (!chosen) {
    return [
      ...(env.INFLUX_URL === undefined ? ['INFLUX_URL: required with STORE=influx'] : []),
      'INFLUX_DATABASE: required with STORE=influx for InfluxDB 1.x (or INFLUX_TOKEN, INFLUX_ORG and INFLUX_BUCKET for 2.x/3.x)',
    ];
  }
  const need = [
    'INFLUX_URL',
    ...(api === 'v1' ? ['INFLUX_DATABASE'] : ['INFLUX_TOKEN', 'INFLUX_ORG', 'INFLUX_BUCKET']),
  ];
  const problems = need
    .filter((name) => env[name] === undefined)
    .map((name) =>
      name === 'INFLUX_URL'
        ? 'INFLUX_URL: required with STORE=influx'
        : `${name}: required with STORE=influx and INFLUX_API=${api}${api === 'v2' ? ' (InfluxDB 2.x/3.x)' : ' (InfluxDB 1.x)'}`,
    );
  if (api === 'v1' && env.INFLUX_PASSWORD !== undefined && env.INFLUX_USERNAME === undefined) {
    problems.push('INFLUX_USERNAME: required with INFLUX_PASSWORD');
  }
  return problems;
}

/** External broker mode: a URL, and several workers only with a store they can share. */
function externalProblems(c: z.infer<typeof ConfigSchema>): string[] {
  if (c.MQTT_MODE !== 'external') return [];
  const problems: string[] = [];
  if (c.MQTT_URL === undefined) problems.push('MQTT_URL: required with MQTT_MODE=external');
  if (c.INGEST_WORKERS > 1 && c.STORE === 'embedded') {
    // DuckDB is single-process: two workers cannot write one file, and two files split the data.
    problems.push('INGEST_WORKERS: more than one worker needs STORE=influx (the embedded store has one writer)');
  }
  return problems;
}

/** E-mail notifications: one way to name the server, a sender, and a user with a password. */
function smtpProblems(c: z.infer<typeof ConfigSchema>): string[] {
  const problems: string[] = [];
  if (c.SMTP_URL !== undefined && c.SMTP_HOST !== undefined)
    problems.push('SMTP_HOST: set SMTP_URL or SMTP_HOST, not both');
  if ((c.SMTP_URL ?? c.SMTP_HOST) !== undefined && c.SMTP_FROM === undefined)
    problems.push('SMTP_FROM: required with SMTP_URL or SMTP_HOST');
  if (c.SMTP_PASS !== undefined && c.SMTP_USER === undefined) problems.push('SMTP_USER: required with SMTP_PASS');
  return problems;
}

/** Whether a URL's host is this machine (localhost, 127.0.0.0/8, ::1). */
function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Single sign-on: the issuer, the client and the group mapping go together. */
function oidcProblems(c: z.infer<typeof ConfigSchema>): string[] {
  const parts = {
    OIDC_CLIENT_ID: c.OIDC_CLIENT_ID,
    OIDC_CLIENT_SECRET: c.OIDC_CLIENT_SECRET,
    OIDC_GROUP_ROLES: c.OIDC_GROUP_ROLES,
  };
  const missing = Object.entries(parts)
    .filter(([, v]) => v === undefined)
    .map(([name]) => name);
  if (c.OIDC_ISSUER !== undefined) return missing.map((name) => `${name}: required with OIDC_ISSUER`);
  return missing.length < 3
    ? ['OIDC_ISSUER: required with OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and OIDC_GROUP_ROLES']
    : [];
}

/** The login memo's key: one source, and not kept beside the memo it protects. */
function loginMemoProblems(c: z.infer<typeof ConfigSchema>): string[] {
  if (c.LOGIN_MEMO_KEY !== undefined && c.LOGIN_MEMO_KEY_FILE !== undefined)
    return ['LOGIN_MEMO_KEY_FILE: set LOGIN_MEMO_KEY or LOGIN_MEMO_KEY_FILE, not both'];
  if (c.LOGIN_MEMO_KEY_FILE !== undefined && isInside(c.DATA_DIR, c.LOGIN_MEMO_KEY_FILE))
    return ['LOGIN_MEMO_KEY_FILE: must be outside DATA_DIR (a key beside the memo protects nothing)'];
  return [];
}

/** Whether other processes may write the same store: external mode with several workers. */
export function sharedStoreWriters(c: Config): boolean {
  return c.MQTT_MODE === 'external' && c.INGEST_WORKERS > 1;
}

/** Parses the environment once; the only reader of `process.env`. Throws a ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = ConfigSchema.safeParse(clean);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)),
    ...influxProblems(clean),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  if ((parsed.data.TLS_CERT_FILE === undefined) !== (parsed.data.TLS_KEY_FILE === undefined)) {
    throw new ConfigError(['TLS_CERT_FILE, TLS_KEY_FILE: set both (or neither)']);
  }
  if (parsed.data.ALERT_WEBHOOK_URL !== undefined && parsed.data.ALERT_WEBHOOK_SECRET === undefined) {
    throw new ConfigError(['ALERT_WEBHOOK_SECRET: required with ALERT_WEBHOOK_URL (deliveries are signed)']);
  }
  const external = [
    ...externalProblems(parsed.data),
    ...smtpProblems(parsed.data),
    ...oidcProblems(parsed.data),
    ...loginMemoProblems(parsed.data),
  ];
  if (external.length > 0) throw new ConfigError(external);
  return Object.freeze(parsed.data);
}
