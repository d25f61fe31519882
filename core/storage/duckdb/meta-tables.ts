import type { DuckDBConnection } from '@duckdb/node-api';
import type { MeterEvent } from '../../domain/meter-events.js';
import type { Correction, DeadLetter } from '../store.js';
import { appendNumber, appendRows, appendText, num, query, type Row, tsParam, tstz } from './sql-util.js';

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
  });
}

function toEvent(r: Row): MeterEvent {
  const base = {
    id: String(r.id),
    meterId: String(r.meter_id),
    ts: Number(r.ts_ms),
    createdAtMs: Number(r.created_ms),
    createdBy: String(r.created_by),
  };
  if (r.type === 'replace')
    return { ...base, type: 'replace', oldFinal: num(r.old_final) ?? 0, newInitial: num(r.new_initial) ?? 0 };
  if (r.type === 'multiplier') return { ...base, type: 'multiplier', multiplier: num(r.multiplier) ?? 1 };
  return { ...base, type: 'decommission' };
}

/** Every lifecycle event, by meter and time. */
export async function selectMeterEvents(conn: DuckDBConnection): Promise<MeterEvent[]> {
  const rows = await query(
    conn,
    `SELECT *, epoch_ms(ts) AS ts_ms, epoch_ms(created_at) AS created_ms FROM meter_events ORDER BY meter_id, ts, created_at`,
  );
  return rows.map(toEvent);
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

/** Appends dead letters. */
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
  });
}

/** Dead letters received in [from, to), oldest first. */
export async function selectDeadLetters(
  conn: DuckDBConnection,
  fromMs: number,
  toMs: number,
  limit: number,
): Promise<DeadLetter[]> {
  const rows = await query(
    conn,
    `SELECT epoch_ms(received_at) AS recv_ms, reason, raw, gateway_id, topic, meter_id, epoch_ms(ts) AS ts_ms
     FROM dead_letters WHERE received_at >= ${tsParam('$1')} AND received_at < ${tsParam('$2')}
     ORDER BY received_at LIMIT $3`,
    [fromMs, toMs, limit],
  );
  return rows.map((r) => ({
    receivedAtMs: Number(r.recv_ms),
    reason: String(r.reason),
    raw: String(r.raw),
    ...(r.gateway_id === null ? {} : { gatewayId: String(r.gateway_id) }),
    ...(r.topic === null ? {} : { topic: String(r.topic) }),
    ...(r.meter_id === null ? {} : { meterId: String(r.meter_id) }),
    ...(r.ts_ms === null ? {} : { tsMs: Number(r.ts_ms) }),
  }));
}
