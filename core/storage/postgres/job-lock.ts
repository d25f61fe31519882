import pg from 'pg';
import type { Logger } from 'pino';

/** The advisory lock whose holder runs the scheduled jobs. */
const LEADER_KEY = 'jieneng:jobs:leader';
/** The advisory lock held during each run of a job. */
const jobKey = (name: string) => `jieneng:job:${name}`;

/** One run's hold on its job's lock (`JobLease` of the job runner). */
export interface JobRunLease {
  /** Why the lock's connection ended during the run, or undefined while it holds the lock. */
  lost(): Error | undefined;
  /** Ends the run's transaction, releasing the lock; a second call does nothing. */
  release(): Promise<void>;
}

/** First wait before reconnecting, in ms (doubled at each failure). */
const RECONNECT_MIN_MS = 250;
/** Longest wait between two reconnection attempts, in ms. */
const RECONNECT_MAX_MS = 10_000;

/**
 * Job leadership in a cluster sharing one PostgreSQL (issue "Production parity", item 2): session
 * advisory locks on one dedicated connection. The process that takes `jieneng:jobs:leader` keeps
 * it, and runs the schedules, as long as that connection lives; PostgreSQL releases a session's
 * locks when its connection ends, which is what the death of a process (even SIGKILL) or a network
 * cut does, and the next process to ask then leads.
 *
 * Each run of a job holds the job's own lock on a connection of its own, in a transaction that
 * lasts the run (`pg_try_advisory_xact_lock`): a run elsewhere, on demand or by a new leader,
 * cannot start meanwhile, even after this process lost the leadership connection mid-run (the lock
 * fences the run, not the leadership). Only the loss of the run's own connection frees the job
 * early; the lease reports it (`lost`) and the runner marks that run failed. A server with
 * `idle_in_transaction_session_timeout` shorter than a job's run ends its connection that way.
 * Implements `JobLock` of the job runner (ingest/jobs/runner.ts).
 */
export class PostgresJobLock {
  private client: pg.Client | undefined;
  private leading = false;
  private closed = false;
  private backoffMs = RECONNECT_MIN_MS;
  private notBeforeMs = 0;
  private connecting: Promise<pg.Client | undefined> | undefined;
  /** The connections of the runs in progress, each holding its job's lock. */
  private readonly runs = new Set<pg.Client>();

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

  /**
   * Job `name`'s lock for one run, on a connection of its own: the lease, or undefined while
   * another process holds it. Rejects when PostgreSQL cannot be reached.
   */
  async acquire(name: string): Promise<JobRunLease | undefined> {
    if (this.closed) throw new Error('job lock: closed');
    const client = new pg.Client({ connectionString: this.url });
    let lost: Error | undefined;
    /** True from the lock's grant to its release: only then is an ended connection a lost lock. */
    let holding = false;
    const onLost = (error?: Error) => {
      if (!holding || lost !== undefined) return;
      lost = error ?? new Error('connection ended');
      this.logger?.error({ job: name, err: lost }, 'job lock connection lost during the run: another may start it');
    };
    // Without an 'error' listener a dropped connection would kill the process.
    client.on('error', onLost);
    client.on('end', () => onLost());
    try {
      await client.connect();
      await client.query('BEGIN');
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS ok', [
        jobKey(name),
      ]);
      if (rows[0]?.ok !== true) {
        await client.end();
        return undefined;
      }
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    holding = true;
    this.runs.add(client);
    return {
      lost: () => lost,
      release: async () => {
        if (!holding) return;
        holding = false;
        this.runs.delete(client);
        // The transaction's end releases the lock; a lost connection released it already.
        if (lost === undefined) await client.query('ROLLBACK').catch(() => undefined);
        await client.end().catch(() => undefined);
      },
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
    // Runs still in progress (the runner stops first: normally none) let their jobs go.
    await Promise.all([...this.runs].map((c) => c.end().catch(() => undefined)));
    this.runs.clear();
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
