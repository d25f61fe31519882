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
  STORE: z.enum(['embedded']).default('embedded'),
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

/** Parses the environment once; the only reader of `process.env`. Throws a ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = ConfigSchema.safeParse(clean);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  if (parsed.data.ALERT_WEBHOOK_URL !== undefined && parsed.data.ALERT_WEBHOOK_SECRET === undefined) {
    throw new ConfigError(['ALERT_WEBHOOK_SECRET: required with ALERT_WEBHOOK_URL (deliveries are signed)']);
  }
  return Object.freeze(parsed.data);
}
