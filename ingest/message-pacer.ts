import { KeyedBuckets } from '../core/domain/token-bucket.js';

/** A message waiting for its gateway's next token. */
interface Waiter {
  /** Called with true when the message may go on, false when it was dropped (connection gone, broker stopped). */
  readonly release: (go: boolean) => void;
  /** True once the message no longer needs a token (its connection closed meanwhile). */
  readonly gone: () => boolean;
}

/**
 * Paces each key's (gateway's) messages to a token bucket: a message over the rate waits for the
 * next token, in arrival order, instead of being refused (issue "No device can stop ingest": a
 * gateway uploading its backlog was disconnected). State per key: one bucket, kept across
 * reconnects, and the messages waiting, of which each connection can have at most one socket read
 * (aedes parses the next read only once every packet of the current one is handled).
 */
export class MessagePacer {
  private readonly buckets: KeyedBuckets;
  private readonly queues = new Map<string, Waiter[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  /**
   * @param ratePerS messages per second per key
   * @param burstSeconds seconds of messages a key may send at once
   * @param onSlowed called when a key's messages start waiting (once per episode, for the log)
   */
  constructor(
    ratePerS: number,
    burstSeconds: number,
    private readonly onSlowed: (key: string) => void = () => undefined,
  ) {
    this.buckets = new KeyedBuckets(ratePerS, Math.max(1, ratePerS * burstSeconds));
  }

  /** Messages waiting for a token, over all keys. */
  get waiting(): number {
    let n = 0;
    for (const queue of this.queues.values()) n += queue.length;
    return n;
  }

  /**
   * Takes a token for the key: true when one was free (go on now); otherwise false, and `release`
   * is called later, in arrival order, once a token is there (or with false if the message is gone).
   */
  take(key: string, waiter: Waiter): boolean {
    const queue = this.queues.get(key);
    if (queue === undefined && this.buckets.take(key, Date.now())) return true;
    if (queue === undefined) {
      this.queues.set(key, [waiter]);
      this.onSlowed(key);
    } else queue.push(waiter);
    this.schedule(key);
    return false;
  }

  /** Drops every waiting message (broker stopping). */
  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    const queues = [...this.queues.values()];
    this.queues.clear();
    for (const queue of queues) for (const w of queue) w.release(false);
  }

  private schedule(key: string): void {
    if (this.timers.has(key)) return;
    const waitMs = this.buckets.bucket(key, Date.now()).msUntilToken(Date.now());
    this.timers.set(
      key,
      setTimeout(() => this.drain(key), waitMs),
    );
  }

  private drain(key: string): void {
    this.timers.delete(key);
    const queue = this.queues.get(key) ?? [];
    const bucket = this.buckets.bucket(key, Date.now());
    while (queue.length > 0) {
      const next = queue[0] as Waiter;
      if (next.gone()) {
        queue.shift();
        next.release(false);
        continue;
      }
      if (!bucket.take(Date.now())) break;
      queue.shift();
      next.release(true);
    }
    if (queue.length === 0) this.queues.delete(key);
    else this.schedule(key);
  }
}
