import type pg from 'pg';
import type { Delivery, NotificationConfig } from '../../domain/notifications.js';
import { channelOfRow, deliveryOfRow, deliveryValues, routeOfRow } from '../notification-rows.js';
import type { DeliveryQuery, NotificationStore } from '../notification-store.js';
import { ID, inTransaction, iso, msOf, type Run, runOn } from './sql.js';

/** Notification channels, routes and deliveries (issue 17, item 4): schema version 12 of the PostgreSQL metadata. */
export const NOTIFICATIONS_TABLES_SQL = [
  `CREATE TABLE notification_channels (position INTEGER NOT NULL, id ${ID} PRIMARY KEY, kind TEXT NOT NULL, url TEXT,
     secret TEXT, recipients TEXT[])`,
  `CREATE TABLE notification_routes (position INTEGER PRIMARY KEY, channel_id ${ID} NOT NULL, district_ids TEXT[],
     types TEXT[], min_severity TEXT)`,
  `CREATE TABLE notification_deliveries (id ${ID} PRIMARY KEY, message_id ${ID} NOT NULL, channel_id ${ID} NOT NULL,
     kind TEXT NOT NULL, attempt INTEGER NOT NULL, attempted_at TIMESTAMPTZ NOT NULL, duration_ms DOUBLE PRECISION NOT NULL,
     status TEXT NOT NULL, http_status INTEGER, errcode BIGINT, smtp_response TEXT, error TEXT,
     anomaly_ids TEXT[] NOT NULL)`,
  'CREATE INDEX notification_deliveries_at ON notification_deliveries (attempted_at)',
];

const DELIVERY_COLUMNS = `id, message_id, channel_id, kind, attempt, ${msOf('attempted_at')} AS at_ms, duration_ms,
  status, http_status, errcode, smtp_response, error, anomaly_ids`;

/** A text[] column: undefined for NULL. */
const list = (v: unknown): string[] | undefined => (v === null || v === undefined ? undefined : (v as string[]));
const array = (v: readonly string[] | undefined) => (v === undefined ? null : [...v]);

/**
 * Notification channels, routes and the delivery log in PostgreSQL, shared by every process of a
 * cluster. Nothing is cached: the detection job reads the routes each time it sends, so a change
 * made through one process holds on every other at once.
 */
export class PostgresNotificationStore implements NotificationStore {
  private readonly run: Run;

  constructor(private readonly pool: pg.Pool) {
    this.run = runOn(pool);
  }

  /** Runs `fn` in one transaction on one connection: all of it or nothing. */
  private transaction<T>(fn: (run: Run) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, fn);
  }

  replaceConfig(config: NotificationConfig): Promise<void> {
    return this.transaction(async (run) => {
      // Two processes saving at once: the second waits for the first, then replaces it whole.
      await run('LOCK TABLE notification_channels, notification_routes IN EXCLUSIVE MODE');
      await run('DELETE FROM notification_routes');
      await run('DELETE FROM notification_channels');
      for (const [i, c] of config.channels.entries())
        await run('INSERT INTO notification_channels VALUES ($1, $2, $3, $4, $5, $6::text[])', [
          i,
          c.id,
          c.kind,
          c.url ?? null,
          c.secret ?? null,
          array(c.to),
        ]);
      for (const [i, r] of config.routes.entries())
        await run('INSERT INTO notification_routes VALUES ($1, $2, $3::text[], $4::text[], $5)', [
          i,
          r.channelId,
          array(r.districtIds),
          array(r.types),
          r.minSeverity ?? null,
        ]);
    });
  }

  config(): Promise<NotificationConfig> {
    // One snapshot for both tables: a concurrent replacement is seen whole or not at all.
    return this.transaction(async (run) => {
      await run('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const channels = await run('SELECT * FROM notification_channels ORDER BY position');
      const routes = await run('SELECT * FROM notification_routes ORDER BY position');
      return {
        channels: channels.map((r) => channelOfRow(r, list(r.recipients))),
        routes: routes.map((r) => routeOfRow(r, list(r.district_ids), list(r.types))),
      };
    });
  }

  async addDeliveries(deliveries: readonly Delivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    await this.transaction(async (run) => {
      for (const d of deliveries)
        await run(
          `INSERT INTO notification_deliveries VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7, $8, $9, $10, $11, $12,
             $13::text[])`,
          [d.id, ...deliveryValues(d, iso), [...d.anomalyIds]],
        );
    });
  }

  async deliveries(q: DeliveryQuery): Promise<Delivery[]> {
    const params: unknown[] = [iso(q.fromMs), iso(q.toMs)];
    const where = ['attempted_at >= $1::timestamptz', 'attempted_at < $2::timestamptz'];
    for (const [column, value] of [
      ['channel_id', q.channelId],
      ['status', q.status],
    ] as const) {
      if (value === undefined) continue;
      params.push(value);
      where.push(`${column} = $${params.length}`);
    }
    params.push(q.limit);
    const rows = await this.run(
      `SELECT ${DELIVERY_COLUMNS} FROM notification_deliveries WHERE ${where.join(' AND ')}
       ORDER BY attempted_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map((r) => deliveryOfRow(r, list(r.anomaly_ids) ?? []));
  }
}
