/**
 * Notification records from their table rows, shared by the DuckDB and PostgreSQL stores so both
 * read the same shape (like `account-rows.ts`). Each backend decodes its own list columns (JSON
 * text in DuckDB, text[] in PostgreSQL) before calling.
 */
import type { Channel, ChannelKind, Delivery, DeliveryStatus, Route, Severity } from '../domain/notifications.js';

/** A row as a SQL driver returns it, with epoch-millisecond columns already selected as numbers. */
type Row = Record<string, unknown>;

const present = (v: unknown) => v !== null && v !== undefined;

/** A channel from `id, kind, url, secret` and its decoded recipients (absent: not an e-mail channel). */
export function channelOfRow(r: Row, to: readonly string[] | undefined): Channel {
  return {
    id: String(r.id),
    kind: String(r.kind) as ChannelKind,
    ...(present(r.url) ? { url: String(r.url) } : {}),
    ...(present(r.secret) ? { secret: String(r.secret) } : {}),
    ...(to === undefined ? {} : { to: [...to] }),
  };
}

/** A route from `channel_id, min_severity` and its decoded filters (absent: no filter). */
export function routeOfRow(
  r: Row,
  districtIds: readonly string[] | undefined,
  types: readonly string[] | undefined,
): Route {
  return {
    channelId: String(r.channel_id),
    ...(districtIds === undefined ? {} : { districtIds: [...districtIds] }),
    ...(types === undefined ? {} : { types: [...types] }),
    ...(present(r.min_severity) ? { minSeverity: String(r.min_severity) as Severity } : {}),
  };
}

/**
 * A delivery attempt from `id, message_id, channel_id, kind, attempt, at_ms, duration_ms, status,
 * http_status, errcode, smtp_response, error` and its decoded anomaly ids.
 */
export function deliveryOfRow(r: Row, anomalyIds: readonly string[]): Delivery {
  return {
    id: String(r.id),
    messageId: String(r.message_id),
    channelId: String(r.channel_id),
    kind: String(r.kind) as ChannelKind,
    attempt: Number(r.attempt),
    atMs: Number(r.at_ms),
    durationMs: Number(r.duration_ms),
    status: String(r.status) as DeliveryStatus,
    anomalyIds: [...anomalyIds],
    ...(present(r.http_status) ? { httpStatus: Number(r.http_status) } : {}),
    ...(present(r.errcode) ? { errcode: Number(r.errcode) } : {}),
    ...(present(r.smtp_response) ? { smtpResponse: String(r.smtp_response) } : {}),
    ...(present(r.error) ? { error: String(r.error) } : {}),
  };
}

/**
 * The values of a delivery's scalar columns after `id`, in the order the tables declare them; `ts`
 * encodes the attempt's time as the backend's parameter wants it.
 */
export function deliveryValues(d: Delivery, ts: (ms: number) => unknown): unknown[] {
  return [
    d.messageId,
    d.channelId,
    d.kind,
    d.attempt,
    ts(d.atMs),
    d.durationMs,
    d.status,
    d.httpStatus ?? null,
    d.errcode ?? null,
    d.smtpResponse ?? null,
    d.error ?? null,
  ];
}
