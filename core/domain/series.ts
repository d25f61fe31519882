import { type CoefficientTable, ENERGY_INFO, type Energy } from './energy.js';
import type { Scope } from './scope.js';

/** Unit of a consumption answer: the energy's own, or kilograms of standard coal equivalent. */
export type UnitMode = 'native' | 'kgce';

/** Intensity denominator: per m² of floor area or per occupant. */
export type Per = 'm2' | 'capita';

/** One summed cell of hourly consumption: a bucket and an energy, in the native unit. */
export interface EnergyCell {
  readonly bucketStartMs: number;
  readonly energy: Energy;
  readonly amount: number;
  readonly estimated: number;
}

/** Rounds to 6 decimals (the precision consumption is stored with). */
export function round6(x: number): number {
  return Number(x.toFixed(6));
}

/** Whether an energy enters an answer: the asked one, or with kgce and no energy every energy but water. */
export function energyIncluded(energy: Energy, asked: Energy | undefined): boolean {
  return asked === undefined ? ENERGY_INFO[energy].countsAsEnergy : energy === asked;
}

/** The value of a cell in the answer's unit. */
export function cellValue(cell: EnergyCell, mode: UnitMode, table: CoefficientTable): number {
  return mode === 'kgce' ? cell.amount * table.kgcePerUnit[cell.energy] : cell.amount;
}

/** The unit label of an answer, e.g. `kWh`, `kgce`, `kgce/m2`. */
export function unitLabel(energy: Energy | undefined, mode: UnitMode, per: Per | undefined): string {
  const base = mode === 'kgce' || energy === undefined ? 'kgce' : ENERGY_INFO[energy].nativeUnit;
  return per === undefined ? base : `${base}/${per}`;
}

/** Divisors of an intensity answer: one per bucket, in bucket order, and the whole range's for the total. */
export interface BucketDivisors {
  readonly perBucket: readonly number[];
  readonly total: number;
}

/**
 * Folds cells into a series over the given bucket starts (empty buckets are 0) and a total, in the
 * answer's unit, divided by the denominator for intensities (one for all, or one per bucket). Each
 * value is rounded once to 6 decimals; `exact` and `totalExact` are the same unrounded, for figures
 * derived from them (a comparison's changes, issue 17 item 3).
 */
export function buildSeries(
  cells: readonly EnergyCell[],
  bucketStartsMs: readonly number[],
  opts: { energy: Energy | undefined; mode: UnitMode; table: CoefficientTable; divisor: number | BucketDivisors },
): {
  series: { startMs: number; value: number; exact: number; estimatedShare: number }[];
  total: number;
  totalExact: number;
} {
  const sums = new Map<number, { value: number; estimated: number; amount: number }>();
  for (const cell of cells) {
    if (!energyIncluded(cell.energy, opts.energy)) continue;
    const s = sums.get(cell.bucketStartMs) ?? { value: 0, estimated: 0, amount: 0 };
    s.value += cellValue(cell, opts.mode, opts.table);
    s.amount += cell.amount;
    s.estimated += cell.estimated;
    sums.set(cell.bucketStartMs, s);
  }
  let total = 0;
  const { divisor } = opts;
  const series = bucketStartsMs.map((startMs, i) => {
    const s = sums.get(startMs);
    total += s?.value ?? 0;
    const exact = (s?.value ?? 0) / (typeof divisor === 'number' ? divisor : (divisor.perBucket[i] ?? 1));
    return {
      startMs,
      value: round6(exact),
      exact,
      estimatedShare: s && s.amount > 0 ? round6(s.estimated / s.amount) : 0,
    };
  });
  const totalExact = total / (typeof divisor === 'number' ? divisor : divisor.total);
  return { series, total: round6(totalExact), totalExact };
}

/** Filter fields for a scope (the store's MeterFilter minus energy and sub-item). */
export function scopeFilter(scope: Scope): {
  districtId?: string;
  institutionId?: string;
  buildingId?: string;
  meterId?: string;
} {
  switch (scope.level) {
    case 'city':
      return {};
    case 'district':
      return { districtId: scope.id };
    case 'institution':
      return { institutionId: scope.id };
    case 'building':
      return { buildingId: scope.id };
    case 'meter':
      return { meterId: scope.id };
  }
}
