import type { AggregateRow } from './store.js';

/** An aggregate cell being summed from parts, amounts in integer micro-units (exact). */
export interface AggregateCell {
  bucketStartMs: number;
  energy: string;
  groupId: string;
  amountMicro: number;
  estimatedMicro: number;
  readings: number;
  suspectHours: number;
  estimatedHours: number;
  goodHours: number;
}

/** An empty cell of a bucket, energy and group. */
export function emptyCell(bucketStartMs: number, energy: string, groupId: string): AggregateCell {
  return {
    bucketStartMs,
    energy,
    groupId,
    amountMicro: 0,
    estimatedMicro: 0,
    readings: 0,
    suspectHours: 0,
    estimatedHours: 0,
    goodHours: 0,
  };
}

/** Adds the data counts of a row (readings and quality hours) to a cell. */
export function addCounts(
  cell: AggregateCell,
  r: Pick<AggregateRow, 'readings' | 'suspectHours' | 'estimatedHours' | 'goodHours'>,
): void {
  cell.readings += r.readings;
  cell.suspectHours += r.suspectHours;
  cell.estimatedHours += r.estimatedHours;
  cell.goodHours += r.goodHours;
}

/** A summed cell as an aggregate row, amounts back in the native unit. */
export function cellRow(c: AggregateCell): AggregateRow {
  return {
    bucketStartMs: c.bucketStartMs,
    energy: c.energy as AggregateRow['energy'],
    groupId: c.groupId,
    amount: c.amountMicro / 1e6,
    estimated: c.estimatedMicro / 1e6,
    readings: c.readings,
    suspectHours: c.suspectHours,
    estimatedHours: c.estimatedHours,
    goodHours: c.goodHours,
  };
}
