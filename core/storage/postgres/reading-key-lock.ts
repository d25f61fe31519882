import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { ReadingKeyLock } from '../store.js';

/** Namespace of the meters' advisory lock keys, apart from the job locks (job-lock.ts). */
const NAMESPACE = 'jieneng:readings:';

/** Longest wait for a meter's lock before the call fails, in ms (a holder that hangs must not stall every worker). */
export const READING_LOCK_TIMEOUT_MS = 60_000;

/**
 * The advisory lock key of a meter: the first 64 bits of SHA-256 of namespace and id, as a signed
 * int8 in decimal. Stable across processes, releases and PostgreSQL versions (unlike `hashtext`),
 * and 64 bits wide: two meters sharing a key only wait for each other, never lose a check.
 */
export function meterLockKey(meterId: string, namespace: string = NAMESPACE): string {
  return createHash('sha256')
    .update(namespace + meterId)
    .digest()
    .readBigInt64BE(0)
    .toString();
}

/**
 * `ReadingKeyLock` over PostgreSQL (issue "Production parity", item 2): transaction-scoped
 * advisory locks (`pg_advisory_xact_lock`), one per meter, taken in ascending key order inside a
 * transaction on a pooled connection that stays checked out until the release commits it. Locks
 * of a transaction cannot outlive it: a process that dies, or whose connection drops, releases them.
 */
export class PostgresReadingKeyLock implements ReadingKeyLock {
  constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Logger | undefined,
    private readonly timeoutMs: number = READING_LOCK_TIMEOUT_MS,
    /** Namespace of the keys (another one makes another family of locks, e.g. the registry's). */
    private readonly namespace: string = NAMESPACE,
  ) {}

  async lockMeters(meterIds: readonly string[]): Promise<() => Promise<void>> {
    // Sorted as int8, the order PostgreSQL compares them in; deduplicated (a key is locked once).
    const keys = [...new Set(meterIds.map((id) => meterLockKey(id, this.namespace)))].sort((a, b) =>
      BigInt(a) < BigInt(b) ? -1 : 1,
    );
    if (keys.length === 0) return async () => undefined;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT set_config('lock_timeout', $1, true)`, [`${this.timeoutMs}ms`]);
      // A function scan yields the array's elements in order, and the aggregate takes each lock as
      // its row arrives: the locks are taken in `keys` order, in one round trip.
      await client.query('SELECT count(pg_advisory_xact_lock(k)) FROM unnest($1::int8[]) AS k', [keys]);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
      throw error;
    }
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      // Nothing was written in the transaction: a failed COMMIT only means the connection is gone,
      // and the locks with it. The connection is then discarded, not returned to the pool.
      const failed = await client.query('COMMIT').then(
        () => undefined,
        (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
      );
      if (failed !== undefined) this.logger?.warn({ err: failed }, 'releasing the reading locks failed');
      client.release(failed);
    };
  }
}
