import { createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { DEFAULT_COEFFICIENT_TABLE } from '../../../core/domain/energy.js';
import type { Delivery } from '../../../core/domain/notifications.js';
import { Notifier, notifierSettings } from '../../../ingest/alerts/notifier.js';
import type { DetectionDeps, Finding } from '../../../ingest/jobs/detection.js';
import { startTestPlatform, type TestPlatform } from '../../helpers/platform.js';
import { smallCity } from '../../helpers/registry.js';
import { type RobotReply, type RobotRequest, startRobot, type TestRobot } from '../../helpers/robots.js';
import { startSmtpSink, type TestSmtp } from '../../helpers/smtp.js';

/** Credentials the tests give channels and the SMTP server: none may reach an answer, the audit log or a log line. */
export const DING_SECRET = 'SEC-test-dingtalk-secret-0123456789';
export const DING_TOKEN = 'ding-token-a83b61';
export const WX_KEY = 'wx-key-7d41c2e9';
export const HOOK_SECRET = 'hook-secret-0123456789';
export const SMTP_USER = 'jieneng';
export const SMTP_PASS = 'smtp-pass-5f3a9c';
export const CREDENTIALS = [DING_SECRET, DING_TOKEN, WX_KEY, HOOK_SECRET, SMTP_PASS];

export const H = 3_600_000;
/** Per-attempt timeout and first back-off of the test platforms (NOTIFY_TIMEOUT_MS, NOTIFY_BACKOFF_MS). */
export const TIMEOUT_MS = 400;
export const BACKOFF_MS = 50;

/** A delivery attempt as `GET /api/v1/notification-deliveries` lists it. */
export type DeliveryOut = Omit<Delivery, 'atMs'> & { at: string };

/** Answers as a WeCom group robot does: errcode 0, or 93000 for a URL without the robot's key. */
export function wecomAnswer(req: RobotRequest): RobotReply {
  if (req.query.get('key') !== WX_KEY) return { json: { errcode: 93000, errmsg: 'invalid webhook url' } };
  const body = req.body as { msgtype?: string; markdown?: { content?: string } } | undefined;
  if (body?.msgtype !== 'markdown' || typeof body.markdown?.content !== 'string')
    return { json: { errcode: 40008, errmsg: 'invalid message type' } };
  return { json: { errcode: 0, errmsg: 'ok' } };
}

/**
 * Answers as a DingTalk robot with 加签 does, checking the signature server-side: `timestamp`
 * within an hour of its clock and `sign` = Base64(HMAC-SHA256(secret, timestamp + "\n" + secret)),
 * read from the URL-decoded query (a `+` left unencoded would arrive as a space and fail).
 */
export function dingTalkAnswer(req: RobotRequest): RobotReply {
  const timestamp = req.query.get('timestamp') ?? '';
  const expected = createHmac('sha256', DING_SECRET).update(`${timestamp}\n${DING_SECRET}`).digest('base64');
  if (!(Math.abs(Date.now() - Number(timestamp)) < H) || req.query.get('sign') !== expected)
    return { json: { errcode: 310000, errmsg: 'sign not match' } };
  if (req.query.get('access_token') !== DING_TOKEN) return { json: { errcode: 300001, errmsg: 'token is not exist' } };
  const body = req.body as { msgtype?: string; markdown?: { title?: string; text?: string } } | undefined;
  if (body?.msgtype !== 'markdown' || !body.markdown?.title || !body.markdown.text)
    return { json: { errcode: 40035, errmsg: 'missing markdown title or text' } };
  return { json: { errcode: 0, errmsg: 'ok' } };
}

/** Whether a webhook request carries the body's signature (X-Jieneng-Signature: sha256=HMAC hex). */
export function signedWithHookSecret(req: RobotRequest): boolean {
  const hmac = createHmac('sha256', HOOK_SECRET).update(req.raw).digest('hex');
  return req.headers['x-jieneng-signature'] === `sha256=${hmac}`;
}

/** The markdown a robot request carries: WeCom's `markdown.content`, DingTalk's `markdown.text`; '' when none. */
export function robotMarkdown(req: RobotRequest | undefined): string {
  const markdown = (req?.body as { markdown?: { content?: string; text?: string } } | undefined)?.markdown;
  return markdown?.content ?? markdown?.text ?? '';
}

/** A detector's finding, as recordFindings takes it. */
export function finding(
  type: string,
  scope: string,
  severity: Finding['severity'],
  startMs: number,
  energy = 'electricity',
  wastedNative = 0,
): Finding {
  return { type, scope, energy, startMs, endMs: startMs + 3 * H, severity, evidence: {}, wastedNative };
}

/** A platform with SMTP, PUBLIC_URL and short notification timeouts, logs captured, and a notifier on its store. */
export interface NotifyHarness {
  readonly t: TestPlatform;
  readonly smtp: TestSmtp;
  /** Every log line of the platform and the notifier. */
  readonly logs: string[];
  /** recordFindings' dependencies, with a notifier built as the platform builds its own. */
  readonly deps: DetectionDeps;
  readonly notifier: Notifier;
  /** Starts a robot that is closed with the harness. */
  robot(reply: (req: RobotRequest, index: number) => RobotReply): Promise<TestRobot>;
  /** Delivery attempts, newest first, with extra query parameters (`&channelId=…`). */
  deliveries(query?: string): Promise<DeliveryOut[]>;
  close(): Promise<void>;
}

/** Starts the SMTP sink, then the platform on it, and puts the small city in its registry. */
export async function startNotifyHarness(): Promise<NotifyHarness> {
  const smtp = await startSmtpSink(SMTP_USER, SMTP_PASS);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const logger = pino({ level: 'trace' }, sink);
  const t = await startTestPlatform(
    {
      SMTP_URL: `smtp://${SMTP_USER}:${SMTP_PASS}@127.0.0.1:${smtp.port}`,
      SMTP_FROM: '节能平台 <jieneng@example.org>',
      PUBLIC_URL: 'https://jieneng.example.org',
      NOTIFY_TIMEOUT_MS: String(TIMEOUT_MS),
      NOTIFY_BACKOFF_MS: String(BACKOFF_MS),
      NOTIFY_ATTEMPTS: '3',
    },
    undefined,
    logger,
  );
  const put = await t.api('PUT', '/api/v1/registry', smallCity());
  if (put.status !== 200) throw new Error(`registry refused: ${JSON.stringify(put.body)}`);
  const { store, registry, metrics, config } = t.platform;
  const notifier = new Notifier({
    store: store.notifications,
    registry,
    timeZone: config.TIMEZONE,
    logger,
    ...notifierSettings(config),
  });
  const deps: DetectionDeps = {
    store,
    registry,
    timeZone: config.TIMEZONE,
    coefficients: DEFAULT_COEFFICIENT_TABLE,
    logger,
    metrics,
    notifier,
  };
  const robots: TestRobot[] = [];
  return {
    t,
    smtp,
    logs,
    deps,
    notifier,
    async robot(reply) {
      const r = await startRobot(reply);
      robots.push(r);
      return r;
    },
    async deliveries(query = '') {
      const res = await t.api<{ deliveries: DeliveryOut[] }>(
        'GET',
        `/api/v1/notification-deliveries?from=2020-01-01&to=2100-01-01${query}`,
      );
      if (res.status !== 200) throw new Error(`deliveries: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.deliveries;
    },
    async close() {
      await notifier.stop();
      await t.close();
      await Promise.all(robots.map((r) => r.close()));
      await smtp.stop();
    },
  };
}
