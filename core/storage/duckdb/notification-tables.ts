import type { DuckDBConnection } from '@duckdb/node-api';
import type { Delivery, NotificationConfig } from '../../domain/notifications.js';
import { channelOfRow, deliveryOfRow, deliveryValues, routeOfRow } from '../notification-rows.js';
import type { DeliveryQuery, NotificationStore } from '../notification-store.js';
import { query, type Row, tsParam, WhereBuilder } from './sql-util.js';

/**
 * Notification channels, routes and deliveries (issue 17, item 4): schema version 12 of the
 * embedded store. Lists are JSON text. Channels and routes carry no key: they are replaced whole
 * (DuckDB refuses a key deleted and inserted again in one transaction), in `position` order.
 */
export const NOTIFICATIONS_SQL = [
  `CREATE TABLE IF NOT EXISTS notification_channels (position INTEGER NOT NULL, id VARCHAR NOT NULL,
     kind VARCHAR NOT NULL, url VARCHAR, secret VARCHAR, recipients VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS notification_routes (position INTEGER NOT NULL, channel_id VARCHAR NOT NULL,
     district_ids VARCHAR, types VARCHAR, min_severity VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS notification_deliveries (id VARCHAR PRIMARY KEY, message_id VARCHAR NOT NULL,
     channel_id VARCHAR NOT NULL, kind VARCHAR NOT NULL, attempt INTEGER NOT NULL, attempted_at TIMESTAMPTZ NOT NULL,
     duration_ms DOUBLE NOT NULL, status VARCHAR NOT NULL, http_status INTEGER, errcode BIGINT, smtp_response VARCHAR,
     error VARCHAR, anomaly_ids VARCHAR NOT NULL)`,
];

const DELIVERY_COLUMNS = `id, message_id, channel_id, kind, attempt, epoch_ms(attempted_at) AS at_ms, duration_ms,
  status, http_status, errcode, smtp_response, error, anomaly_ids`;

/** A JSON list column: undefined for NULL. */
const list = (v: unknown): string[] | undefined =>
  v === null || v === undefined ? undefined : (JSON.parse(String(v)) as string[]);
const json = (v: readonly string[] | undefined) => (v === undefined ? null : JSON.stringify(v));

/** Runs `fn` on a connection of the embedded store (in one transaction when asked), serialised with its other calls. */
type Use = <T>(fn: (conn: DuckDBConnection) => Promise<T>, transaction?: boolean) => Promise<T>;

/** The embedded store's notification tables: writes through its writer connection, reads through its reader. */
export class DuckDbNotificationStore implements NotificationStore {
  constructor(
    private readonly write: Use,
    private readonly read: Use,
  ) {}

  replaceConfig(config: NotificationConfig): Promise<void> {
    return this.write(async (conn) => {
      await conn.run('DELETE FROM notification_channels');
      await conn.run('DELETE FROM notification_routes');
      for (const [i, c] of config.channels.entries())
        await conn.run('INSERT INTO notification_channels VALUES ($1, $2, $3, $4, $5, $6)', [
          i,
          c.id,
          c.kind,
          c.url ?? null,
          c.secret ?? null,
          json(c.to),
        ]);
      for (const [i, r] of config.routes.entries())
        await conn.run('INSERT INTO notification_routes VALUES ($1, $2, $3, $4, $5)', [
          i,
          r.channelId,
          json(r.districtIds),
          json(r.types),
          r.minSeverity ?? null,
        ]);
    }, true);
  }

  config(): Promise<NotificationConfig> {
    return this.read(async (conn) => {
      const channels = await query(conn, 'SELECT * FROM notification_channels ORDER BY position');
      const routes = await query(conn, 'SELECT * FROM notification_routes ORDER BY position');
      return {
        channels: channels.map((r) => channelOfRow(r, list(r.recipients))),
        routes: routes.map((r) => routeOfRow(r, list(r.district_ids), list(r.types))),
      };
    });
  }

  async addDeliveries(deliveries: readonly Delivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    await this.write(async (conn) => {
      for (const d of deliveries)
        await query(
          conn,
          `INSERT INTO notification_deliveries VALUES ($1, $2, $3, $4, $5, ${tsParam('$6')}, $7, $8, $9, $10, $11, $12,
             $13)`,
          [d.id, ...deliveryValues(d, Math.round), JSON.stringify(d.anomalyIds)],
        );
    }, true);
  }

  async deliveries(q: DeliveryQuery): Promise<Delivery[]> {
    const where = new WhereBuilder(
      [Math.round(q.fromMs), Math.round(q.toMs)],
      [`attempted_at >= ${tsParam('$1')}`, `attempted_at < ${tsParam('$2')}`],
    )
      .equals('channel_id', q.channelId)
      .equals('status', q.status);
    where.params.push(q.limit);
    const rows: Row[] = await this.read((conn) =>
      query(
        conn,
        `SELECT ${DELIVERY_COLUMNS} FROM notification_deliveries WHERE ${where.sql()}
         ORDER BY attempted_at DESC, id DESC LIMIT $${where.params.length}`,
        where.params,
      ),
    );
    return rows.map((r) => deliveryOfRow(r, list(r.anomaly_ids) ?? []));
  }
}
