/**
 * Anomaly detectors (issue "Targets, budgets and anomaly detection that officers can act on"):
 * small pure functions, one per anomaly type, each scored separately by bench/anomalies.
 */
export { AFTER_HOURS_DEFAULTS, type AfterHoursOptions, detectAfterHours } from './after-hours.js';
export { CONTINUOUS_DEFAULTS, type ContinuousOptions, detectContinuous } from './continuous.js';
export { detectFlat, FLAT_DEFAULTS, type FlatOptions } from './flat.js';
export { detectImplausible, IMPLAUSIBLE_DEFAULTS, type ImplausibleOptions } from './implausible.js';
export { detectLeak, LEAK_DEFAULTS, type LeakOptions } from './leak.js';
export { type LocalDay, localDayOf, localDays } from './local-days.js';
export { detectOffline, type MeterReportState, OFFLINE_DEFAULTS, type OfflineOptions } from './offline.js';
export {
  detectOverTarget,
  forecastMonth,
  type MonthForecast,
  type MonthTarget,
  OVER_TARGET_DEFAULTS,
  type OverTargetOptions,
} from './over-target.js';
export { detectSpikes, SPIKE_DEFAULTS, type SpikeOptions } from './spike.js';
export { mad, median, quantile, robustBand } from './stats.js';
export { detectStep, STEP_DEFAULTS, type StepOptions } from './step.js';
export * from './types.js';
export {
  detectWeatherBaseline,
  predictionHalfWidth,
  WEATHER_BASELINE_DEFAULTS,
  type WeatherBaselineOptions,
  type WeatherDay,
  weatherBaselineUsable,
} from './weather-baseline.js';
export { CN_HOLIDAYS, type HolidayTable, type HolidayYear, makeIsWorkday } from './workdays.js';
