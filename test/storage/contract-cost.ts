import { expect, it } from 'vitest';
import type { Bill } from '../../core/domain/bills.js';
import type { Tariff } from '../../core/domain/tariffs.js';
import type { MetadataStore } from '../../core/storage/store.js';
import { touTariff } from '../helpers/tariffs.js';
import { T0 } from './contract-fixtures.js';

const TOU: Tariff = { id: 'electricity|*|2026-01-01', ...touTariff('2026-01-01') };
const WATER: Tariff = { id: 'w', energy: 'water', from: '2026-01-01', priceYuanPerUnit: 4.1 };
const OWN: Tariff = {
  id: 'i1-el',
  energy: 'electricity',
  institutionId: 'i1',
  from: '2025-07-01',
  priceYuanPerUnit: 0.8,
};

const bill = (id: string, accountNo: string, from: string, to: string, amountFen: number): Bill => ({
  id,
  accountNo,
  energy: 'electricity',
  from,
  to,
  quantity: 1234.5,
  amountFen,
  createdAtMs: T0,
  createdBy: 'admin',
});

/** Tariffs (replaced whole) and utility bills (appended all or none), as stored and listed. */
export function costCases(store: () => MetadataStore): void {
  it('replaces the tariffs whole and lists them by energy, general ones first, first day', async () => {
    expect(await store().tariffs()).toEqual([]);
    await store().replaceTariffs([WATER, OWN, TOU]);
    expect(await store().tariffs()).toEqual([TOU, OWN, WATER]);
    await store().replaceTariffs([WATER]);
    expect(await store().tariffs()).toEqual([WATER]);
    await store().replaceTariffs([]);
    expect(await store().tariffs()).toEqual([]);
  });

  it('keeps bills with their amount in fen, by account, energy and day; of one account on request', async () => {
    const a2 = bill('A|electricity|2026-02-01', 'A', '2026-02-01', '2026-03-01', 9_007_199_254_740);
    const a1 = bill('A|electricity|2026-01-01', 'A', '2026-01-01', '2026-02-01', 123_456);
    const b1 = bill('B|electricity|2026-01-01', 'B', '2026-01-01', '2026-01-15', 0);
    await store().addBills([a2, b1]);
    await store().addBills([a1]);
    await store().addBills([]);
    expect(await store().bills()).toEqual([a1, a2, b1]);
    expect(await store().bills('B')).toEqual([b1]);
    expect(await store().bills('C')).toEqual([]);
  });

  it('refuses a batch of bills with a known id whole, storing none of it', async () => {
    const first = bill('A|electricity|2026-01-01', 'A', '2026-01-01', '2026-02-01', 100);
    await store().addBills([first]);
    const fresh = bill('B|electricity|2026-01-01', 'B', '2026-01-01', '2026-02-01', 200);
    await expect(store().addBills([fresh, { ...first, amountFen: 9 }])).rejects.toThrow();
    expect(await store().bills()).toEqual([first]);
  });
}
