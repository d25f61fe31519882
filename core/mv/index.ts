/**
 * Measurement and verification of savings (issue 18): baseline models as pure functions of
 * observations (no I/O, no store). The CalTRACK daily model (`fitDailyModel`), the CalTRACK hourly
 * TOWT model (`fitHourlyModel`), their fit statistics and ASHRAE Guideline 14 verdict, and the
 * savings of a reporting period with their fractional savings uncertainty (`savings`).
 */
export { type BaselineFit, baselineFit } from './baseline.js';
export {
  type DailyModel,
  type DailyModelOptions,
  type DailyModelType,
  type DailyObservation,
  type DailySufficiency,
  dailySufficiency,
  fitDailyModel,
  predictDaily,
  type TemperatureDay,
} from './daily-model.js';
export {
  CALTRACK_BALANCE_POINTS_C,
  coolingDegrees,
  type DegreeDays,
  degreeDaysFromHourly,
  degreeDaysFromMean,
  fahrenheitToCelsius,
  heatingDegrees,
} from './degree-days.js';
export {
  fitHourlyModel,
  type HourlyModel,
  type HourlyModelOptions,
  type HourlyObservation,
  type HourlySegment,
  predictHourly,
  type TemperatureHour,
} from './hourly-model.js';
export { fsuFactor, type Savings, type SavingsInput, savings } from './savings.js';
export { dailyFromHourly, type HourRecord, isNormallyNonZero, zeroRunsAsMissing } from './series.js';
export {
  ACCEPTANCE_LIMITS,
  type AcceptanceLimits,
  ashrae14Verdict,
  type FitStatistics,
  fitStatistics,
  type Granularity,
  lag1Autocorrelation,
  type Verdict,
} from './statistics.js';
