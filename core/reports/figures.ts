import { ENERGY_INFO, type Energy } from '../domain/energy.js';
import { parseTargetUnit, type Target } from '../domain/targets.js';
import {
  AMOUNT_DECIMALS,
  type Changes,
  change,
  type EnergyLine,
  INTENSITY_DECIMALS,
  type InstitutionRow,
  type Quality,
  ratio,
  roundTo,
  type Subtotal,
  sumExact,
  type TargetAttainment,
  type Totals,
} from './model.js';

/** Floor area and occupants of a row or subtotal. */
export interface Denominators {
  readonly floorAreaM2: number;
  readonly occupants: number;
}

/** A row with the unrounded estimated consumption that shares are computed from. */
export interface RowWithRaw {
  readonly row: InstitutionRow;
  /** Estimated consumption in kgce (water excluded). */
  readonly estimatedKgce: number;
  /** Estimated consumption per energy, native unit. */
  readonly estimatedNative: ReadonlyMap<Energy, number>;
}

/**
 * How a scope stands against its target for the period: the target of that scope, energy (or `all`)
 * and period, its consumption expressed in the target's unit (native or kgce, optionally per m² or
 * per capita, as `parseTargetUnit` reads it), and consumption / target.
 */
export function attainment(
  targets: readonly Target[],
  key: { scope: string; energy: Energy | 'all'; period: string },
  consumption: { native?: number; kgce: number },
  d: Denominators,
): TargetAttainment | null {
  const t = targets.find((x) => x.scope === key.scope && x.energy === key.energy && x.period === key.period);
  const unit = t === undefined ? undefined : parseTargetUnit(t.energy, t.unit);
  if (t === undefined || unit === undefined) return null;
  const base = unit.mode === 'native' ? (consumption.native ?? 0) : consumption.kgce;
  const divisor = unit.per === 'm2' ? d.floorAreaM2 : unit.per === 'capita' ? d.occupants : 1;
  if (!(divisor > 0)) return { energy: t.energy, value: t.value, unit: t.unit, actual: 0, attainment: null };
  const actual = roundTo(base / divisor, unit.per === undefined ? AMOUNT_DECIMALS : INTENSITY_DECIMALS);
  return { energy: t.energy, value: t.value, unit: t.unit, actual, attainment: ratio(base / divisor, t.value) };
}

/** Previous and last-year figures with their changes against `current`. */
export function changes(current: number, previous: number | null, lastYear: number | null, monthly: boolean): Changes {
  const prev = monthly ? previous : null;
  return { previous: prev, momChange: change(current, prev), lastYear, yoyChange: change(current, lastYear) };
}

const sumOrNull = (values: readonly (number | null)[]): number | null => {
  const present = values.filter((v): v is number => v !== null);
  return present.length === 0 ? null : sumExact(present);
};

function quality(parts: readonly Quality[], estimated: number, amount: number): Quality {
  const expected = parts.reduce((s, q) => s + q.expectedReadings, 0);
  const received = parts.reduce((s, q) => s + q.receivedReadings, 0);
  return {
    meters: parts.reduce((s, q) => s + q.meters, 0),
    expectedReadings: roundTo(expected, AMOUNT_DECIMALS),
    receivedReadings: received,
    completeness: expected > 0 ? roundTo(Math.min(1, received / expected), 4) : null,
    estimatedShare: amount > 0 ? roundTo(estimated / amount, 4) : 0,
  };
}

/** Intensities of a total: per m² and per capita, null without a denominator. */
export function intensities(
  totalKgce: number,
  d: Denominators,
): { kgcePerM2: number | null; kgcePerCapita: number | null } {
  return {
    kgcePerM2: d.floorAreaM2 > 0 ? roundTo(totalKgce / d.floorAreaM2, INTENSITY_DECIMALS) : null,
    kgcePerCapita: d.occupants > 0 ? roundTo(totalKgce / d.occupants, INTENSITY_DECIMALS) : null,
  };
}

/**
 * The subtotal of rows (a district, the city): each summed figure (amounts, kgce, previous and
 * last-year figures, readings, anomalies) is the exact sum of the rows' rounded values.
 */
export function subtotal(
  head: { scope: string; name: string; period: string; monthly: boolean },
  parts: readonly RowWithRaw[],
  energies: readonly Energy[],
  targets: readonly Target[],
): Subtotal {
  const rows = parts.map((p) => p.row);
  const d = {
    floorAreaM2: sumExact(rows.map((r) => r.floorAreaM2)),
    occupants: sumExact(rows.map((r) => r.occupants)),
  };
  const lines: EnergyLine[] = [];
  for (const energy of energies) {
    const with_ = parts.flatMap((p) => {
      const line = p.row.energies.find((l) => l.energy === energy);
      return line === undefined ? [] : [{ line, estimated: p.estimatedNative.get(energy) ?? 0 }];
    });
    if (with_.length === 0) continue;
    const ls = with_.map((w) => w.line);
    const amount = sumExact(ls.map((l) => l.amount));
    const kgce = sumExact(ls.map((l) => l.kgce));
    const estimated = with_.reduce((s, w) => s + w.estimated, 0);
    lines.push({
      energy,
      unit: ENERGY_INFO[energy].nativeUnit,
      amount,
      kgce,
      countsAsEnergy: ENERGY_INFO[energy].countsAsEnergy,
      ...changes(amount, sumOrNull(ls.map((l) => l.previous)), sumOrNull(ls.map((l) => l.lastYear)), head.monthly),
      ...quality(ls, estimated, amount),
      target: attainment(targets, { scope: head.scope, energy, period: head.period }, { native: amount, kgce }, d),
    });
  }
  const totalKgce = sumExact(rows.map((r) => r.totalKgce));
  const estimatedKgce = parts.reduce((s, p) => s + p.estimatedKgce, 0);
  const totals: Totals = {
    energies: lines,
    totalKgce,
    ...d,
    ...intensities(totalKgce, d),
    ...changes(totalKgce, sumOrNull(rows.map((r) => r.previous)), sumOrNull(rows.map((r) => r.lastYear)), head.monthly),
    ...quality(rows, estimatedKgce, totalKgce),
    target: attainment(targets, { scope: head.scope, energy: 'all', period: head.period }, { kgce: totalKgce }, d),
    anomalies: rows.reduce((s, r) => s + r.anomalies, 0),
  };
  return { scope: head.scope, name: head.name, institutions: rows.length, ...totals };
}

/** Quality of a list of meters' figures (used for rows): the same rule as subtotals. */
export function qualityOf(parts: readonly Quality[], estimated: number, amount: number): Quality {
  return quality(parts, estimated, amount);
}
