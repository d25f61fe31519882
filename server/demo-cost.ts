/**
 * What the demo city needs for cost (issue "The statutory year", item 1): tariffs for every
 * institution, and for a few institutions utility accounts (户号) on their meters with a bill for
 * each whole local month of readings, so that `unit=yuan` on the page and in reports shows bills
 * and tariff estimates side by side. Idempotent on restart: tariffs are written only when none are
 * stored (an officer's tariffs are never replaced), accounts only where a meter has none, and a
 * month is billed only when the account has no bill overlapping it.
 */
import { recordBills } from '../core/cost/bills-service.js';
import { type Bill, type BillInput, FEN_PER_YUAN } from '../core/domain/bills.js';
import type { Energy } from '../core/domain/energy.js';
import type { RegistryInput } from '../core/domain/registry.js';
import { identifyTariffs, TariffsInputSchema } from '../core/domain/tariffs.js';
import { bucketStart, formatLocalIso, nextBucketStart } from '../core/domain/time.js';
import type { RegistryHolder } from '../core/registry-holder.js';
import { updateRegistry } from '../core/registry-service.js';
import type { Store } from '../core/storage/store.js';

/** The day the demo tariffs hold from: before any demo reading (DEMO_DAYS is at most 400). */
const DEMO_TARIFFS_FROM = '2020-01-01';

/**
 * The demo's tariffs, yuan per native unit. Illustrative figures of the usual order for public
 * institutions (general commercial electricity with summer sharp hours, non-residential water and
 * gas, heat by GJ), not any utility's published prices. Electricity is time-of-use: 谷 00–08,
 * 峰 08–10 and 17–22, 尖 10–11 and 14–15, 平 11–14, 15–17 and 22–24.
 */
export const DEMO_TARIFFS = [
  {
    energy: 'electricity',
    from: DEMO_TARIFFS_FROM,
    bands: [
      { name: 'valley', hours: [[0, 8]], priceYuanPerUnit: 0.28 },
      {
        name: 'peak',
        hours: [
          [8, 10],
          [17, 22],
        ],
        priceYuanPerUnit: 1.05,
      },
      {
        name: 'sharp',
        hours: [
          [10, 11],
          [14, 15],
        ],
        priceYuanPerUnit: 1.26,
      },
      {
        name: 'flat',
        hours: [
          [11, 14],
          [15, 17],
          [22, 24],
        ],
        priceYuanPerUnit: 0.65,
      },
    ],
  },
  { energy: 'water', from: DEMO_TARIFFS_FROM, priceYuanPerUnit: 4.55 },
  { energy: 'gas', from: DEMO_TARIFFS_FROM, priceYuanPerUnit: 3.6 },
  { energy: 'heat', from: DEMO_TARIFFS_FROM, priceYuanPerUnit: 60 },
] as const;

/**
 * What a demo bill charges per native unit: the tariff's average plus the charges a tariff estimate
 * leaves out (capacity charge, surcharges, sewage fee), so that bills and estimates differ a little
 * as they do in practice. Illustrative, as DEMO_TARIFFS.
 */
const BILL_YUAN_PER_UNIT: Readonly<Partial<Record<Energy, number>>> = { electricity: 0.78, water: 4.9, gas: 3.75 };

/** How many institutions of each district (the first ones, in registry order) have utility accounts. */
const BILLED_PER_DISTRICT = 2;

/** Account number prefixes by energy (户号 are digit strings; these are made up). */
const ACCOUNT_PREFIX: Readonly<Partial<Record<Energy, string>>> = { electricity: '3201', water: '5201', gas: '6201' };

/**
 * The account number each metered demo meter carries: one account per building and energy for the
 * billed institutions' electricity, water and gas meters.
 */
export function demoAccounts(
  registry: Pick<RegistryInput, 'institutions' | 'buildings' | 'meters'>,
): Map<string, string> {
  const perDistrict = new Map<string, number>();
  const billed = new Set<string>();
  for (const i of registry.institutions) {
    const n = perDistrict.get(i.districtId) ?? 0;
    if (n < BILLED_PER_DISTRICT) billed.add(i.id);
    perDistrict.set(i.districtId, n + 1);
  }
  const buildingIndex = new Map(registry.buildings.map((b, k) => [b.id, k]));
  const billedBuildings = new Set(registry.buildings.filter((b) => billed.has(b.institutionId)).map((b) => b.id));
  const out = new Map<string, string>();
  for (const m of registry.meters) {
    const prefix = ACCOUNT_PREFIX[m.energy];
    if (prefix === undefined || !billedBuildings.has(m.buildingId)) continue;
    out.set(m.id, `${prefix}${String(buildingIndex.get(m.buildingId) ?? 0).padStart(6, '0')}`);
  }
  return out;
}

/** Meters with the demo's account numbers where they have none. */
export function withDemoAccounts<M extends { readonly id: string; readonly accountNo?: string | undefined }>(
  meters: readonly M[],
  accounts: ReadonlyMap<string, string>,
): M[] {
  return meters.map((m) => {
    const accountNo = accounts.get(m.id);
    return m.accountNo !== undefined || accountNo === undefined ? m : { ...m, accountNo };
  });
}

/**
 * Gives a demo registry stored before the demo had accounts (no meter carries one) its account
 * numbers; a registry where any meter carries one is left as the officers keep it. Returns how many
 * meters got one.
 */
export async function ensureDemoAccounts(
  store: Store,
  holder: RegistryHolder,
  accounts: ReadonlyMap<string, string>,
): Promise<number> {
  const meters = holder.get().meters;
  if (meters.some((m) => m.accountNo !== undefined)) return 0;
  const missing = meters.filter((m) => accounts.has(m.id)).length;
  if (missing > 0)
    await updateRegistry(store, holder, (current) => ({
      ...current,
      meters: withDemoAccounts(current.meters, accounts),
    }));
  return missing;
}

/** Stores DEMO_TARIFFS when no tariff is stored; returns how many were written. */
export async function seedDemoTariffs(store: Store): Promise<number> {
  if ((await store.tariffs()).length > 0) return 0;
  const { tariffs, problems } = identifyTariffs(TariffsInputSchema.parse({ tariffs: DEMO_TARIFFS }).tariffs);
  if (problems.length > 0) throw new Error(`demo tariffs: ${JSON.stringify(problems)}`);
  await store.replaceTariffs(tariffs);
  return tariffs.length;
}

/** The demo accounts' meters by account and energy. */
function accountGroups(holder: RegistryHolder): Map<string, { accountNo: string; energy: Energy; meterIds: string[] }> {
  const groups = new Map<string, { accountNo: string; energy: Energy; meterIds: string[] }>();
  for (const m of holder.get().meters) {
    if (m.accountNo === undefined || m.virtual !== undefined || m.parentId !== undefined) continue;
    if (BILL_YUAN_PER_UNIT[m.energy] === undefined) continue;
    const key = `${m.accountNo}|${m.energy}`;
    const group = groups.get(key) ?? { accountNo: m.accountNo, energy: m.energy, meterIds: [] };
    group.meterIds.push(m.id);
    groups.set(key, group);
  }
  return groups;
}

/**
 * Records a bill for every account and whole local month inside [fromMs, toMs) that has no bill
 * overlapping it: the metered quantity of the account's meters (whole units) at
 * BILL_YUAN_PER_UNIT; a month with nothing metered is not billed. Returns the bills recorded.
 */
export async function seedDemoBills(
  store: Store,
  holder: RegistryHolder,
  span: { readonly fromMs: number; readonly toMs: number; readonly timeZone: string; readonly nowMs: number },
): Promise<Bill[]> {
  const { timeZone } = span;
  const months: { fromMs: number; toMs: number }[] = [];
  let start = bucketStart(span.fromMs, 'month', timeZone);
  if (start < span.fromMs) start = nextBucketStart(start, 'month', timeZone);
  for (let end = nextBucketStart(start, 'month', timeZone); end <= span.toMs; ) {
    months.push({ fromMs: start, toMs: end });
    start = end;
    end = nextBucketStart(start, 'month', timeZone);
  }
  const day = (ms: number) => formatLocalIso(ms, timeZone).slice(0, 10);
  const stored = await store.bills();
  const fresh: BillInput[] = [];
  for (const group of accountGroups(holder).values()) {
    for (const month of months) {
      const from = day(month.fromMs);
      const to = day(month.toMs);
      const overlaps = stored.some(
        (b) => b.accountNo === group.accountNo && b.energy === group.energy && b.from < to && b.to > from,
      );
      if (overlaps) continue;
      let metered = 0;
      for (const meterId of group.meterIds) {
        const rows = await store.aggregate({
          filter: { meterId, energy: group.energy },
          ...month,
          interval: 'total',
          timeZone,
          groupBy: 'meter',
          sums: [],
        });
        for (const r of rows) metered += r.amount;
      }
      const quantity = Math.round(metered);
      if (quantity <= 0) continue;
      const price = BILL_YUAN_PER_UNIT[group.energy] ?? 0;
      const amountYuan = Math.round(quantity * price * FEN_PER_YUAN) / FEN_PER_YUAN;
      fresh.push({ accountNo: group.accountNo, energy: group.energy, from, to, quantity, amountYuan });
    }
  }
  if (fresh.length === 0) return [];
  return recordBills(store, holder.get(), { bills: fresh }, { nowMs: span.nowMs, by: 'demo' });
}
