/**
 * The daily model of a weather normalisation (issue 18, item 4), fitted the CalTRACK way
 * (`fitDailyModel`) with a cheaper balance-point search for districts and the city, where one
 * model per institution is fitted on request: the exhaustive HDD+CDD grid (61 × 61 / 2 pairs,
 * ~110 ms a year on a quiet bench machine) is replaced by single slopes on every other grid point
 * (2 °F apart), then every candidate (single or pair) within ±2 °F of the best ones (~10 ms).
 * Heating fuels have no cooling term either way (~2 ms staged, ~4 ms full).
 */
import type { Energy } from '../domain/energy.js';
import { type DailyModel, type DailyObservation, fitDailyModel } from './daily-model.js';
import { CALTRACK_BALANCE_POINTS_C } from './degree-days.js';
import { fitsCooling } from './project.js';

/** How balance points are searched: CalTRACK's full grid, or staged (single slopes, then pairs near them). */
export type BalancePointSearch = 'full' | 'staged';

/** Every other point of CalTRACK's grid (2 °F apart): where single slopes are searched first. */
const COARSE_GRID_C = CALTRACK_BALANCE_POINTS_C.filter((_, i) => i % 2 === 0);

/** Grid steps (1 °F each) either side of a single-slope balance point where pairs are tried. */
const NEIGHBOURHOOD_STEPS = 2;

/** The grid points within `NEIGHBOURHOOD_STEPS` of `pointC`. */
function near(pointC: number): number[] {
  const i = CALTRACK_BALANCE_POINTS_C.findIndex((p) => Math.abs(p - pointC) < 1e-9);
  if (i < 0) return [pointC];
  return CALTRACK_BALANCE_POINTS_C.slice(Math.max(0, i - NEIGHBOURHOOD_STEPS), i + NEIGHBOURHOOD_STEPS + 1);
}

/**
 * Fits the daily model of one scope and energy on its usable days. `staged` fits HDD-only and
 * CDD-only on the coarse grid, then every candidate around their balance points, and keeps the
 * highest adjusted R² of the three fits; `full` is `fitDailyModel` as savings projects use it.
 */
export function fitNormalizeModel(
  days: readonly DailyObservation[],
  energy: Energy,
  search: BalancePointSearch = 'full',
): DailyModel {
  const cooling = fitsCooling(energy);
  if (search === 'full') return fitDailyModel(days, { fitCooling: cooling });
  const fits = [fitDailyModel(days, { fitCooling: false, heatingBalancePointsC: COARSE_GRID_C })];
  if (cooling)
    fits.push(
      fitDailyModel(days, { fitCooling: true, heatingBalancePointsC: [], coolingBalancePointsC: COARSE_GRID_C }),
    );
  const heatingC = fits[0]?.heatingBalanceC;
  const coolingC = fits[1]?.coolingBalanceC;
  if (heatingC !== undefined || coolingC !== undefined)
    fits.push(
      fitDailyModel(days, {
        fitCooling: cooling,
        heatingBalancePointsC: heatingC === undefined ? COARSE_GRID_C : near(heatingC),
        coolingBalancePointsC: coolingC === undefined ? COARSE_GRID_C : near(coolingC),
      }),
    );
  // On a tie the refined fit wins: it holds the coarse winner and, like the full search, keeps the
  // lowest balance point of equal fits (two points no day's temperature lies between fit alike).
  return fits.reduce((best, f) => (f.adjustedR2 >= best.adjustedR2 ? f : best));
}
