/**
 * Degree days: how far a day's outdoor temperature lies below a heating balance point or above a
 * cooling one. CalTRACK's daily methods (section 3.2) compute them from the day's mean
 * temperature; the hourly variant (the mean over the day of hourly degree-hours, CalTRACK issue
 * #120) is here too for callers who want it.
 */

/** °F → °C. */
export function fahrenheitToCelsius(temperatureF: number): number {
  return ((temperatureF - 32) * 5) / 9;
}

/** Heating degrees of one temperature against a base: max(0, base − T), in °C·(period). */
export function heatingDegrees(temperatureC: number, baseC: number): number {
  return Math.max(0, baseC - temperatureC);
}

/** Cooling degrees of one temperature against a base: max(0, T − base), in °C·(period). */
export function coolingDegrees(temperatureC: number, baseC: number): number {
  return Math.max(0, temperatureC - baseC);
}

/** HDD and CDD of a day, in °C·d. */
export interface DegreeDays {
  readonly hddC: number;
  readonly cddC: number;
}

/** Degree days of one day from its mean temperature (CalTRACK daily). */
export function degreeDaysFromMean(meanTemperatureC: number, heatingBaseC: number, coolingBaseC: number): DegreeDays {
  return {
    hddC: heatingDegrees(meanTemperatureC, heatingBaseC),
    cddC: coolingDegrees(meanTemperatureC, coolingBaseC),
  };
}

/**
 * Degree days of one day from its hourly temperatures: the mean of the hourly degree-hours, so a
 * cold night counts on a mild day. NaN without any hour.
 */
export function degreeDaysFromHourly(
  hourlyTemperaturesC: readonly number[],
  heatingBaseC: number,
  coolingBaseC: number,
): DegreeDays {
  if (hourlyTemperaturesC.length === 0) return { hddC: Number.NaN, cddC: Number.NaN };
  let h = 0;
  let c = 0;
  for (const t of hourlyTemperaturesC) {
    h += heatingDegrees(t, heatingBaseC);
    c += coolingDegrees(t, coolingBaseC);
  }
  return { hddC: h / hourlyTemperaturesC.length, cddC: c / hourlyTemperaturesC.length };
}

/**
 * The balance points CalTRACK 2.0 searches, for heating and cooling alike: every whole degree
 * Fahrenheit from 30 °F to 90 °F (CalTRACK issue #72), here in °C (−1.1 °C to 32.2 °C).
 */
export const CALTRACK_BALANCE_POINTS_C: readonly number[] = Object.freeze(
  Array.from({ length: 61 }, (_, i) => fahrenheitToCelsius(30 + i)),
);
