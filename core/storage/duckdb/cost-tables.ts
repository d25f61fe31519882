import type { DuckDBConnection } from '@duckdb/node-api';
import type { Bill } from '../../domain/bills.js';
import type { Tariff } from '../../domain/tariffs.js';
import { BILL_ORDER, billOfRow, TARIFF_COLUMNS, TARIFF_ORDER, tariffOfRow, tariffValues } from '../cost-rows.js';
import { query, tsParam } from './sql-util.js';

/** The tables of tariffs and bills (issue "The statutory year", item 1; duckdb/migrations.ts). */
export const COST_SQL = [
  `CREATE TABLE IF NOT EXISTS tariffs (id VARCHAR PRIMARY KEY, energy VARCHAR NOT NULL, institution_id VARCHAR,
     from_day VARCHAR NOT NULL, price_yuan_per_unit DOUBLE, bands VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS bills (id VARCHAR PRIMARY KEY, account_no VARCHAR NOT NULL, energy VARCHAR NOT NULL,
     from_day VARCHAR NOT NULL, to_day VARCHAR NOT NULL, quantity DOUBLE NOT NULL, amount_fen BIGINT NOT NULL,
     created_at TIMESTAMPTZ NOT NULL, created_by VARCHAR NOT NULL)`,
];

/** Replaces every tariff. Call inside a transaction (all or none). */
export async function replaceTariffs(conn: DuckDBConnection, tariffs: readonly Tariff[]): Promise<void> {
  await conn.run('DELETE FROM tariffs');
  for (const t of tariffs)
    await conn.run(
      `INSERT INTO tariffs (${TARIFF_COLUMNS.join(', ')}) VALUES ($1, $2, $3, $4, $5, $6)`,
      tariffValues(t) as never,
    );
}

/** Every tariff, by energy, institution (general first), first day and id. */
export async function selectTariffs(conn: DuckDBConnection): Promise<Tariff[]> {
  const rows = await query(conn, `SELECT ${TARIFF_COLUMNS.join(', ')} FROM tariffs ORDER BY ${TARIFF_ORDER}`);
  return rows.map(tariffOfRow);
}

/** Inserts bills; a known id fails the statement. Call inside a transaction (all or none). */
export async function insertBills(conn: DuckDBConnection, bills: readonly Bill[]): Promise<void> {
  for (const b of bills)
    await conn.run(
      `INSERT INTO bills (id, account_no, energy, from_day, to_day, quantity, amount_fen, created_at, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, ${tsParam('$8')}, $9)`,
      [b.id, b.accountNo, b.energy, b.from, b.to, b.quantity, b.amountFen, b.createdAtMs, b.createdBy] as never,
    );
}

/** Every bill, or those of one account, by account, energy, first day and id. */
export async function selectBills(conn: DuckDBConnection, accountNo?: string): Promise<Bill[]> {
  const rows = await query(
    conn,
    `SELECT id, account_no, energy, from_day, to_day, quantity, amount_fen, epoch_ms(created_at) AS created_ms,
       created_by FROM bills ${accountNo === undefined ? '' : 'WHERE account_no = $1'} ORDER BY ${BILL_ORDER}`,
    accountNo === undefined ? [] : [accountNo],
  );
  return rows.map(billOfRow);
}
