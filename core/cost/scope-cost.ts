/**
 * The cost of a scope over a period (issue "The statutory year", item 1): bills where they cover
 * it, tariff × metered consumption elsewhere (DOMAIN.md "Cost": bills are the truth, meter × tariff
 * estimates between them). Exact: every amount is whole micro-yuan; callers round once, to the fen,
 * when they present it.
 */
import { type Bill, spread } from '../domain/bills.js';
import type { Energy } from '../domain/energy.js';
import type { Meter, Registry } from '../domain/registry.js';
import type { Scope } from '../domain/scope.js';
import { tariffIndex } from '../domain/tariffs.js';
import { HOUR_MS } from '../domain/time.js';
import type { Store } from '../storage/store.js';
import { billSpanMs } from './bill-span.js';
import { accountMeters, costedMeters, type MeterAmounts, meterAmounts, withExtraMeters } from './hourly.js';

/** What `scopeCost` computes. */
export interface CostQuery {
  readonly scope: Scope;
  /** One energy, or every energy (water included: it has a cost). */
  readonly energy?: Energy;
  /** Hour-aligned, [fromMs, toMs). */
  readonly fromMs: number;
  readonly toMs: number;
  /** Bucket starts (`bucketStarts(fromMs, toMs, interval, timeZone)`). */
  readonly bucketStartsMs: readonly number[];
  readonly timeZone: string;
}

/** One bucket's cost, in micro-yuan: from bills, from tariffs, and their sum. */
export interface CostBucket {
  readonly startMs: number;
  readonly micro: number;
  readonly billedMicro: number;
  readonly tariffMicro: number;
}

/** A meter's hours with consumption that no bill covers and no tariff prices: costed 0. */
export interface Uncosted {
  readonly meterId: string;
  readonly energy: Energy;
  readonly hours: number;
  /** Their consumption, in the native unit. */
  readonly quantity: number;
}

/** The cost of a scope and period. */
export interface ScopeCost {
  readonly buckets: readonly CostBucket[];
  readonly micro: number;
  readonly billedMicro: number;
  readonly tariffMicro: number;
  readonly uncosted: readonly Uncosted[];
  /**
   * The cost of each meter of the scope over [fromMs, toMs), micro-yuan: a meter's share does not
   * depend on the scope asked, so summing it by institution and energy gives what each would cost
   * asked alone (the statistics forms, issue 16 item 3, ask a city once).
   */
  readonly byMeterMicro: ReadonlyMap<string, number>;
  /** Ids of the bills and tariffs used. */
  readonly billIds: readonly string[];
  readonly tariffIds: readonly string[];
}

/** The index of the bucket holding `t` (the last start ≤ t). */
function bucketOf(starts: readonly number[], t: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Each (meter, hour) share of a bill in micro-yuan: the amount spread over the account's meters and
 * the hours of the bill in proportion to their metered consumption, evenly when nothing was metered.
 */
export function billShares(
  bill: Bill,
  meters: readonly Meter[],
  amounts: MeterAmounts,
  span: { readonly fromMs: number; readonly toMs: number },
): { meterId: string; hourMs: number; micro: number }[] {
  const cells: { meterId: string; hourMs: number; weight: number }[] = [];
  for (const m of meters) {
    const hours = amounts.get(m.id);
    for (let h = span.fromMs; h < span.toMs; h += HOUR_MS)
      cells.push({ meterId: m.id, hourMs: h, weight: hours?.get(h) ?? 0 });
  }
  const shares = spread(
    bill.amountFen * 10_000,
    cells.map((c) => c.weight),
  );
  return cells.map((c, i) => ({ meterId: c.meterId, hourMs: c.hourMs, micro: shares[i] ?? 0 }));
}

/**
 * The cost of a scope by bucket. Which meters count: `costedMeters` (no sub-meter, no virtual one).
 * An hour of a meter is costed by the bill of its account (`accountNo`) and energy covering it, or
 * else by the tariff in force (`tariffIndex`: the meter's institution's, else the general one);
 * hours with consumption and neither are costed 0 and listed in `uncosted`.
 */
export async function scopeCost(store: Store, registry: Registry, q: CostQuery): Promise<ScopeCost> {
  const meters = costedMeters(registry, q.scope, q.energy);
  const inScope = new Set(meters.map((m) => m.id));
  const accountKey = (accountNo: string, energy: string) => `${accountNo}\u0000${energy}`;
  const accounts = new Set(
    meters.flatMap((m) => (m.accountNo === undefined ? [] : [accountKey(m.accountNo, m.energy)])),
  );
  const bills = (await store.bills())
    .filter((b) => accounts.has(accountKey(b.accountNo, b.energy)))
    .map((b) => ({ bill: b, ...billSpanMs(b, q.timeZone) }))
    .filter((b) => b.fromMs < q.toMs && q.fromMs < b.toMs);
  // Bills are spread over their whole period, which may reach outside the one asked for.
  const fromMs = Math.min(q.fromMs, ...bills.map((b) => b.fromMs));
  const toMs = Math.max(q.toMs, ...bills.map((b) => b.toMs));
  const hourly = { interval: 'hour' as const, timeZone: q.timeZone };
  const extra = bills.flatMap((b) =>
    accountMeters(registry, b.bill.accountNo, b.bill.energy)
      .filter((m) => !inScope.has(m.id))
      .map((meter) => ({ meter, fromMs: b.fromMs, toMs: b.toMs })),
  );
  const amounts = await withExtraMeters(
    store,
    await meterAmounts(store, q.scope, q.energy, { ...hourly, fromMs, toMs }),
    extra,
    hourly,
  );

  const n = q.bucketStartsMs.length;
  const billed = new Array<number>(n).fill(0);
  const priced = new Array<number>(n).fill(0);
  const covered = new Map<string, { fromMs: number; toMs: number }[]>();
  const byMeterMicro = new Map<string, number>();
  const addToMeter = (meterId: string, micro: number) =>
    byMeterMicro.set(meterId, (byMeterMicro.get(meterId) ?? 0) + micro);
  for (const b of bills) {
    const accountSet = accountMeters(registry, b.bill.accountNo, b.bill.energy);
    for (const m of accountSet) covered.set(m.id, [...(covered.get(m.id) ?? []), b]);
    for (const s of billShares(b.bill, accountSet, amounts, b)) {
      if (!inScope.has(s.meterId) || s.hourMs < q.fromMs || s.hourMs >= q.toMs) continue;
      const i = bucketOf(q.bucketStartsMs, s.hourMs);
      billed[i] = (billed[i] ?? 0) + s.micro;
      addToMeter(s.meterId, s.micro);
    }
  }

  const price = tariffIndex(await store.tariffs(), q.timeZone);
  const institutionOf = new Map(registry.buildings.map((b) => [b.id, b.institutionId]));
  const tariffIds = new Set<string>();
  const uncosted: Uncosted[] = [];
  for (const m of meters) {
    const spans = covered.get(m.id) ?? [];
    let hours = 0;
    let quantity = 0;
    for (const [h, amount] of amounts.get(m.id) ?? []) {
      if (h < q.fromMs || h >= q.toMs || spans.some((s) => s.fromMs <= h && h < s.toMs)) continue;
      const p = price(m.energy, institutionOf.get(m.buildingId), h);
      if (p === undefined) {
        if (amount !== 0) {
          hours++;
          quantity += amount;
        }
        continue;
      }
      tariffIds.add(p.tariffId);
      const i = bucketOf(q.bucketStartsMs, h);
      const micro = Math.round(amount * p.microYuanPerUnit);
      priced[i] = (priced[i] ?? 0) + micro;
      addToMeter(m.id, micro);
    }
    if (hours > 0) uncosted.push({ meterId: m.id, energy: m.energy, hours, quantity });
  }

  const buckets = q.bucketStartsMs.map((startMs, i) => ({
    startMs,
    micro: (billed[i] ?? 0) + (priced[i] ?? 0),
    billedMicro: billed[i] ?? 0,
    tariffMicro: priced[i] ?? 0,
  }));
  const sum = (f: (b: CostBucket) => number) => buckets.reduce((s, b) => s + f(b), 0);
  return {
    buckets,
    micro: sum((b) => b.micro),
    billedMicro: sum((b) => b.billedMicro),
    tariffMicro: sum((b) => b.tariffMicro),
    uncosted,
    byMeterMicro,
    billIds: bills.map((b) => b.bill.id),
    tariffIds: [...tariffIds].sort(),
  };
}
