import type { Energy } from './energy.js';

/**
 * Typical share of each month in a year's consumption, by energy (January first): electricity
 * peaks with cooling and heating, gas and heat in winter, water is flat. A default seasonal shape
 * for scopes without a year of history; data to refine with local statistics.
 */
export const SEASONAL_SHAPE: Readonly<Partial<Record<Energy | 'all', readonly number[]>>> = Object.freeze({
  electricity: [1.1, 0.95, 0.85, 0.8, 0.9, 1.1, 1.3, 1.3, 1.0, 0.85, 0.85, 1.0],
  gas: [1.8, 1.6, 1.2, 0.8, 0.5, 0.4, 0.4, 0.4, 0.5, 0.8, 1.3, 1.7],
  heat: [2.4, 2.0, 1.2, 0.3, 0, 0, 0, 0, 0, 0.3, 1.6, 2.2],
  water: [0.9, 0.85, 0.95, 1.0, 1.05, 1.1, 1.15, 1.15, 1.05, 1.0, 0.9, 0.9],
  all: [1.2, 1.05, 0.9, 0.8, 0.85, 1.0, 1.2, 1.2, 0.95, 0.85, 0.95, 1.15],
});

/** Month-end forecast: what is used so far plus the remaining hours at the recent hourly rate. */
export function monthEndForecast(toDate: number, remainingHours: number, recentRatePerHour: number): number {
  return toDate + Math.max(0, remainingHours) * Math.max(0, recentRatePerHour);
}

/**
 * Year-end forecast that knows seasons: the months still to come follow last year's months (when a
 * full history exists) or the default seasonal shape, scaled by how this year compares so far.
 *
 * @param actual this year's consumption per month so far (elapsed months; the current one is its month-end forecast)
 * @param lastYear last year's consumption per month (12 values), or undefined without history
 * @param energy for the default shape
 */
export function yearEndForecast(
  actual: readonly number[],
  lastYear: readonly number[] | undefined,
  energy: Energy | 'all',
): { forecast: number; method: 'last-year' | 'seasonal-shape' | 'none' } {
  const known = actual.length;
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  const shape = lastYear !== undefined && sum(lastYear.slice(0, known)) > 0 ? lastYear : SEASONAL_SHAPE[energy];
  const method = shape === lastYear ? 'last-year' : 'seasonal-shape';
  if (shape === undefined || known === 0) return { forecast: sum(actual), method: 'none' };
  const basis = sum(shape.slice(0, known));
  const scale = basis > 0 ? sum(actual) / basis : 0;
  return { forecast: sum(actual) + scale * sum(shape.slice(known, 12)), method };
}
