/**
 * Notification channels, routes and the delivery log (issue 17, item 4): a store of their own, one
 * concern, reached as `MetadataStore.notifications` and implemented beside the metadata by DuckDB
 * (`duckdb/notification-tables.ts`) and PostgreSQL (`postgres/notification-tables.ts`); one
 * contract suite runs against both.
 */
import type { Delivery, DeliveryStatus, NotificationConfig } from '../domain/notifications.js';

/** Which delivery attempts to list: made in [fromMs, toMs), newest first, at most `limit`. */
export interface DeliveryQuery {
  readonly fromMs: number;
  readonly toMs: number;
  readonly limit: number;
  readonly channelId?: string;
  readonly status?: DeliveryStatus;
}

/** Channels and routes, and the log of delivery attempts. Each call is atomic on its own. */
export interface NotificationStore {
  /** Replaces every channel and route with these, atomically: a reader sees the old set or the new one whole. */
  replaceConfig(config: NotificationConfig): Promise<void>;
  /** Every channel (secrets included) and route, in the order they were saved; empty before the first save. */
  config(): Promise<NotificationConfig>;
  /** Appends delivery attempts; a known id is refused with an error. */
  addDeliveries(deliveries: readonly Delivery[]): Promise<void>;
  /** Delivery attempts as `query` selects them, newest first (ties by id, descending). */
  deliveries(query: DeliveryQuery): Promise<Delivery[]>;
}
