import { billId } from '../core/domain/bills.js';
import type { Registry } from '../core/domain/registry.js';
import type { Tariff } from '../core/domain/tariffs.js';
import type { Store } from '../core/storage/store.js';

/** A time-of-use electricity tariff (尖/峰/平/谷) and flat prices for the other energies. */
export const BENCH_TARIFFS: Tariff[] = [
  {
    id: 'bench-electricity',
    energy: 'electricity',
    from: '2020-01-01',
    bands: [
      { name: 'sharp', hours: [[19, 21]], priceYuanPerUnit: 1.32 },
      {
        name: 'peak',
        hours: [
          [8, 11],
          [17, 19],
        ],
        priceYuanPerUnit: 1.05,
      },
      {
        name: 'flat',
        hours: [
          [11, 17],
          [21, 23],
        ],
        priceYuanPerUnit: 0.68,
      },
      {
        name: 'valley',
        hours: [
          [0, 8],
          [23, 24],
        ],
        priceYuanPerUnit: 0.31,
      },
    ],
  },
  { id: 'bench-water', energy: 'water', from: '2020-01-01', priceYuanPerUnit: 4.1 },
  { id: 'bench-gas', energy: 'gas', from: '2020-01-01', priceYuanPerUnit: 3.45 },
  { id: 'bench-heat', energy: 'heat', from: '2020-01-01', priceYuanPerUnit: 0.25 },
];

/**
 * Gives a bench city what cost needs (issue "The statutory year", item 1): the tariffs above, and
 * for every other institution an electricity account on its main electricity meters with a bill
 * per month of `months` (`YYYY-MM`), so that reports cost half the city from bills and half from
 * time-of-use prices hour of day by hour of day. Returns the registry with the account numbers.
 */
export async function seedCost(store: Store, registry: Registry, months: readonly string[]): Promise<Registry> {
  await store.replaceTariffs(BENCH_TARIFFS);
  const billed = new Set(registry.institutions.filter((_, i) => i % 2 === 0).map((i) => i.id));
  const institutionOf = new Map(registry.buildings.map((b) => [b.id, b.institutionId]));
  const withAccounts: Registry = {
    ...registry,
    meters: registry.meters.map((m) => {
      const institution = institutionOf.get(m.buildingId) ?? '';
      return m.energy === 'electricity' &&
        m.parentId === undefined &&
        m.virtual === undefined &&
        billed.has(institution)
        ? { ...m, accountNo: `E-${institution}` }
        : m;
    }),
  };
  await store.saveRegistry(withAccounts);
  const next = (month: string) => {
    const [y, m] = month.split('-').map(Number) as [number, number];
    return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  };
  const bills = [...billed].flatMap((institution) =>
    months.map((month) => {
      const bill = {
        accountNo: `E-${institution}`,
        energy: 'electricity' as const,
        from: `${month}-01`,
        to: next(month),
        quantity: 10_000,
        amountFen: 812_345,
        createdAtMs: 0,
        createdBy: 'bench',
      };
      return { ...bill, id: billId(bill) };
    }),
  );
  for (let i = 0; i < bills.length; i += 5_000) await store.addBills(bills.slice(i, i + 5_000));
  return withAccounts;
}
