import { createHmac } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import type { AnomalyEvent } from '../../core/domain/anomalies.js';
import type { Channel } from '../../core/domain/notifications.js';
import type { NotificationMessage } from '../../core/notifications/message.js';
import { signBody } from './webhook.js';

/** How one attempt to deliver a message ended. */
export interface AttemptOutcome {
  readonly ok: boolean;
  /** Whether another attempt may succeed (a timeout, a 5xx, a robot's errcode) or not (a 4xx, an SMTP 5xx). */
  readonly retryable: boolean;
  readonly httpStatus?: number;
  readonly errcode?: number;
  readonly smtpResponse?: string;
  readonly error?: string;
}

/** One message to one channel, with what every kind of channel needs. */
export interface Outgoing {
  readonly channel: Channel;
  readonly message: NotificationMessage;
  readonly anomalies: readonly AnomalyEvent[];
  /** When the attempt starts (epoch ms): DingTalk's `timestamp`, the webhook's `sentAt`. */
  readonly nowMs: number;
  /** Aborts the attempt: its timeout, or the platform stopping. */
  readonly signal: AbortSignal;
}

/**
 * DingTalk's 加签 signature of a robot request: Base64 of HMAC-SHA256 keyed with the secret over
 * `timestamp + "\n" + secret`, the timestamp in epoch milliseconds (DingTalk custom robot docs,
 * "安全设置 → 加签"). Not yet URL-encoded.
 */
export function dingTalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

/** The robot URL with `timestamp` and `sign` added; URLSearchParams URL-encodes the Base64 (`+`, `/`, `=`). */
export function signedDingTalkUrl(url: string, secret: string, timestampMs: number): string {
  const u = new URL(url);
  u.searchParams.set('timestamp', String(timestampMs));
  u.searchParams.set('sign', dingTalkSign(secret, timestampMs));
  return u.toString();
}

/**
 * Replaces a channel's credentials in a text with `***`: its URL, the URL's path and query values
 * (a robot's `key` / `access_token`), its secret, and `extra` (the SMTP password).
 */
export function scrubber(channel: Channel, extra: readonly (string | undefined)[] = []): (text: string) => string {
  const secrets = [channel.secret, ...extra];
  if (channel.url !== undefined) {
    secrets.push(channel.url);
    try {
      const u = new URL(channel.url);
      if (u.pathname.length > 1) secrets.push(u.pathname);
      for (const value of u.searchParams.values()) secrets.push(value, encodeURIComponent(value));
    } catch {
      // an invalid URL was refused when it was saved
    }
  }
  const known = secrets
    .filter((s): s is string => s !== undefined && s.length >= 4)
    .sort((a, b) => b.length - a.length);
  return (text) => known.reduce((out, s) => out.split(s).join('***'), text);
}

/** Why a request failed, in words (a timeout, a refused connection), without a stack. */
function failure(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  if (e.name === 'AbortError') return 'stopped: the platform is shutting down';
  const cause = e.cause?.code ?? e.cause?.message;
  return `${e.message ?? String(error)}${cause === undefined ? '' : ` (${cause})`}`;
}

/** The body and URL a robot or webhook is sent. */
function request(o: Outgoing): { url: string; body: string; headers: Record<string, string> } {
  const { channel, message } = o;
  const url = channel.url ?? '';
  const json = { 'content-type': 'application/json; charset=utf-8' };
  if (channel.kind === 'wecom')
    return {
      url,
      headers: json,
      body: JSON.stringify({ msgtype: 'markdown', markdown: { content: message.markdown } }),
    };
  if (channel.kind === 'dingtalk')
    return {
      url: channel.secret === undefined ? url : signedDingTalkUrl(url, channel.secret, o.nowMs),
      headers: json,
      body: JSON.stringify({ msgtype: 'markdown', markdown: { title: message.title, text: message.markdown } }),
    };
  // The alert webhook's payload and signature (ingest/alerts/webhook.ts), per channel.
  const body = JSON.stringify({
    kind: 'jieneng.anomalies',
    sentAt: new Date(o.nowMs).toISOString(),
    anomalies: o.anomalies,
  });
  return {
    url,
    body,
    headers: {
      ...json,
      ...(channel.secret === undefined ? {} : { 'x-jieneng-signature': signBody(channel.secret, body) }),
    },
  };
}

/**
 * Posts the message to a WeCom or DingTalk group robot or a webhook, once. Both robots answer HTTP
 * 200 with `{"errcode":0}` when they took it and a non-zero `errcode` when not (a bad signature,
 * a rate limit): that is a failure, worth another attempt.
 */
export async function postToChannel(o: Outgoing, timeoutMs: number): Promise<AttemptOutcome> {
  const { url, body, headers } = request(o);
  try {
    const res = await fetch(url, { method: 'POST', headers, body, signal: o.signal, redirect: 'error' });
    const text = await res.text();
    if (!res.ok) {
      // A 4xx other than 408/429 will not get better by retrying.
      const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
      return { ok: false, retryable, httpStatus: res.status, error: `HTTP ${res.status}` };
    }
    if (o.channel.kind === 'webhook') return { ok: true, retryable: false, httpStatus: res.status };
    let answer: { errcode?: unknown; errmsg?: unknown } = {};
    try {
      answer = JSON.parse(text) as typeof answer;
    } catch {
      // not JSON: reported below
    }
    if (typeof answer.errcode !== 'number')
      return { ok: false, retryable: true, httpStatus: res.status, error: 'the robot answered without an errcode' };
    if (answer.errcode === 0) return { ok: true, retryable: false, httpStatus: res.status, errcode: 0 };
    return {
      ok: false,
      retryable: true,
      httpStatus: res.status,
      errcode: answer.errcode,
      error: `errcode ${answer.errcode}: ${String(answer.errmsg ?? '').slice(0, 500)}`,
    };
  } catch (error) {
    return { ok: false, retryable: true, error: failure(error, timeoutMs) };
  }
}

/** Rejects when `signal` aborts, with its reason: nodemailer's `sendMail` takes no signal. */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    if (signal.aborted) abort();
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

/**
 * Sends the message as an e-mail to the channel's recipients, once. An SMTP 5xx reply is
 * permanent (RFC 5321 §4.2.1): no retry; a 4xx or a lost connection may pass later.
 */
export async function sendEmail(
  transport: Transporter | undefined,
  from: string,
  o: Outgoing,
  timeoutMs: number,
): Promise<AttemptOutcome> {
  if (transport === undefined)
    return { ok: false, retryable: false, error: 'no SMTP server configured (SMTP_URL or SMTP_HOST)' };
  try {
    const info = (await abortable(
      transport.sendMail({ from, to: [...(o.channel.to ?? [])], subject: o.message.title, text: o.message.text }),
      o.signal,
    )) as { response?: unknown; rejected?: unknown[] };
    const rejected = (info.rejected ?? []).map(String);
    return {
      ok: true,
      retryable: false,
      smtpResponse: String(info.response ?? ''),
      ...(rejected.length === 0 ? {} : { error: `refused recipients: ${rejected.join(', ')}` }),
    };
  } catch (error) {
    const e = error as { responseCode?: number; response?: string };
    const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500;
    return {
      ok: false,
      retryable: !permanent,
      ...(typeof e.response === 'string' ? { smtpResponse: e.response.slice(0, 500) } : {}),
      error: failure(error, timeoutMs),
    };
  }
}
