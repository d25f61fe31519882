import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(import.meta.dirname, 'smtp_sink.py');

/** A message the SMTP sink accepted. */
export interface SinkMessage {
  readonly from: string;
  readonly to: string[];
  /** The user it authenticated as; null without AUTH. */
  readonly login: string | null;
  /** Subject and plain-text body, decoded (MIME encoded words, quoted-printable, base64), lines ending LF. */
  readonly subject: string;
  readonly text: string;
  /** The raw message (headers and body) as received. */
  readonly data: string;
}

/** A real SMTP server (aiosmtpd) on a free port of 127.0.0.1. */
export interface TestSmtp {
  readonly port: number;
  /** Messages accepted so far, in order. */
  readonly messages: SinkMessage[];
  stop(): Promise<void>;
}

/** Why the SMTP tests cannot run here (Debian python3-aiosmtpd missing); undefined when they can. */
export function smtpSkipReason(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import aiosmtpd'], { stdio: 'ignore' });
  if (probe.status === 0) return undefined;
  const missing = 'Debian python3-aiosmtpd is not installed';
  if (process.env.CI !== undefined && process.env.CI !== '') throw new Error(`${missing}: it must be in CI`);
  console.warn(`\n  ⚠ ${missing}: SMTP tests skipped. Install it with: apt-get install python3-aiosmtpd\n`);
  return `${missing}: SMTP tests skipped`;
}

/**
 * Starts test/helpers/smtp_sink.py: AUTH succeeds with `user` and `password` only, a recipient
 * `greylist…` is refused once with 451. Resolves once it listens.
 */
export async function startSmtpSink(user: string, password: string): Promise<TestSmtp> {
  const child: ChildProcess = spawn(PYTHON, [SCRIPT, user, password], { stdio: ['ignore', 'pipe', 'pipe'] });
  const messages: SinkMessage[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      const started = /^PORT (\d+)$/.exec(line);
      if (started !== null) resolve(Number(started[1]));
      else {
        const message = JSON.parse(line) as SinkMessage;
        // SMTP carries lines ending CRLF (RFC 5321 §2.3.8); the tests compare the text as written.
        messages.push({ ...message, text: message.text.replace(/\r\n/g, '\n') });
      }
    });
    child.once('exit', (code) => reject(new Error(`the SMTP sink exited (${code}): ${stderr}`)));
  });
  return {
    port,
    messages,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
