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

  /** Takes one token if there is one; false when over the rate. */
  take(nowMs: number): boolean {
    const elapsedS = Math.max(0, nowMs - this.lastMs) / 1000;
    this.tokens = Math.min(this.burst, this.tokens + elapsedS * this.ratePerS);
    this.lastMs = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** One token bucket per key (gateway id), created on first use. */
export class KeyedBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  /**
   * @param ratePerS refill rate, events per second
   * @param burst most events at once
   */
  constructor(
    private readonly ratePerS: number,
    private readonly burst: number,
  ) {}

  /** Takes one token of the key's bucket; false when the key is over its rate. */
  take(key: string, nowMs: number): boolean {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = new TokenBucket(this.ratePerS, this.burst, nowMs);
      this.buckets.set(key, bucket);
    }
    return bucket.take(nowMs);
  }
}
