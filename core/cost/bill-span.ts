import type { Bill } from '../domain/bills.js';
import { factStartMs } from '../domain/facts.js';

/** The instants a bill covers: local midnight of its first day to local midnight of its `to` day, [fromMs, toMs). */
export function billSpanMs(
  bill: Pick<Bill, 'from' | 'to'>,
  timeZone: string,
): { readonly fromMs: number; readonly toMs: number } {
  return { fromMs: factStartMs(bill.from, timeZone), toMs: factStartMs(bill.to, timeZone) };
}
