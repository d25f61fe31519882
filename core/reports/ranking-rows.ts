import { groupBy } from '../collections.js';
import { type CoefficientTable, ENERGY_INFO, type Energy } from '../domain/energy.js';
import { type Fact, institutionDenominators, periodSoFar } from '../domain/facts.js';
import type { InstitutionType } from '../domain/registry.js';
import { formatScope } from '../domain/scope.js';
import { institutionsInScope } from './assemble.js';
import { type EnergyFigureInputs, visitEnergyFigures } from './energy-figures.js';
import { AMOUNT_DECIMALS, fromMicro, roundTo, toMicro } from './model.js';

/** An energy line as a ranking reads it: its kgce, shown and exact. */
export interface RankableLine {
  readonly energy: Energy;
  readonly kgce: number;
  readonly exact: { readonly kgceMicro: number };
}

/**
 * An institution as a ranking reads it: the figures of a report row (`InstitutionRow`) it ranks
 * by, computed as the report computes them.
 */
export interface RankableRow {
  readonly institutionId: string;
  readonly name: string;
  readonly districtId: string;
  readonly type: InstitutionType;
  readonly totalKgce: number;
  readonly completeness: number | null;
  readonly energies: readonly RankableLine[];
  readonly exact: {
    readonly kgceMicro: number;
    readonly floorAreaM2Micro: number;
    readonly occupantsMicro: number;
  };
}

/** What a ranking is made of: a report (`ReportModel`) or `rankingReport`'s figures. */
export interface RankableReport {
  readonly period: string;
  readonly scope: string;
  readonly institutions: readonly RankableRow[];
}

/** What the rows of a ranking are computed from: a figures-only report's inputs without targets or anomalies. */
export interface RankingInputs extends EnergyFigureInputs {
  readonly period: EnergyFigureInputs['period'] & { readonly period: string };
  readonly timeZone: string;
  readonly coefficients: CoefficientTable;
  /** Effective-dated floor areas and occupants (none: the registry's values hold throughout). */
  readonly facts?: readonly Fact[];
}

const ENERGY_ORDER = Object.keys(ENERGY_INFO) as Energy[];
const ORDER_OF = Object.fromEntries(ENERGY_ORDER.map((e, k) => [e, k])) as Record<Energy, number>;

/**
 * The rows a ranking reads, exactly as `assembleReport` computes them (same figures, same order,
 * each rounded once from exact micro-units), without what it does not read: changes, targets,
 * cost, quality per line, subtotals. A city's ranking is then one pass over its institutions
 * (issue 19). Pure.
 */
export function rankingRows(inputs: RankingInputs): RankableReport {
  const { registry, scope, period, coefficients: table } = inputs;
  // Per institution, in one pass over its figures: readings expected and received, each energy's amount.
  const sums = new Map<string, FigureSums>();
  let last: FigureSums | undefined;
  let lastId: string | undefined;
  visitEnergyFigures(inputs, (institutionId, energy, amountMicro, _estimated, _meters, expected, received) => {
    if (institutionId !== lastId) {
      last = sums.get(institutionId);
      if (last === undefined) {
        last = { expected: 0, received: 0, present: 0, amounts: new Array<number>(ENERGY_ORDER.length).fill(0) };
        sums.set(institutionId, last);
      }
      lastId = institutionId;
    }
    const s = last as FigureSums;
    s.expected += expected;
    s.received += received;
    const k = ORDER_OF[energy];
    s.present |= 1 << k;
    s.amounts[k] = (s.amounts[k] as number) + amountMicro;
  });
  const factsOf = groupBy(inputs.facts ?? [], (f) => f.scope);
  const range = periodSoFar(period, inputs.nowMs);
  const institutions = institutionsInScope(registry, scope).map((inst): RankableRow => {
    const s = sums.get(inst.id);
    const energies: RankableLine[] = [];
    let kgceMicro = 0;
    for (let k = 0; s !== undefined && k < ENERGY_ORDER.length; k++) {
      if ((s.present & (1 << k)) === 0) continue;
      const energy = ENERGY_ORDER[k] as Energy;
      const lineKgceMicro = Math.round((s.amounts[k] as number) * table.kgcePerUnit[energy]);
      if (ENERGY_INFO[energy].countsAsEnergy) kgceMicro += lineKgceMicro;
      energies.push({ energy, kgce: fromMicro(lineKgceMicro, AMOUNT_DECIMALS), exact: { kgceMicro: lineKgceMicro } });
    }
    const expected = s?.expected ?? 0;
    const received = s?.received ?? 0;
    const facts = factsOf.size === 0 ? undefined : factsOf.get(`institution:${inst.id}`);
    const w = facts === undefined ? inst : institutionDenominators(inst, facts, range, inputs.timeZone);
    return {
      institutionId: inst.id,
      name: inst.name,
      districtId: inst.districtId,
      type: inst.type,
      totalKgce: fromMicro(kgceMicro, AMOUNT_DECIMALS),
      completeness: expected > 0 ? roundTo(Math.min(1, received / expected), 4) : null,
      energies,
      exact: { kgceMicro, floorAreaM2Micro: toMicro(w.floorAreaM2), occupantsMicro: toMicro(w.occupants) },
    };
  });
  return { period: period.period, scope: formatScope(scope), institutions };
}

/** An institution's figures summed: readings expected and received, and amounts by energy (bit k of `present`: `ENERGY_ORDER[k]` metered). */
interface FigureSums {
  expected: number;
  received: number;
  present: number;
  readonly amounts: number[];
}
