import { groupBy } from '../core/collections.js';
import type { StoredReading } from '../core/storage/store.js';
import type { FlushOutcome } from './deriver.js';

/** A meter whose readings could not be stored, even alone. */
export interface MeterFailure {
  readonly meterId: string;
  readonly readings: readonly StoredReading[];
  readonly error: unknown;
}

/** What an isolated write stored, and the meters it could not. */
export interface IsolatedOutcome extends FlushOutcome {
  readonly failed: MeterFailure[];
}

/** How an isolated write retries a batch before splitting it. */
export interface IsolateOptions {
  /** Extra attempts of the whole batch when its error looks transient (default 2). */
  readonly transientRetries?: number;
  /** Wait before the first extra attempt, doubled for each next one, in ms (default 200). */
  readonly retryDelayMs?: number;
}

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EBUSY']);

/**
 * Whether trying the same write again later may succeed: the error says so (`retryable`, as
 * InfluxError and AppError do), or it is a network error, a timeout, a lock or a transaction conflict.
 */
export function looksTransient(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { retryable?: unknown; code?: unknown; message?: unknown };
  if (typeof e.retryable === 'boolean') return e.retryable;
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
  return typeof e.message === 'string' && /timed? ?out|temporar|conflict|could not set lock|ECONN/i.test(e.message);
}

/** The message of an error, whatever was thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Writes a batch so that no meter can hold back another's readings (issue "No device can stop
 * ingest"): the whole batch first (again, a bounded number of times, while its error looks
 * transient); when it fails, its meters are split in halves and each half written alone, down to
 * single meters (bisection: k failing meters among m take O(k log m) writes). A meter that fails
 * alone is returned in `failed`, with its readings and error; everything else is stored.
 */
export async function writeIsolated(
  batch: readonly StoredReading[],
  write: (part: readonly StoredReading[]) => Promise<FlushOutcome>,
  options: IsolateOptions = {},
): Promise<IsolatedOutcome> {
  const retries = options.transientRetries ?? 2;
  const delayMs = options.retryDelayMs ?? 200;
  const total = { stored: 0, duplicates: 0, conflicts: [] as FlushOutcome['conflicts'], failed: [] as MeterFailure[] };
  const add = (o: FlushOutcome) => {
    total.stored += o.stored;
    total.duplicates += o.duplicates;
    for (const c of o.conflicts) total.conflicts.push(c);
  };
  let firstError: unknown;
  for (let attempt = 0; ; attempt++) {
    try {
      add(await write(batch));
      return total;
    } catch (error) {
      firstError ??= error;
      if (attempt >= retries || !looksTransient(error)) break;
      await new Promise((resolve) => setTimeout(resolve, delayMs * 2 ** attempt));
    }
  }
  const meters = [...groupBy(batch, (r) => r.meterId)];
  if (meters.length === 1) {
    const [meterId, readings] = meters[0] as [string, StoredReading[]];
    total.failed.push({ meterId, readings, error: firstError });
    return total;
  }
  const bisect = async (part: readonly [string, StoredReading[]][]): Promise<void> => {
    const mid = part.length >> 1;
    for (const half of [part.slice(0, mid), part.slice(mid)]) {
      const readings: StoredReading[] = [];
      for (const [, list] of half) for (const r of list) readings.push(r);
      try {
        add(await write(readings));
      } catch (error) {
        if (half.length > 1) await bisect(half);
        else {
          const [meterId] = half[0] as [string, StoredReading[]];
          total.failed.push({ meterId, readings, error });
        }
      }
    }
  };
  await bisect(meters);
  return total;
}
