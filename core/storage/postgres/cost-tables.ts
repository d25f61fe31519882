import type { Bill } from '../../domain/bills.js';
import type { Tariff } from '../../domain/tariffs.js';
import { BILL_ORDER, billOfRow, TARIFF_COLUMNS, TARIFF_ORDER, tariffOfRow, tariffValues } from '../cost-rows.js';
import { insertRows, iso, msOf, type Run } from './sql.js';

/** Replaces every tariff. Run inside a transaction (all or none). */
export async function replaceTariffs(run: Run, tariffs: readonly Tariff[]): Promise<void> {
  await run('DELETE FROM tariffs');
  await insertRows(
    run,
    'tariffs',
    TARIFF_COLUMNS,
    ['text', 'text', 'text', 'text', 'float8', 'jsonb'],
    tariffs.map(tariffValues),
  );
}

/** Every tariff, by energy, institution (general first), first day and id. */
export async function selectTariffs(run: Run): Promise<Tariff[]> {
  const rows = await run(`SELECT ${TARIFF_COLUMNS.join(', ')} FROM tariffs ORDER BY ${TARIFF_ORDER}`);
  return rows.map(tariffOfRow);
}

/** Inserts bills in one statement (all or none); a known id is refused (primary key). */
export function insertBills(run: Run, bills: readonly Bill[]): Promise<void> {
  return insertRows(
    run,
    'bills',
    ['id', 'account_no', 'energy', 'from_day', 'to_day', 'quantity', 'amount_fen', 'created_at', 'created_by'],
    ['text', 'text', 'text', 'text', 'text', 'float8', 'int8', 'timestamptz', 'text'],
    bills.map((b) => [
      b.id,
      b.accountNo,
      b.energy,
      b.from,
      b.to,
      b.quantity,
      b.amountFen,
      iso(b.createdAtMs),
      b.createdBy,
    ]),
  );
}

/** Every bill, or those of one account, by account, energy, first day and id. */
export async function selectBills(run: Run, accountNo?: string): Promise<Bill[]> {
  const rows = await run(
    `SELECT id, account_no, energy, from_day, to_day, quantity, amount_fen, ${msOf('created_at')} AS created_ms,
       created_by FROM bills ${accountNo === undefined ? '' : 'WHERE account_no = $1'} ORDER BY ${BILL_ORDER}`,
    accountNo === undefined ? [] : [accountNo],
  );
  return rows.map(billOfRow);
}
