import type { MeterEvent } from '../../domain/meter-events.js';
import { newId } from '../../security.js';
import { codeOfReason } from '../dead-letter-codes.js';
import { deadLetterOfRow, meterEventOfRow } from '../metadata-rows.js';
import type { Correction, DeadLetter, DeadLetterQuery } from '../store.js';
import { insertRows, iso, isoOrNull, msOf, type Run } from './sql.js';

/** Appends one lifecycle event; a known id is refused (primary key). */
export async function insertMeterEvent(run: Run, e: MeterEvent): Promise<void> {
  await run(
    `INSERT INTO meter_events (id, meter_id, type, ts, old_final, new_initial, multiplier, created_at, created_by,
       building_id, parent_id)
     VALUES ($1, $2, $3, $4::timestamptz, $5, $6, $7, $8::timestamptz, $9, $10, $11)`,
    [
      e.id,
      e.meterId,
      e.type,
      iso(e.ts),
      e.type === 'replace' ? e.oldFinal : null,
      e.type === 'replace' ? e.newInitial : null,
      e.type === 'multiplier' ? e.multiplier : null,
      iso(e.createdAtMs),
      e.createdBy,
      e.type === 'move' ? e.buildingId : null,
      e.type === 'parent' ? e.parentId : null,
    ],
  );
}

/** Every lifecycle event, by meter, time and creation time. */
export async function selectMeterEvents(run: Run): Promise<MeterEvent[]> {
  const rows = await run(
    `SELECT id, meter_id, type, old_final, new_initial, multiplier, building_id, parent_id, created_by,
            ${msOf('ts')} AS ts_ms,
            ${msOf('created_at')} AS created_ms
     FROM meter_events ORDER BY meter_id, ts, created_at, id`,
  );
  return rows.map(meterEventOfRow);
}

/** Appends one correction. */
export async function insertCorrection(run: Run, c: Correction): Promise<void> {
  await run(
    `INSERT INTO corrections (meter_id, ts, action, reason, created_by, created_at)
     VALUES ($1, $2::timestamptz, $3, $4, $5, $6::timestamptz)`,
    [c.meterId, iso(c.tsMs), c.action, c.reason, c.createdBy, iso(c.createdAtMs)],
  );
}

/** Every correction, by meter and time (then in the order they were added). */
export async function selectCorrections(run: Run): Promise<Correction[]> {
  const rows = await run(
    `SELECT meter_id, ${msOf('ts')} AS ts_ms, reason, created_by, ${msOf('created_at')} AS created_ms
     FROM corrections ORDER BY meter_id, ts, seq`,
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

const LETTER_INSERT = {
  columns: ['id', 'code', 'received_at', 'reason', 'raw', 'gateway_id', 'topic', 'meter_id', 'ts', 'retried_at'],
  types: ['text', 'text', 'timestamptz', 'text', 'text', 'text', 'text', 'text', 'timestamptz', 'timestamptz'],
};

/** Inserts dead letters in one statement, each with an id (a new one when absent) and a code (from its reason when absent). */
export function insertDeadLetters(run: Run, letters: readonly DeadLetter[]): Promise<void> {
  return insertRows(
    run,
    'dead_letters',
    LETTER_INSERT.columns,
    LETTER_INSERT.types,
    letters.map((d) => [
      d.id ?? newId('dl'),
      d.code ?? codeOfReason(d.reason),
      iso(d.receivedAtMs),
      d.reason,
      d.raw,
      d.gatewayId,
      d.topic,
      d.meterId,
      isoOrNull(d.tsMs),
      isoOrNull(d.retriedAtMs),
    ]),
  );
}

const LETTER_COLUMNS = `id, code, ${msOf('received_at')} AS recv_ms, reason, raw, gateway_id, topic, meter_id,
  ${msOf('ts')} AS ts_ms, ${msOf('retried_at')} AS retried_ms`;

/** Dead letters received in [from, to), oldest first. */
export async function selectDeadLetters(run: Run, fromMs: number, toMs: number, limit: number): Promise<DeadLetter[]> {
  const rows = await run(
    `SELECT ${LETTER_COLUMNS} FROM dead_letters WHERE received_at >= $1::timestamptz AND received_at < $2::timestamptz
     ORDER BY received_at, id LIMIT $3`,
    [iso(fromMs), iso(toMs), limit],
  );
  return rows.map(deadLetterOfRow);
}

/** Dead letters as the query selects them, newest first; every filter runs in SQL. */
export async function findDeadLetters(run: Run, q: DeadLetterQuery): Promise<DeadLetter[]> {
  const params: unknown[] = [iso(q.fromMs), iso(q.toMs)];
  const where = ['received_at >= $1::timestamptz', 'received_at < $2::timestamptz'];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (q.after !== undefined) {
    // Row comparison: the keyset of `ORDER BY received_at DESC, id DESC`.
    where.push(`(received_at, id) < (${param(iso(q.after.receivedAtMs))}::timestamptz, ${param(q.after.id)})`);
  }
  if (q.code !== undefined) where.push(`code = ${param(q.code)}`);
  if (q.meterId !== undefined) where.push(`meter_id = ${param(q.meterId)}`);
  if (q.gatewayId !== undefined) where.push(`gateway_id = ${param(q.gatewayId)}`);
  if (q.within !== undefined) {
    const meters = param(q.within.meterIds);
    const gateways = param(q.within.gatewayIds);
    where.push(`(meter_id = ANY(${meters}::text[]) OR gateway_id = ANY(${gateways}::text[]))`);
  }
  const rows = await run(
    `SELECT ${LETTER_COLUMNS} FROM dead_letters WHERE ${where.join(' AND ')}
     ORDER BY received_at DESC, id DESC LIMIT ${param(q.limit)}`,
    params,
  );
  return rows.map(deadLetterOfRow);
}

/** One dead letter by id. */
export async function selectDeadLetter(run: Run, id: string): Promise<DeadLetter | undefined> {
  const [row] = await run(`SELECT ${LETTER_COLUMNS} FROM dead_letters WHERE id = $1`, [id]);
  return row === undefined ? undefined : deadLetterOfRow(row);
}

/** Marks a dead letter retried unless it was already (one statement: of two racing calls one wins). */
export async function updateDeadLetterRetried(run: Run, id: string, atMs: number): Promise<boolean> {
  const rows = await run(
    'UPDATE dead_letters SET retried_at = $2::timestamptz WHERE id = $1 AND retried_at IS NULL RETURNING id',
    [id, iso(atMs)],
  );
  return rows.length > 0;
}
