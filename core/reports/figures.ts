import { yuanOfMicro } from '../domain/bills.js';
import { ENERGY_INFO, type Energy } from '../domain/energy.js';
import { isQuotaTarget, parseTargetUnit, type Target } from '../domain/targets.js';
import {
  AMOUNT_DECIMALS,
  type Changes,
  change,
  type EnergyLine,
  type ExactLine,
  type ExactTotals,
  fromMicro,
  INTENSITY_DECIMALS,
  type InstitutionRow,
  MICRO,
  type Quality,
  ratio,
  roundTo,
  type Subtotal,
  sumMicro,
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
  consumption: { native?: number; kgce: number; kgco2?: number | null | undefined },
  d: Denominators,
): TargetAttainment | null {
  // A five-year reduction target (issue 16, item 6) is not a quota of the period: not attained here.
  const t = targets
    .filter(isQuotaTarget)
    .find((x) => x.scope === key.scope && x.energy === key.energy && x.period === key.period);
  const unit = t === undefined ? undefined : parseTargetUnit(t.energy, t.unit);
  if (t === undefined || unit === undefined) return null;
  // kgCO₂ is attained where the report computed it (not `figuresOnly`); a kgce_ev target has no report figure.
  const kgco2 = consumption.kgco2;
  if (unit.mode === 'kgce_ev' || (unit.mode === 'kgco2' && (kgco2 === undefined || kgco2 === null))) return null;
  const base =
    unit.mode === 'native' ? (consumption.native ?? 0) : unit.mode === 'kgco2' ? (kgco2 ?? 0) : consumption.kgce;
  const divisor = unit.per === 'm2' ? d.floorAreaM2 : unit.per === 'capita' ? d.occupants : 1;
  if (!(divisor > 0)) return { energy: t.energy, value: t.value, unit: t.unit, actual: 0, attainment: null };
  const actual = roundTo(base / divisor, unit.per === undefined ? AMOUNT_DECIMALS : INTENSITY_DECIMALS);
  return { energy: t.energy, value: t.value, unit: t.unit, actual, attainment: ratio(base / divisor, t.value) };
}

/**
 * Previous and last-year figures with their changes against `current`, all given exactly in
 * integer micro-units: the changes are of the exact values, the figures shown rounded once.
 */
export function changes(
  currentMicro: number,
  previousMicro: number | null,
  lastYearMicro: number | null,
  monthly: boolean,
): Changes {
  const prev = monthly ? previousMicro : null;
  return {
    previous: fromMicro(prev, AMOUNT_DECIMALS),
    momChange: change(currentMicro, prev),
    lastYear: fromMicro(lastYearMicro, AMOUNT_DECIMALS),
    yoyChange: change(currentMicro, lastYearMicro),
  };
}

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

/** Intensities of a total from its exact figures: per m² and per capita, null without a denominator. */
export function intensities(exact: { kgceMicro: number; floorAreaM2Micro: number; occupantsMicro: number }): {
  kgcePerM2: number | null;
  kgcePerCapita: number | null;
} {
  const per = (d: number) => (d > 0 ? roundTo(exact.kgceMicro / d, INTENSITY_DECIMALS) : null);
  return { kgcePerM2: per(exact.floorAreaM2Micro), kgcePerCapita: per(exact.occupantsMicro) };
}

/** Shown denominators (rounded once) and exact ones (for intensities and targets) of exact micro figures. */
export function denominators(exact: { floorAreaM2Micro: number; occupantsMicro: number }): {
  shown: Denominators;
  exact: Denominators;
} {
  return {
    shown: {
      floorAreaM2: fromMicro(exact.floorAreaM2Micro, AMOUNT_DECIMALS),
      occupants: fromMicro(exact.occupantsMicro, AMOUNT_DECIMALS),
    },
    exact: { floorAreaM2: exact.floorAreaM2Micro / MICRO, occupants: exact.occupantsMicro / MICRO },
  };
}

/**
 * The subtotal of rows (a district, the city): each summed figure (amounts, kgce, floor area,
 * occupants, previous and last-year figures) is the sum of the rows' exact figures in integer
 * micro-units, rounded once (issue 16, item 7); readings and anomalies are counts.
 */
export function subtotal(
  head: { scope: string; name: string; period: string; monthly: boolean; costCarbon?: boolean },
  parts: readonly RowWithRaw[],
  energies: readonly Energy[],
  targets: readonly Target[],
): Subtotal {
  const rows = parts.map((p) => p.row);
  const d = denominators({
    floorAreaM2Micro: rows.reduce((s, r) => s + r.exact.floorAreaM2Micro, 0),
    occupantsMicro: rows.reduce((s, r) => s + r.exact.occupantsMicro, 0),
  });
  const lines: EnergyLine[] = [];
  for (const energy of energies) {
    const with_ = parts.flatMap((p) => {
      const line = p.row.energies.find((l) => l.energy === energy);
      return line === undefined ? [] : [{ line, estimated: p.estimatedNative.get(energy) ?? 0 }];
    });
    if (with_.length === 0) continue;
    const ls = with_.map((w) => w.line);
    const exact = {
      amountMicro: ls.reduce((s, l) => s + l.exact.amountMicro, 0),
      kgceMicro: ls.reduce((s, l) => s + l.exact.kgceMicro, 0),
      previousMicro: sumMicro(ls.map((l) => l.exact.previousMicro)),
      lastYearMicro: sumMicro(ls.map((l) => l.exact.lastYearMicro)),
      ...sumLineCostCarbon(
        ls.map((l) => l.exact),
        head.costCarbon === true,
      ),
    };
    const [native, kgce] = [exact.amountMicro / MICRO, exact.kgceMicro / MICRO];
    const estimated = with_.reduce((s, w) => s + w.estimated, 0);
    lines.push({
      energy,
      unit: ENERGY_INFO[energy].nativeUnit,
      amount: fromMicro(exact.amountMicro, AMOUNT_DECIMALS),
      kgce: fromMicro(exact.kgceMicro, AMOUNT_DECIMALS),
      countsAsEnergy: ENERGY_INFO[energy].countsAsEnergy,
      ...shownLineCostCarbon(exact),
      ...changes(exact.amountMicro, exact.previousMicro, exact.lastYearMicro, head.monthly),
      ...quality(ls, estimated, native),
      target: attainment(
        targets,
        { scope: head.scope, energy, period: head.period },
        { native, kgce, kgco2: kgco2Of(exact) },
        d.exact,
      ),
      exact,
    });
  }
  const exact = {
    kgceMicro: rows.reduce((s, r) => s + r.exact.kgceMicro, 0),
    floorAreaM2Micro: rows.reduce((s, r) => s + r.exact.floorAreaM2Micro, 0),
    occupantsMicro: rows.reduce((s, r) => s + r.exact.occupantsMicro, 0),
    previousKgceMicro: sumMicro(rows.map((r) => r.exact.previousKgceMicro)),
    lastYearKgceMicro: sumMicro(rows.map((r) => r.exact.lastYearKgceMicro)),
    ...sumTotalCostCarbon(
      rows.map((r) => r.exact),
      head.costCarbon === true,
    ),
  };
  const kgce = exact.kgceMicro / MICRO;
  const estimatedKgce = parts.reduce((s, p) => s + p.estimatedKgce, 0);
  const totals: Totals = {
    energies: lines,
    totalKgce: fromMicro(exact.kgceMicro, AMOUNT_DECIMALS),
    ...shownTotalCostCarbon(exact),
    ...d.shown,
    ...intensities(exact),
    ...changes(exact.kgceMicro, exact.previousKgceMicro, exact.lastYearKgceMicro, head.monthly),
    ...quality(rows, estimatedKgce, kgce),
    target: attainment(
      targets,
      { scope: head.scope, energy: 'all', period: head.period },
      { kgce, kgco2: kgco2Of(exact) },
      d.exact,
    ),
    anomalies: rows.reduce((s, r) => s + r.anomalies, 0),
    exact,
  };
  return { scope: head.scope, name: head.name, institutions: rows.length, ...totals };
}

/** kgCO₂ of exact figures, when the report computed it (undefined when `figuresOnly`, null for water). */
export function kgco2Of(exact: { readonly kgco2Micro?: number | null }): number | null | undefined {
  return exact.kgco2Micro === undefined || exact.kgco2Micro === null ? exact.kgco2Micro : exact.kgco2Micro / MICRO;
}

/** Exact cost and kgCO₂ of an energy line summed over lines (a subtotal's); nothing unless `computed`. */
export function sumLineCostCarbon(
  lines: readonly Pick<ExactLine, 'costMicro' | 'kgco2Micro'>[],
  computed: boolean,
): Pick<ExactLine, 'costMicro' | 'kgco2Micro'> {
  if (!computed) return {};
  return {
    costMicro: lines.reduce((s, l) => s + (l.costMicro ?? 0), 0),
    kgco2Micro: sumMicro(lines.map((l) => l.kgco2Micro ?? null)),
  };
}

/** Exact total cost (water included) and kgCO₂ (water has none) of lines or rows; nothing unless `computed`. */
export function sumTotalCostCarbon(
  parts: readonly Pick<ExactLine, 'costMicro' | 'kgco2Micro'>[],
  computed: boolean,
): Pick<ExactTotals, 'costMicro' | 'kgco2Micro'> {
  if (!computed) return {};
  return {
    costMicro: parts.reduce((s, p) => s + (p.costMicro ?? 0), 0),
    kgco2Micro: parts.reduce((s, p) => s + (p.kgco2Micro ?? 0), 0),
  };
}

/** The shown cost (yuan to the fen, as `unit=yuan`) and kgCO₂ of a line, each rounded once; nothing when not computed. */
export function shownLineCostCarbon(exact: ExactLine): Pick<EnergyLine, 'costYuan' | 'kgco2'> {
  if (exact.costMicro === undefined) return {};
  return { costYuan: yuanOfMicro(exact.costMicro), kgco2: fromMicro(exact.kgco2Micro ?? null, AMOUNT_DECIMALS) };
}

/** The shown total cost and kgCO₂ of a row or subtotal, each rounded once; nothing when not computed. */
export function shownTotalCostCarbon(exact: ExactTotals): Pick<Totals, 'totalCostYuan' | 'totalKgco2'> {
  if (exact.costMicro === undefined) return {};
  return { totalCostYuan: yuanOfMicro(exact.costMicro), totalKgco2: fromMicro(exact.kgco2Micro ?? 0, AMOUNT_DECIMALS) };
}

/** Quality of a list of meters' figures (used for rows): the same rule as subtotals. */
export function qualityOf(parts: readonly Quality[], estimated: number, amount: number): Quality {
  return quality(parts, estimated, amount);
}
