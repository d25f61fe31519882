import type { Bill } from '../domain/bills.js';
import type { Tariff, TariffBand } from '../domain/tariffs.js';

/**
 * A tariff from its row `id, energy, institution_id, from_day, price_yuan_per_unit, bands`, shared by
 * the DuckDB and PostgreSQL metadata stores; `bands` is JSON text (DuckDB) or parsed jsonb (PostgreSQL).
 */
export function tariffOfRow(r: Record<string, unknown>): Tariff {
  const bands =
    r.bands === null || r.bands === undefined
      ? undefined
      : ((typeof r.bands === 'string' ? JSON.parse(r.bands) : r.bands) as TariffBand[]);
  return {
    id: String(r.id),
    energy: String(r.energy) as Tariff['energy'],
    ...(r.institution_id === null || r.institution_id === undefined ? {} : { institutionId: String(r.institution_id) }),
    from: String(r.from_day),
    ...(r.price_yuan_per_unit === null || r.price_yuan_per_unit === undefined
      ? {}
      : { priceYuanPerUnit: Number(r.price_yuan_per_unit) }),
    ...(bands === undefined ? {} : { bands }),
  };
}

/** A tariff's column values, in the order of `TARIFF_COLUMNS`. */
export function tariffValues(t: Tariff): unknown[] {
  return [
    t.id,
    t.energy,
    t.institutionId ?? null,
    t.from,
    t.priceYuanPerUnit ?? null,
    t.bands === undefined ? null : JSON.stringify(t.bands),
  ];
}

/** The columns of the tariffs table. */
export const TARIFF_COLUMNS = ['id', 'energy', 'institution_id', 'from_day', 'price_yuan_per_unit', 'bands'] as const;

/** A bill from its row `id, account_no, energy, from_day, to_day, quantity, amount_fen, created_ms, created_by`. */
export function billOfRow(r: Record<string, unknown>): Bill {
  return {
    id: String(r.id),
    accountNo: String(r.account_no),
    energy: String(r.energy) as Bill['energy'],
    from: String(r.from_day),
    to: String(r.to_day),
    quantity: Number(r.quantity),
    amountFen: Number(r.amount_fen),
    createdAtMs: Number(r.created_ms),
    createdBy: String(r.created_by),
  };
}

/** The order tariffs are listed in: energy, general before institution ones, first day, id. */
export const TARIFF_ORDER = "energy, coalesce(institution_id, ''), from_day, id";
/** The order bills are listed in: account, energy, first day, id. */
export const BILL_ORDER = 'account_no, energy, from_day, id';
