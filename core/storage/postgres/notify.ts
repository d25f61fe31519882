import pg from 'pg';
import type { Logger } from 'pino';
import { type MetadataChange, MetadataNoticeSchema } from '../../domain/metadata-change.js';
import type { Run } from './sql.js';

/** The channel every process of a cluster LISTENs on (issue "Production parity", item 2). */
export const METADATA_CHANNEL = 'jieneng_metadata';

/** First wait before reconnecting a lost listener, in ms (doubled at each failure). */
const RECONNECT_MIN_MS = 100;
/** Longest wait between two reconnection attempts, in ms. */
const RECONNECT_MAX_MS = 5_000;

/**
 * Sends `change` on the channel inside the caller's transaction: PostgreSQL delivers it at COMMIT
 * and drops it at ROLLBACK, so a listener never hears of a change that did not happen.
 */
export async function notifyChange(run: Run, origin: string, change: MetadataChange): Promise<void> {
  await run('SELECT pg_notify($1, $2)', [METADATA_CHANNEL, JSON.stringify({ origin, change })]);
}

/**
 * A dedicated connection that LISTENs on the metadata channel and hands other stores' changes to
 * its subscribers. When the connection drops it reconnects with a back-off doubling from 0.1 s to
 * 5 s, and then reports `{ what: 'all' }`: notifications sent meanwhile are lost.
 */
export class MetadataListener {
  private readonly listeners = new Set<(change: MetadataChange) => void>();
  private client: pg.Client | undefined;
  private closed = false;
  private backoffMs = RECONNECT_MIN_MS;
  private retry: NodeJS.Timeout | undefined;

  private constructor(
    private readonly url: string,
    /** This store instance's id: notifications it sent itself are not handed on. */
    private readonly origin: string,
    private readonly logger: Logger | undefined,
  ) {}

  /** Connects and LISTENs; fails with the server's error when it cannot. */
  static async open(url: string, origin: string, logger?: Logger): Promise<MetadataListener> {
    const listener = new MetadataListener(url, origin, logger);
    await listener.connect();
    return listener;
  }

  /** Adds a subscriber; returns the function that removes it. */
  subscribe(fn: (change: MetadataChange) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry !== undefined) clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    // Without an 'error' listener a dropped connection would kill the process.
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    client.on('notification', (message) => {
      if (message.channel === METADATA_CHANNEL) this.dispatch(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${METADATA_CHANNEL}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
  }

  private dispatch(payload: string | undefined): void {
    let notice: ReturnType<typeof MetadataNoticeSchema.safeParse>;
    try {
      notice = MetadataNoticeSchema.safeParse(JSON.parse(payload ?? ''));
    } catch {
      notice = MetadataNoticeSchema.safeParse(undefined);
    }
    if (!notice.success) {
      this.logger?.warn({ payload: payload?.slice(0, 200) }, 'unreadable metadata notification ignored');
      return;
    }
    if (notice.data.origin !== this.origin) this.emit(notice.data.change);
  }

  private emit(change: MetadataChange): void {
    for (const fn of [...this.listeners]) {
      try {
        fn(change);
      } catch (error) {
        this.logger?.error({ err: error, change }, 'metadata change subscriber failed');
      }
    }
  }

  /** The connection failed or ended: reconnect unless closed (once per connection). */
  private lost(client: pg.Client, error?: Error): void {
    if (this.closed || this.client !== client) return;
    this.client = undefined;
    this.logger?.warn({ err: error }, 'metadata notification connection lost; reconnecting');
    client.end().catch(() => undefined);
    this.schedule();
  }

  private schedule(): void {
    if (this.closed) return;
    const waitMs = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, RECONNECT_MAX_MS);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.connect().then(
        async () => {
          if (this.closed) {
            await this.close();
            return;
          }
          this.backoffMs = RECONNECT_MIN_MS;
          this.logger?.info('metadata notification connection restored');
          // What was sent while we were away is lost: every subscriber reloads.
          this.emit({ what: 'all' });
        },
        (error: unknown) => {
          this.logger?.warn({ err: error, retryInMs: this.backoffMs }, 'metadata notification reconnect failed');
          this.schedule();
        },
      );
    }, waitMs);
  }
}
