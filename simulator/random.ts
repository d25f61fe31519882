/**
 * Seeded, deterministic randomness for the simulator: a mulberry32 generator for sequential draws
 * and stateless hashes for values that must not depend on what was drawn before (noise of one
 * meter in one interval). Not for anything secret.
 */

/** A 32-bit hash of strings and numbers (FNV-1a over the parts, then a murmur3 finaliser). */
export function hash32(...parts: ReadonlyArray<string | number>): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const text = typeof part === 'number' ? part.toString(36) : part;
    for (let i = 0; i < text.length; i++) {
      h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    }
    // A separator so that ("ab", "c") and ("a", "bc") differ.
    h = Math.imul(h ^ 0x1f, 0x01000193);
  }
  return fmix32(h);
}

/** The murmur3 32-bit finaliser: spreads every input bit over the output. */
export function fmix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const TWO_POW_32 = 4_294_967_296;

/**
 * A uniform number in [0, 1) from a 32-bit key and an integer (e.g. epoch ms up to 2^53), without
 * any state: the same pair always gives the same number.
 */
export function unitHash(key: number, n: number): number {
  const lo = (n % TWO_POW_32) >>> 0;
  const hi = Math.floor(n / TWO_POW_32) >>> 0;
  const h = fmix32(Math.imul(fmix32(key ^ lo) ^ hi, 0x9e3779b1) ^ 0x5bd1e995);
  return h / TWO_POW_32;
}

/** A mulberry32 generator with helpers for the draws the fleet model needs. */
export class Rng {
  readonly #seed: number;
  #state: number;

  /** Starts a generator from a seed; the same seed gives the same sequence. */
  constructor(seed: number) {
    this.#seed = seed;
    this.#state = hash32('rng', seed) | 0;
  }

  /** A uniform number in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) | 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / TWO_POW_32;
  }

  /** A uniform number in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** A uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A normal draw (Box-Muller). */
  normal(mean = 0, sd = 1): number {
    const u1 = 1 - this.next(); // in (0, 1], so the log is finite
    const u2 = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty array');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Shuffles an array in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  /** A child generator for a named sub-stream, independent of how much this one was used. */
  fork(label: string | number): Rng {
    return new Rng(hash32(this.#seed, label));
  }
}
