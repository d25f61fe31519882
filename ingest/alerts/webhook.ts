import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import type { AnomalyEvent } from '../../core/domain/anomalies.js';

/** Options of the alert webhook. */
export interface WebhookOptions {
  readonly url: string;
  /** Shared secret: the body is signed with HMAC-SHA256 in `X-Jieneng-Signature: sha256=<hex>`. */
  readonly secret: string;
  readonly logger: Logger;
  /** Attempts before giving up on one delivery [5]. */
  readonly attempts?: number;
  /** First retry delay, ms, doubled each time [500]. */
  readonly backoffMs?: number;
  readonly onDelivered?: (ok: boolean) => void;
}

/** The signature a receiver recomputes to trust a delivery. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Posts new anomaly events to a webhook, signed, retried with exponential back-off; a delivery that
 * still fails is logged and dropped (the events stay in the API).
 */
export async function deliverAnomalies(events: readonly AnomalyEvent[], opts: WebhookOptions): Promise<boolean> {
  if (events.length === 0) return true;
  const body = JSON.stringify({ kind: 'jieneng.anomalies', sentAt: new Date().toISOString(), anomalies: events });
  const headers = { 'content-type': 'application/json', 'x-jieneng-signature': signBody(opts.secret, body) };
  const attempts = opts.attempts ?? 5;
  let delay = opts.backoffMs ?? 500;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const res = await fetch(opts.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
      if (res.ok) {
        opts.onDelivered?.(true);
        return true;
      }
      // A 4xx other than 408/429 will not get better by retrying.
      if (res.status < 500 && res.status !== 408 && res.status !== 429) {
        opts.logger.warn({ status: res.status }, 'alert webhook refused the delivery');
        break;
      }
      opts.logger.warn({ status: res.status, attempt }, 'alert webhook failed; retrying');
    } catch (error) {
      opts.logger.warn({ err: (error as Error).message, attempt }, 'alert webhook unreachable; retrying');
    }
    if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, delay));
    delay *= 2;
  }
  opts.onDelivered?.(false);
  return false;
}
