import type { DuckDBConnection } from '@duckdb/node-api';
import type { MeterEvent } from '../../domain/meter-events.js';
import { newId } from '../../security.js';
import { codeOfReason } from '../dead-letter-codes.js';
import { deadLetterOfRow, meterEventOfRow } from '../metadata-rows.js';
import type { Correction, DeadLetter, DeadLetterQuery } from '../store.js';
import { appendNumber, appendRows, appendText, query, tsParam, tstz } from './sql-util.js';

/** Appends one lifecycle event. */
export function insertMeterEvent(conn: DuckDBConnection, e: MeterEvent): Promise<void> {
  return appendRows(conn, 'meter_events', [e], (a, x) => {
    a.appendVarchar(x.id);
    a.appendVarchar(x.meterId);
    a.appendVarchar(x.type);
    a.appendTimestamp(tstz(x.ts));
    appendNumber(a, x.type === 'replace' ? x.oldFinal : undefined);
    appendNumber(a, x.type === 'replace' ? x.newInitial : undefined);
    appendNumber(a, x.type === 'multiplier' ? x.multiplier : undefined);
    a.appendTimestamp(tstz(x.createdAtMs));
    a.appendVarchar(x.createdBy);
    appendText(a, x.type === 'move' ? x.buildingId : undefined);
    appendText(a, x.type === 'parent' ? (x.parentId ?? undefined) : undefined);
  });
}

/** Every lifecycle event, by meter and time. */
export async function selectMeterEvents(conn: DuckDBConnection): Promise<MeterEvent[]> {
  const rows = await query(
    conn,
    `SELECT *, epoch_ms(ts) AS ts_ms, epoch_ms(created_at) AS created_ms FROM meter_events ORDER BY meter_id, ts, created_at`,
  );
  return rows.map(meterEventOfRow);
}

/** Appends one correction. */
export function insertCorrection(conn: DuckDBConnection, c: Correction): Promise<void> {
  return appendRows(conn, 'corrections', [c], (a, x) => {
    a.appendVarchar(x.meterId);
    a.appendTimestamp(tstz(x.tsMs));
    a.appendVarchar(x.action);
    a.appendVarchar(x.reason);
    a.appendVarchar(x.createdBy);
    a.appendTimestamp(tstz(x.createdAtMs));
  });
}

/** Every correction, by meter and time. */
export async function selectCorrections(conn: DuckDBConnection): Promise<Correction[]> {
  const rows = await query(
    conn,
    `SELECT meter_id, epoch_ms(ts) AS ts_ms, action, reason, created_by, epoch_ms(created_at) AS created_ms
     FROM corrections ORDER BY meter_id, ts`,
  );
  return rows.map((r) => ({
    meterId: String(r.meter_id),
    tsMs: Number(r.ts_ms),
    action: 'invalidate',
    reason: String(r.reason),
    createdBy: String(r.created_by),
    createdAtMs: Number(r.created_ms),
  }));
}

/** Appends dead letters, each with an id (a new one when absent) and a code (from its reason when absent). */
export function insertDeadLetters(conn: DuckDBConnection, letters: readonly DeadLetter[]): Promise<void> {
  return appendRows(conn, 'dead_letters', letters, (a, d) => {
    a.appendTimestamp(tstz(d.receivedAtMs));
    a.appendVarchar(d.reason);
    a.appendVarchar(d.raw);
    appendText(a, d.gatewayId);
    appendText(a, d.topic);
    appendText(a, d.meterId);
    if (d.tsMs === undefined) a.appendNull();
    else a.appendTimestamp(tstz(d.tsMs));
    // Columns added by MIGRATIONS_SQL, in their order.
    a.appendVarchar(d.id ?? newId('dl'));
    a.appendVarchar(d.code ?? codeOfReason(d.reason));
    if (d.retriedAtMs === undefined) a.appendNull();
    else a.appendTimestamp(tstz(d.retriedAtMs));
  });
}

const LETTER_COLUMNS = `id, code, epoch_ms(received_at) AS recv_ms, reason, raw, gateway_id, topic, meter_id,
  epoch_ms(ts) AS ts_ms, epoch_ms(retried_at) AS retried_ms`;

/** Dead letters received in [from, to), oldest first. */
export async function selectDeadLetters(
  conn: DuckDBConnection,
  fromMs: number,
  toMs: number,
  limit: number,
): Promise<DeadLetter[]> {
  const rows = await query(
    conn,
    `SELECT ${LETTER_COLUMNS} FROM dead_letters WHERE received_at >= ${tsParam('$1')} AND received_at < ${tsParam('$2')}
     ORDER BY received_at, id LIMIT $3`,
    [fromMs, toMs, limit],
  );
  return rows.map(deadLetterOfRow);
}

/** Dead letters as the query selects them, newest first; every filter runs in SQL. */
export async function findDeadLetters(conn: DuckDBConnection, q: DeadLetterQuery): Promise<DeadLetter[]> {
  const params: unknown[] = [q.fromMs, q.toMs];
  const where = [`received_at >= ${tsParam('$1')}`, `received_at < ${tsParam('$2')}`];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (q.after !== undefined) {
    const at = tsParam(param(q.after.receivedAtMs));
    where.push(`(received_at < ${at} OR (received_at = ${at} AND id < ${param(q.after.id)}))`);
  }
  if (q.code !== undefined) where.push(`code = ${param(q.code)}`);
  if (q.meterId !== undefined) where.push(`meter_id = ${param(q.meterId)}`);
  if (q.gatewayId !== undefined) where.push(`gateway_id = ${param(q.gatewayId)}`);
  if (q.within !== undefined) {
    // Ids never hold a comma (IdSchema), so each list travels as one string.
    const meters = param(q.within.meterIds.join(','));
    const gateways = param(q.within.gatewayIds.join(','));
    where.push(
      `(meter_id IN (SELECT unnest(string_split(${meters}, ','))) OR gateway_id IN (SELECT unnest(string_split(${gateways}, ','))))`,
    );
  }
  const rows = await query(
    conn,
    `SELECT ${LETTER_COLUMNS} FROM dead_letters WHERE ${where.join(' AND ')}
     ORDER BY received_at DESC, id DESC LIMIT ${param(q.limit)}`,
    params,
  );
  return rows.map(deadLetterOfRow);
}

/** One dead letter by id. */
export async function selectDeadLetter(conn: DuckDBConnection, id: string): Promise<DeadLetter | undefined> {
  const [row] = await query(conn, `SELECT ${LETTER_COLUMNS} FROM dead_letters WHERE id = $1`, [id]);
  return row === undefined ? undefined : deadLetterOfRow(row);
}

/** Marks a dead letter retried unless it was already; false when nothing changed. */
export async function updateDeadLetterRetried(conn: DuckDBConnection, id: string, atMs: number): Promise<boolean> {
  const rows = await query(
    conn,
    `UPDATE dead_letters SET retried_at = ${tsParam('$2')} WHERE id = $1 AND retried_at IS NULL RETURNING id`,
    [id, atMs],
  );
  return rows.length > 0;
}
