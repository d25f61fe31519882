/**
 * Billed against metered quantity (issue "The statutory year", item 1; the data audit's "bill vs
 * meter mismatch"): for each bill of an account metered in a scope, the consumption its meters
 * recorded over the bill's days, and whether the two differ by more than `BILL_TOLERANCE`.
 */
import { type Bill, yuanOfFen } from '../domain/bills.js';
import type { Registry } from '../domain/registry.js';
import type { Scope } from '../domain/scope.js';
import { round6 } from '../domain/series.js';
import { localToEpochMs } from '../domain/time.js';
import type { Store } from '../storage/store.js';
import { billSpanMs } from './bill-span.js';
import { accountIndex, costedMeters } from './meters.js';
import { costBoundaries, segmentAmounts } from './segments.js';

/** One bill reconciled with its meters. */
export interface BillCheck {
  readonly accountNo: string;
  readonly energy: Bill['energy'];
  readonly from: string;
  readonly to: string;
  readonly amountYuan: number;
  /** The account's meters (without a parent) whose consumption is compared. */
  readonly meterIds: readonly string[];
  readonly billedQuantity: number;
  readonly meteredQuantity: number;
  /** Metered − billed, in the native unit. */
  readonly difference: number;
  /** Difference / billed; null when nothing was billed. */
  readonly share: number | null;
  /** |share| beyond the tolerance, or something metered where nothing was billed. */
  readonly flagged: boolean;
}

/**
 * The bills of the accounts metered in `scope` (meters without a parent carrying an `accountNo`)
 * overlapping the local `year`, by account, energy and first day, each with the consumption of all
 * the account's meters over its days (also those outside the scope).
 */
export async function reconcileBills(
  store: Store,
  registry: Registry,
  q: { readonly scope: Scope; readonly year: number; readonly timeZone: string; readonly tolerance: number },
): Promise<BillCheck[]> {
  const yearFromMs = localToEpochMs(q.timeZone, q.year, 1);
  const yearToMs = localToEpochMs(q.timeZone, q.year + 1, 1);
  const inScope = costedMeters(registry, q.scope, undefined);
  const keys = new Set(inScope.flatMap((m) => (m.accountNo === undefined ? [] : [`${m.accountNo}\u0000${m.energy}`])));
  const bills = (await store.bills())
    .filter((b) => keys.has(`${b.accountNo}\u0000${b.energy}`))
    .map((b) => ({ bill: b, ...billSpanMs(b, q.timeZone) }))
    .filter((b) => b.fromMs < yearToMs && yearFromMs < b.toMs);
  if (bills.length === 0) return [];
  const metersOf = accountIndex(registry);
  const fromMs = Math.min(...bills.map((b) => b.fromMs));
  const toMs = Math.max(...bills.map((b) => b.toMs));
  const ids = new Set(inScope.map((m) => m.id));
  const extra = bills.flatMap((b) => metersOf(b.bill.accountNo, b.bill.energy).filter((m) => !ids.has(m.id)));
  // Bills run from local midnight to local midnight: segments cut at every bill's ends add up to
  // each bill exactly (read from the monthly or daily rollup).
  const bounds = costBoundaries(
    fromMs,
    toMs,
    bills.flatMap((b) => [b.fromMs, b.toMs]),
  );
  const amounts = await segmentAmounts(
    store,
    q.scope,
    undefined,
    bounds,
    q.timeZone,
    extra.map((m) => m.id),
  );
  return bills.map(({ bill, fromMs: billFrom, toMs: billTo }) => {
    const meters = metersOf(bill.accountNo, bill.energy);
    let metered = 0;
    for (const m of meters)
      for (const [s, cell] of amounts.segments(m.id))
        if (billFrom <= (bounds[s] ?? 0) && (bounds[s] ?? 0) < billTo) metered += cell.total;
    const difference = metered - bill.quantity;
    const share = bill.quantity === 0 ? null : difference / bill.quantity;
    return {
      accountNo: bill.accountNo,
      energy: bill.energy,
      from: bill.from,
      to: bill.to,
      amountYuan: yuanOfFen(bill.amountFen),
      meterIds: meters.map((m) => m.id),
      billedQuantity: bill.quantity,
      meteredQuantity: round6(metered),
      difference: round6(difference),
      share: share === null ? null : round6(share),
      flagged: share === null ? round6(metered) !== 0 : Math.abs(share) > q.tolerance,
    };
  });
}
