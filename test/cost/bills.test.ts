import { describe, expect, it } from 'vitest';
import { BillInputSchema, billOf, billOverlaps, spread, yuanOfMicro } from '../../core/domain/bills.js';

const bill = (accountNo: string, from: string, to: string, energy = 'electricity' as const) => ({
  accountNo,
  energy,
  from,
  to,
});

describe('utility bills', () => {
  it('keeps the amount in whole fen and refuses more than 2 decimals, a negative amount, to ≤ from', () => {
    const input = { accountNo: ' 3301 ', energy: 'electricity', from: '2026-01-01', to: '2026-02-01', quantity: 10 };
    const ok = BillInputSchema.parse({ ...input, amountYuan: 1234.57 });
    expect(billOf(ok, 0, 'a')).toMatchObject({
      accountNo: '3301',
      amountFen: 123_457,
      id: '3301|electricity|2026-01-01',
    });
    const paths = (over: object) => {
      const r = BillInputSchema.safeParse({ ...input, amountYuan: 1, ...over });
      return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
    };
    expect(paths({ amountYuan: 0.125 })).toEqual(['amountYuan']);
    expect(paths({ amountYuan: -1 })).toEqual(['amountYuan']);
    expect(paths({ to: '2026-01-01' })).toEqual(['to']);
    expect(paths({ quantity: -1 })).toEqual(['quantity']);
    // The worst a spreadsheet can hold: 1e308 in either number.
    expect(paths({ quantity: 1e308 })).toEqual(['quantity']);
    expect([...new Set(paths({ amountYuan: 1e308 }))]).toEqual(['amountYuan']);
    expect(paths({})).toEqual([]);
  });

  it('refuses a bill overlapping a stored one or an earlier one of the batch, of the same account and energy only', () => {
    const stored = [bill('A', '2026-01-01', '2026-02-01')];
    const fresh = [
      bill('A', '2026-02-01', '2026-03-01'), // adjacent: fine
      bill('A', '2026-01-31', '2026-02-02'), // overlaps the stored one
      bill('B', '2026-01-01', '2026-02-01'), // another account
      bill('A', '2026-01-01', '2026-02-01', 'water' as never), // another energy
      bill('A', '2026-02-15', '2026-02-16'), // overlaps fresh[0]
    ];
    const problems = billOverlaps(fresh, stored);
    expect(problems.map((p) => p.path)).toEqual(['bills[1].from', 'bills[4].from']);
    expect(problems[1]?.message).toBe('overlaps bills[0]');
  });

  it('spreads an amount by weight in whole micro-yuan that add up to it exactly; evenly without weight', () => {
    const shares = spread(1_000_000, [1, 1, 1]);
    expect(shares).toEqual([333_334, 333_333, 333_333]);
    expect(spread(100, [0, 3, 1])).toEqual([0, 75, 25]);
    expect(spread(10, [0, 0])).toEqual([5, 5]);
    expect(spread(7, [-1, 0, 0])).toEqual([3, 2, 2]);
    const weights = Array.from({ length: 744 }, (_, i) => 0.1 + ((i * 7919) % 13) / 3);
    const big = spread(987_654_32 * 10_000, weights);
    expect(big.reduce((s, x) => s + x, 0)).toBe(987_654_32 * 10_000);
    expect(big.every((x) => Number.isInteger(x))).toBe(true);
  });

  it('rounds micro-yuan to the fen once, half away from zero', () => {
    expect(yuanOfMicro(16_234_568)).toBe(16.23);
    expect(yuanOfMicro(5_000)).toBe(0.01);
    expect(yuanOfMicro(4_999)).toBe(0);
    expect(yuanOfMicro(-5_000)).toBe(-0.01);
  });
});
