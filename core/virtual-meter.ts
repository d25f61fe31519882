import type { Meter } from './domain/registry.js';
import { type AggregateCell, addCounts, cellRow, emptyCell } from './storage/aggregate-cell.js';
import type { AggregateQuery, AggregateRow, SeriesStore } from './storage/store.js';

const toMicro = (x: number) => Math.round(x * 1e6);

/**
 * The aggregate of a virtual meter (issue "The meter model"): per bucket, the sum of its `plus`
 * meters minus the sum of its `minus` meters (each meter's own amount), in integer micro-units so
 * the difference is exact. Readings and quality hours add up over every meter of the formula. One
 * store query per meter of the formula (at most 200), run together. `q` is the query as asked of
 * the virtual meter itself; its filter's `meterId` is replaced.
 */
export async function virtualAggregate(
  store: SeriesStore,
  meter: Pick<Meter, 'virtual'>,
  q: AggregateQuery,
): Promise<AggregateRow[]> {
  const formula = meter.virtual;
  if (formula === undefined) return [];
  const terms = [...formula.plus.map((id) => ({ id, sign: 1 })), ...formula.minus.map((id) => ({ id, sign: -1 }))];
  const results = await Promise.all(
    terms.map((t) => store.aggregate({ ...q, filter: { ...q.filter, meterId: t.id }, groupBy: 'none' })),
  );
  const cells = new Map<string, AggregateCell>();
  results.forEach((rows, i) => {
    const sign = terms[i]?.sign ?? 1;
    for (const r of rows) {
      const key = `${r.bucketStartMs}\u0000${r.energy}`;
      const c = cells.get(key) ?? emptyCell(r.bucketStartMs, r.energy, '');
      c.amountMicro += sign * toMicro(r.amount);
      c.estimatedMicro += sign * toMicro(r.estimated);
      addCounts(c, r);
      cells.set(key, c);
    }
  });
  return [...cells.values()]
    .map(cellRow)
    .sort((a, b) => a.bucketStartMs - b.bucketStartMs || a.energy.localeCompare(b.energy));
}
