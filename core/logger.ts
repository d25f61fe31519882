import pino, { type Logger } from 'pino';

/** Paths whose values never reach a log line. */
export const REDACT_PATHS = [
  'password',
  'secret',
  'token',
  '*.password',
  '*.secret',
  '*.token',
  'req.headers.authorization',
  'headers.authorization',
  // Users' sign-in (issue 17, item 1): the session cookie and a password change's current password.
  'currentPassword',
  '*.currentPassword',
  'req.headers.cookie',
  'headers.cookie',
];

/** The platform logger: JSON lines, or pretty when `pretty` (a TTY); secrets redacted. */
export function createLogger(level: string, pretty: boolean): Logger {
  return pino({
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } }
      : {}),
  });
}
