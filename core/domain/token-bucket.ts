/**
 * A token bucket (rate limit): `ratePerS` tokens per second refill up to `burst`; each event takes
 * one. Time is passed in, so the rule is pure and testable.
 */
export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(
    private readonly ratePerS: number,
    private readonly burst: number,
    nowMs: number,
  ) {
    this.tokens = burst;
    this.lastMs = nowMs;
  }

  private refill(nowMs: number): void {
    const elapsedS = Math.max(0, nowMs - this.lastMs) / 1000;
    this.tokens = Math.min(this.burst, this.tokens + elapsedS * this.ratePerS);
    this.lastMs = Math.max(this.lastMs, nowMs);
  }

  /** Takes one token if there is one; false when over the rate. */
  take(nowMs: number): boolean {
    this.refill(nowMs);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until a token is available (0: one is). */
  msUntilToken(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.ratePerS) * 1000);
  }

  /** Whether the bucket is full again: it then behaves exactly like a new one and can be dropped. */
  isFull(nowMs: number): boolean {
    this.refill(nowMs);
    return this.tokens >= this.burst;
  }
}

/**
 * One token bucket per key (gateway id), created on first use. Bounded: full buckets (no different
 * from new ones) are dropped when the map reaches `maxKeys`, and the oldest keys if still full.
 */
export class KeyedBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  /**
   * @param ratePerS refill rate, events per second
   * @param burst most events at once
   * @param maxKeys most keys kept
   */
  constructor(
    private readonly ratePerS: number,
    private readonly burst: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** The key's bucket, created full on first use. */
  bucket(key: string, nowMs: number): TokenBucket {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxKeys) this.prune(nowMs);
      bucket = new TokenBucket(this.ratePerS, this.burst, nowMs);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  /** Takes one token of the key's bucket; false when the key is over its rate. */
  take(key: string, nowMs: number): boolean {
    return this.bucket(key, nowMs).take(nowMs);
  }

  /** How many keys are kept. */
  get size(): number {
    return this.buckets.size;
  }

  private prune(nowMs: number): void {
    for (const [key, bucket] of this.buckets) if (bucket.isFull(nowMs)) this.buckets.delete(key);
    // Still full: forget the oldest keys (Map keeps insertion order).
    for (const key of this.buckets.keys()) {
      if (this.buckets.size < this.maxKeys) break;
      this.buckets.delete(key);
    }
  }
}

/** Settings of a {@link FailureBackoff}. */
export interface BackoffOptions {
  /** Failures per minute a key may have before its back-off starts (also the burst). */
  readonly maxFailuresPerMin: number;
  /** Back-off after the first failure over the limit, in milliseconds; each further one doubles it. */
  readonly baseMs: number;
  /** Longest back-off, in milliseconds. */
  readonly capMs: number;
  /** Most keys kept (addresses, usernames); keys whose back-off is over and bucket full are dropped first. */
  readonly maxKeys?: number;
}

interface BackoffState {
  readonly bucket: TokenBucket;
  strikes: number;
  untilMs: number;
}

/**
 * Failed logins per key (a source address, a claimed username) with exponential back-off: up to
 * `maxFailuresPerMin` failures a minute are free; each failure beyond them, or while a back-off is
 * running, doubles the back-off up to `capMs`. Successes are never recorded, so a device that logs
 * in once per message is never slowed. Forgotten once the bucket is full again and the back-off over.
 */
export class FailureBackoff {
  private readonly keys = new Map<string, BackoffState>();

  constructor(private readonly opts: BackoffOptions) {}

  /** Milliseconds the key's back-off still runs (0: not in back-off). */
  remainingMs(key: string, nowMs: number): number {
    const state = this.keys.get(key);
    return state === undefined ? 0 : Math.max(0, state.untilMs - nowMs);
  }

  /** The key's current number of failures beyond the limit (0 when it is within the limit). */
  strikes(key: string): number {
    return this.keys.get(key)?.strikes ?? 0;
  }

  /** Records a failure; returns the back-off now in force, in milliseconds (0: still within the limit). */
  failed(key: string, nowMs: number): number {
    const state = this.state(key, nowMs);
    const backingOff = nowMs < state.untilMs;
    if (!backingOff && state.bucket.isFull(nowMs)) state.strikes = 0;
    // During a back-off the bucket refills untouched: only failures outside it spend tokens.
    if (!backingOff && state.bucket.take(nowMs)) return 0;
    state.strikes++;
    const waitMs = Math.min(this.opts.capMs, this.opts.baseMs * 2 ** Math.min(state.strikes - 1, 30));
    state.untilMs = Math.max(state.untilMs, nowMs + waitMs);
    return state.untilMs - nowMs;
  }

  /** How many keys are kept. */
  get size(): number {
    return this.keys.size;
  }

  private state(key: string, nowMs: number): BackoffState {
    let state = this.keys.get(key);
    if (state === undefined) {
      if (this.keys.size >= (this.opts.maxKeys ?? 100_000)) this.prune(nowMs);
      const perMin = this.opts.maxFailuresPerMin;
      state = { bucket: new TokenBucket(perMin / 60, perMin, nowMs), strikes: 0, untilMs: 0 };
      this.keys.set(key, state);
    }
    return state;
  }

  private prune(nowMs: number): void {
    for (const [key, s] of this.keys) if (nowMs >= s.untilMs && s.bucket.isFull(nowMs)) this.keys.delete(key);
    for (const key of this.keys.keys()) {
      if (this.keys.size < (this.opts.maxKeys ?? 100_000)) break;
      this.keys.delete(key);
    }
  }
}
