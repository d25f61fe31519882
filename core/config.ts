import { z } from 'zod';
import { hasWholeHourOffsets, isValidTimeZone } from './domain/time.js';

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
  DATA_DIR: z.string().min(1).default('./data'),
  /** Where readings and consumption live: embedded (DuckDB in DATA_DIR) or influx (InfluxDB; metadata stays in DATA_DIR). */
  STORE: z.enum(['embedded', 'influx']).default('embedded'),
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
  DEMO: onOff.default('on'),
  /** Days of history the demo back-fills on an empty data directory. */
  DEMO_DAYS: z.coerce.number().int().min(0).max(400).default(60),
  DEMO_INTERVAL_S: z.coerce.number().int().min(60).max(3600).default(900),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Readings gathered before the store is written, at most. */
  INGEST_BATCH_MAX: z.coerce.number().int().min(1).default(20_000),
  /** Longest a reading waits for its batch to fill, in milliseconds. */
  INGEST_FLUSH_MS: z.coerce.number().int().min(0).default(100),
  /** Readings stamped further than this in the future are rejected (gateway clock skew), in seconds. */
  CLOCK_SKEW_MAX_S: z.coerce.number().int().min(0).default(600),
  /** Where new anomaly events are posted (JSON, signed with ALERT_WEBHOOK_SECRET); unset: no webhook. */
  ALERT_WEBHOOK_URL: z.url().optional(),
  ALERT_WEBHOOK_SECRET: z.string().min(16, 'at least 16 characters').optional(),
  /** Run the scheduled jobs (detection, reports) on their cron schedules (on|off); on demand always works. */
  JOBS: onOff.default('on'),
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

/** Parses the environment once; the only reader of `process.env`. Throws a ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = ConfigSchema.safeParse(clean);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)),
    ...influxProblems(clean),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  if (parsed.data.ALERT_WEBHOOK_URL !== undefined && parsed.data.ALERT_WEBHOOK_SECRET === undefined) {
    throw new ConfigError(['ALERT_WEBHOOK_SECRET: required with ALERT_WEBHOOK_URL (deliveries are signed)']);
  }
  return Object.freeze(parsed.data);
}
