/**
 * The cost of a scope over a period (issue "The statutory year", item 1): bills where they cover
 * it, tariff × metered consumption elsewhere (DOMAIN.md "Cost": bills are the truth, meter × tariff
 * estimates between them). Exact: every amount is whole micro-yuan; callers round once, to the fen,
 * when they present it.
 */
import { spread } from '../domain/bills.js';
import type { Energy } from '../domain/energy.js';
import type { Meter, Registry } from '../domain/registry.js';
import type { Scope } from '../domain/scope.js';
import { type TariffStep, tariffSteps } from '../domain/tariffs.js';
import type { Store } from '../storage/store.js';
import { billSpanMs } from './bill-span.js';
import { accountIndex, costedMeters } from './meters.js';
import { costBoundaries, segmentAmounts } from './segments.js';

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
 * The cost of a scope by bucket. Which meters count: `costedMeters` (no sub-meter, no virtual one).
 * The period is cut into segments wherever a bucket, a bill or a tariff starts or ends, and the
 * store sums each meter's consumption by segment and local hour of day (`hourOfDayAmounts`): a
 * segment of a meter is costed by the bill of its account (`accountNo`) and energy covering it —
 * the bill's amount spread over the account's meters and segments by their metered consumption
 * (by duration when nothing was metered) — or else by the tariff in force (`tariffSteps`: the
 * meter's institution's, else the general one) hour of day by hour of day, rounded to the
 * micro-yuan per meter, segment and hour of day; consumption with neither is costed 0 and listed
 * in `uncosted`.
 */
export async function scopeCost(store: Store, registry: Registry, q: CostQuery): Promise<ScopeCost> {
  const meters = costedMeters(registry, q.scope, q.energy);
  const accountKey = (accountNo: string, energy: string) => `${accountNo}\u0000${energy}`;
  const accounts = new Set<string>();
  for (const m of meters) if (m.accountNo !== undefined) accounts.add(accountKey(m.accountNo, m.energy));
  const [storedBills, tariffs] = await Promise.all([store.bills(), store.tariffs()]);
  const scopeBills = storedBills.filter((b) => accounts.has(accountKey(b.accountNo, b.energy)));
  const metersOf = scopeBills.length === 0 ? () => [] : accountIndex(registry);
  const bills = scopeBills
    .map((b) => ({ bill: b, ...billSpanMs(b, q.timeZone), meters: metersOf(b.accountNo, b.energy) }))
    .filter((b) => b.fromMs < b.toMs && b.fromMs < q.toMs && q.fromMs < b.toMs);
  const steps = tariffSteps(tariffs, q.timeZone);
  // Bills are spread over their whole period, which may reach outside the one asked for.
  const fromMs = Math.min(q.fromMs, ...bills.map((b) => b.fromMs));
  const toMs = Math.max(q.toMs, ...bills.map((b) => b.toMs));
  const bounds = costBoundaries(fromMs, toMs, [
    q.fromMs,
    q.toMs,
    ...q.bucketStartsMs,
    ...bills.flatMap((b) => [b.fromMs, b.toMs]),
    ...steps.startsMs,
  ]);
  // Only bills need the scope's meters by id (a city without bills skips 10,000s of set entries).
  const inScope = new Set(bills.length === 0 ? [] : meters.map((m) => m.id));
  const extra = bills.flatMap((b) => b.meters.filter((m) => !inScope.has(m.id)).map((m) => m.id));
  const amounts = await segmentAmounts(store, q.scope, q.energy, bounds, q.timeZone, extra);
  const segmentsIn = (a: number, b: number) => {
    const out: number[] = [];
    for (let s = 0; s < bounds.length - 1; s++) if ((bounds[s] ?? 0) >= a && (bounds[s + 1] ?? 0) <= b) out.push(s);
    return out;
  };
  const asked = (s: number) => (bounds[s] ?? 0) >= q.fromMs && (bounds[s] ?? 0) < q.toMs;

  const n = q.bucketStartsMs.length;
  const billed = new Array<number>(n).fill(0);
  const priced = new Array<number>(n).fill(0);
  const covered = new Set<string>();
  const byMeterMicro = new Map<string, number>();
  const addToMeter = (meterId: string, micro: number) =>
    byMeterMicro.set(meterId, (byMeterMicro.get(meterId) ?? 0) + micro);
  for (const b of bills) {
    const segs = segmentsIn(b.fromMs, b.toMs);
    const cells = b.meters.flatMap((m) => segs.map((s) => ({ meterId: m.id, s })));
    const metered = cells.map((c) => amounts.cell(c.meterId, c.s)?.total ?? 0);
    const weights = metered.some((w) => w > 0)
      ? metered
      : cells.map((c) => (bounds[c.s + 1] ?? 0) - (bounds[c.s] ?? 0));
    const shares = spread(b.bill.amountFen * 10_000, weights);
    cells.forEach((c, i) => {
      covered.add(`${c.meterId}\u0000${c.s}`);
      if (!inScope.has(c.meterId) || !asked(c.s)) return;
      const k = bucketOf(q.bucketStartsMs, bounds[c.s] ?? 0);
      billed[k] = (billed[k] ?? 0) + (shares[i] ?? 0);
      addToMeter(c.meterId, shares[i] ?? 0);
    });
  }

  const institutionOf = new Map(registry.buildings.map((b) => [b.id, b.institutionId]));
  const tariffIds = new Set<string>();
  // Segments of meters with consumption that nothing prices: costed 0, listed in `uncosted`.
  const unpriced = new Map<string, number[]>();
  // What prices a segment depends on the energy and institution only: looked up once per pair and
  // segment (a city has ~10 meters per institution, issue 19).
  const stepsOf = new Map<Energy, Map<string | undefined, (TariffStep | null)[]>>();
  const stepAt = (energy: Energy, institutionId: string | undefined, s: number) => {
    let byInstitution = stepsOf.get(energy);
    if (byInstitution === undefined) {
      byInstitution = new Map();
      stepsOf.set(energy, byInstitution);
    }
    let bySegment = byInstitution.get(institutionId);
    if (bySegment === undefined) {
      bySegment = [];
      byInstitution.set(institutionId, bySegment);
    }
    let step = bySegment[s];
    if (step === undefined) {
      step = steps.at(energy, institutionId, bounds[s] ?? 0) ?? null;
      bySegment[s] = step;
    }
    return step ?? undefined;
  };
  for (const m of meters) {
    const cells = amounts.cells(m.id);
    if (cells.length === 0) continue;
    const institutionId = institutionOf.get(m.buildingId);
    let meterMicro = 0;
    let priceable = false;
    for (let s = 0; s < cells.length; s++) {
      const cell = cells[s];
      if (cell === undefined || !asked(s) || (covered.size > 0 && covered.has(`${m.id}\u0000${s}`))) continue;
      const step = stepAt(m.energy, institutionId, s);
      if (step === undefined) {
        if (cell.amounts.some((a) => a !== 0)) unpriced.set(m.id, [...(unpriced.get(m.id) ?? []), s]);
        continue;
      }
      tariffIds.add(step.tariff.id);
      const hourly = step.hourly;
      let micro = 0;
      for (let h = 0; h < cell.amounts.length; h++)
        micro += Math.round((cell.amounts[h] ?? 0) * (hourly[h]?.micro ?? 0));
      const k = n === 1 ? 0 : bucketOf(q.bucketStartsMs, bounds[s] ?? 0);
      priced[k] = (priced[k] ?? 0) + micro;
      meterMicro += micro;
      priceable = true;
    }
    // Without bills no meter has a share yet: one set, no get.
    if (priceable) {
      if (bills.length === 0) byMeterMicro.set(m.id, meterMicro);
      else addToMeter(m.id, meterMicro);
    }
  }
  const uncosted = await uncostedOf(store, q, bounds, unpriced, meters);

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

/**
 * What nothing prices, by meter: its consumption and its hours with some over the unpriced
 * segments, counted by a second store query only when there are any (counting costs more).
 */
async function uncostedOf(
  store: Store,
  q: CostQuery,
  bounds: readonly number[],
  unpriced: ReadonlyMap<string, readonly number[]>,
  meters: readonly Meter[],
): Promise<Uncosted[]> {
  if (unpriced.size === 0) return [];
  const counted = await segmentAmounts(store, q.scope, q.energy, bounds, q.timeZone, [], { counts: true });
  return meters.flatMap((m) => {
    let hours = 0;
    let quantity = 0;
    for (const s of unpriced.get(m.id) ?? []) {
      const cell = counted.cell(m.id, s);
      cell?.amounts.forEach((amount, h) => {
        if (amount === 0) return;
        hours += cell.hours[h] ?? 0;
        quantity += amount;
      });
    }
    return hours > 0 ? [{ meterId: m.id, energy: m.energy, hours, quantity }] : [];
  });
}
