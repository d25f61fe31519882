import { setTimeout as sleep } from 'node:timers/promises';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { Config } from '../../core/config.js';
import type { AnomalyEvent } from '../../core/domain/anomalies.js';
import { type Channel, type Delivery, routeAnomalies } from '../../core/domain/notifications.js';
import { anomalyMessage, districtOfScope, type MessageContext } from '../../core/notifications/message.js';
import type { RegistryHolder } from '../../core/registry-holder.js';
import { newId } from '../../core/security.js';
import type { NotificationStore } from '../../core/storage/store.js';
import { type AttemptOutcome, type Outgoing, postToChannel, scrubber, sendEmail } from './channels.js';

/** What the detection jobs hand new anomalies to. */
export interface AnomalyNotifier {
  /** Sends them to the channels whose routes match, in the background: never waits, never throws. */
  notify(events: readonly AnomalyEvent[]): void;
}

/** The SMTP server of e-mail channels: `url` (smtp:// or smtps://), or host, port and login. */
export interface SmtpSettings {
  readonly url?: string;
  readonly host?: string;
  readonly port: number;
  readonly user?: string;
  readonly pass?: string;
  readonly from: string;
}

/** Options of the notifier. */
export interface NotifierOptions {
  readonly store: NotificationStore;
  readonly registry: RegistryHolder;
  readonly timeZone: string;
  readonly logger: Logger;
  /** `PUBLIC_URL`: messages link to the page. */
  readonly publicUrl?: string;
  readonly smtp?: SmtpSettings;
  /** Attempts per message [3]: bounded, a channel that keeps failing is given up (and logged). */
  readonly attempts?: number;
  /** Wait before the second attempt, doubled before each later one, ms [2000]. */
  readonly backoffMs?: number;
  /** Longest one attempt (HTTP request or SMTP exchange) may take, ms [10000]. */
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

/** The notifier's settings from the configuration (`PUBLIC_URL`, `SMTP_*`, `NOTIFY_*`). */
export function notifierSettings(
  c: Config,
): Pick<NotifierOptions, 'publicUrl' | 'smtp' | 'attempts' | 'backoffMs' | 'timeoutMs'> {
  const server = c.SMTP_URL === undefined ? { host: c.SMTP_HOST } : { url: c.SMTP_URL };
  const smtp: SmtpSettings | undefined =
    (c.SMTP_URL ?? c.SMTP_HOST) === undefined
      ? undefined
      : { ...server, port: c.SMTP_PORT, user: c.SMTP_USER, pass: c.SMTP_PASS, from: c.SMTP_FROM ?? '' };
  return {
    ...(c.PUBLIC_URL === undefined ? {} : { publicUrl: c.PUBLIC_URL }),
    ...(smtp === undefined ? {} : { smtp }),
    attempts: c.NOTIFY_ATTEMPTS,
    backoffMs: c.NOTIFY_BACKOFF_MS,
    timeoutMs: c.NOTIFY_TIMEOUT_MS,
  };
}

/**
 * Notifications of new anomalies (issue 17, item 4). Each batch of anomalies a detection run
 * records becomes one message per channel that a route gives some of them to (WeCom or DingTalk
 * group robot, e-mail, webhook). Channels are sent to in parallel, each attempt bounded by a
 * timeout and retried with back-off a bounded number of times, so a failing or hanging channel
 * neither holds the others up nor the detection job (which does not wait). Every attempt is
 * written to the delivery log; no secret and no robot URL reaches the log or the logs.
 */
export class Notifier implements AnomalyNotifier {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private transport: Transporter | undefined;

  constructor(private readonly opts: NotifierOptions) {}

  notify(events: readonly AnomalyEvent[]): void {
    if (events.length === 0 || this.stopping.signal.aborted) return;
    const run = this.deliver(events).catch((error: unknown) =>
      this.opts.logger.warn({ err: (error as Error).message }, 'notifications not sent: the routes could not be read'),
    );
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  /** Resolves once every delivery started so far has ended (delivered or given up). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Cuts waits and requests in flight short (each logged as failed), then closes the SMTP connection. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.idle();
    this.transport?.close();
  }

  private async deliver(events: readonly AnomalyEvent[]): Promise<void> {
    const config = await this.opts.store.config();
    if (config.channels.length === 0) return;
    const registry = this.opts.registry.get();
    const ctx: MessageContext = {
      registry,
      timeZone: this.opts.timeZone,
      ...(this.opts.publicUrl === undefined ? {} : { publicUrl: this.opts.publicUrl }),
    };
    const batches = routeAnomalies(config, events, (e) => districtOfScope(e.scope, registry));
    await Promise.all(batches.map((b) => this.deliverTo(b.channel, b.anomalies, ctx)));
  }

  /** One message to one channel: attempts until delivered, refused for good, or out of attempts. */
  private async deliverTo(channel: Channel, anomalies: readonly AnomalyEvent[], ctx: MessageContext): Promise<void> {
    const message = anomalyMessage(anomalies, ctx);
    const messageId = newId('msg');
    const attempts = this.opts.attempts ?? 3;
    const scrub = scrubber(channel, [this.opts.smtp?.pass, this.opts.smtp?.url]);
    let delayMs = this.opts.backoffMs ?? 2000;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const atMs = Math.round((this.opts.now ?? Date.now)());
      const started = performance.now();
      const outcome = await this.attempt({ channel, message, anomalies, nowMs: atMs, signal: this.stopping.signal });
      // Stopping ends the message: the attempt it cut short is its last.
      const last = outcome.ok || !outcome.retryable || attempt === attempts || this.stopping.signal.aborted;
      const delivery: Delivery = {
        id: newId('dlv'),
        messageId,
        channelId: channel.id,
        kind: channel.kind,
        attempt,
        atMs,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        status: outcome.ok ? 'delivered' : last ? 'failed' : 'retrying',
        anomalyIds: anomalies.map((a) => a.id),
        ...(outcome.httpStatus === undefined ? {} : { httpStatus: outcome.httpStatus }),
        ...(outcome.errcode === undefined ? {} : { errcode: outcome.errcode }),
        ...(outcome.smtpResponse === undefined ? {} : { smtpResponse: scrub(outcome.smtpResponse) }),
        ...(outcome.error === undefined ? {} : { error: scrub(outcome.error) }),
      };
      await this.record(delivery);
      if (last) return;
      // Cut short when the platform stops: the next attempt then fails at once and is logged as the last.
      await sleep(delayMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
      delayMs *= 2;
    }
  }

  private async attempt(base: Outgoing): Promise<AttemptOutcome> {
    if (base.signal.aborted) return { ok: false, retryable: false, error: 'stopped: the platform is shutting down' };
    const timeoutMs = this.opts.timeoutMs ?? 10_000;
    const o = { ...base, signal: AbortSignal.any([base.signal, AbortSignal.timeout(timeoutMs)]) };
    if (o.channel.kind !== 'email') return postToChannel(o, timeoutMs);
    return sendEmail(this.smtpTransport(timeoutMs), this.opts.smtp?.from ?? '', o, timeoutMs);
  }

  /** The SMTP transport, made at the first e-mail; undefined without SMTP settings. */
  private smtpTransport(timeoutMs: number): Transporter | undefined {
    const smtp = this.opts.smtp;
    if (smtp === undefined) return undefined;
    const timeouts = { connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs };
    this.transport ??=
      smtp.url !== undefined
        ? nodemailer.createTransport({ url: smtp.url, ...timeouts })
        : nodemailer.createTransport({
            host: smtp.host,
            port: smtp.port,
            // 465 speaks TLS from the start; other ports upgrade with STARTTLS when the server offers it.
            secure: smtp.port === 465,
            ...(smtp.user === undefined ? {} : { auth: { user: smtp.user, pass: smtp.pass ?? '' } }),
            ...timeouts,
          });
    return this.transport;
  }

  private async record(d: Delivery): Promise<void> {
    const fields = { channelId: d.channelId, kind: d.kind, attempt: d.attempt, anomalies: d.anomalyIds.length };
    const outcome = { httpStatus: d.httpStatus, errcode: d.errcode, error: d.error };
    if (d.status === 'delivered') this.opts.logger.info(fields, 'notification delivered');
    else if (d.status === 'retrying') this.opts.logger.warn({ ...fields, ...outcome }, 'notification failed; retrying');
    else this.opts.logger.warn({ ...fields, ...outcome }, 'notification not delivered; given up');
    await this.opts.store
      .addDeliveries([d])
      .catch((error: unknown) =>
        this.opts.logger.warn({ err: (error as Error).message, channelId: d.channelId }, 'delivery log not written'),
      );
  }
}
