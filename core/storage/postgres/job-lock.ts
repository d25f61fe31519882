import pg from 'pg';
import type { Logger } from 'pino';

/** The advisory lock whose holder runs the scheduled jobs. */
const LEADER_KEY = 'jieneng:jobs:leader';
/** The advisory lock held during each run of a job. */
const jobKey = (name: string) => `jieneng:job:${name}`;

/** First wait before reconnecting, in ms (doubled at each failure). */
const RECONNECT_MIN_MS = 250;
/** Longest wait between two reconnection attempts, in ms. */
const RECONNECT_MAX_MS = 10_000;

/**
 * Job leadership in a cluster sharing one PostgreSQL (issue "Production parity", item 2): session
 * advisory locks on one dedicated connection. The process that takes `jieneng:jobs:leader` keeps
 * it, and runs the schedules, as long as that connection lives; PostgreSQL releases a session's
 * locks when its connection ends, which is what the death of a process (even SIGKILL) or a network
 * cut does, and the next process to ask then leads. Each run of a job also holds the job's own
 * lock, so that a run on demand elsewhere never overlaps it.
 *
 * A leader whose connection drops loses the leadership at once; a job it is running goes on, and
 * may overlap a run that the new leader starts meanwhile (only while the connection is down).
 * Implements `JobLock` of the job runner (ingest/jobs/runner.ts).
 */
export class PostgresJobLock {
  private client: pg.Client | undefined;
  private leading = false;
  private closed = false;
  private backoffMs = RECONNECT_MIN_MS;
  private notBeforeMs = 0;
  private connecting: Promise<pg.Client | undefined> | undefined;

  private constructor(
    private readonly url: string,
    private readonly logger: Logger | undefined,
  ) {}

  /** Connects (failing with the server's error when it cannot); leads nothing until asked. */
  static async open(url: string, logger?: Logger): Promise<PostgresJobLock> {
    const lock = new PostgresJobLock(url, logger);
    lock.client = await lock.connect();
    return lock;
  }

  /** Whether this process leads the schedules: takes the leadership when nobody holds it. */
  async leads(): Promise<boolean> {
    const client = await this.connection();
    if (client === undefined) return false;
    if (this.leading) return true;
    if (!(await tryLock(client, LEADER_KEY))) return false;
    if (this.client !== client) return false;
    this.leading = true;
    this.logger?.info('this process now runs the scheduled jobs');
    return true;
  }

  /** Job `name`'s lock for one run: its release, or undefined while another process holds it. */
  async acquire(name: string): Promise<(() => Promise<void>) | undefined> {
    const client = await this.connection();
    if (client === undefined) throw new Error('job lock: PostgreSQL (METADATA_URL) is unreachable');
    if (!(await tryLock(client, jobKey(name)))) return undefined;
    return async () => {
      // A lost connection released it already.
      if (this.client === client) await client.query('SELECT pg_advisory_unlock(hashtext($1))', [jobKey(name)]);
    };
  }

  /** Ends the connection: its locks are released, another process leads at its next tick. */
  async close(): Promise<void> {
    this.closed = true;
    await this.connecting;
    const client = this.client;
    this.client = undefined;
    this.leading = false;
    await client?.end().catch(() => undefined);
  }

  /** The live connection, reconnecting (with back-off) after it was lost; undefined while down. */
  private connection(): Promise<pg.Client | undefined> {
    if (this.client !== undefined) return Promise.resolve(this.client);
    if (this.closed || Date.now() < this.notBeforeMs) return Promise.resolve(undefined);
    this.connecting ??= this.connect().then(
      (client) => {
        this.connecting = undefined;
        if (this.closed) {
          client.end().catch(() => undefined);
          return undefined;
        }
        this.backoffMs = RECONNECT_MIN_MS;
        this.client = client;
        return client;
      },
      (error: unknown) => {
        this.connecting = undefined;
        this.notBeforeMs = Date.now() + this.backoffMs;
        this.backoffMs = Math.min(this.backoffMs * 2, RECONNECT_MAX_MS);
        this.logger?.warn({ err: error }, 'job lock: cannot reach PostgreSQL; no scheduled job runs here');
        return undefined;
      },
    );
    return this.connecting;
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.url });
    // Without an 'error' listener a dropped connection would kill the process.
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    return client;
  }

  /** The connection ended: with it went every lock it held. */
  private lost(client: pg.Client, error?: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    if (this.leading)
      this.logger?.warn({ err: error }, 'job lock connection lost: no longer running the scheduled jobs');
    this.leading = false;
    client.end().catch(() => undefined);
  }
}

async function tryLock(client: pg.Client, key: string): Promise<boolean> {
  const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [key]);
  return rows[0]?.ok === true;
}
