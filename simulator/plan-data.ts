/**
 * Sizes of the events the scenario planner injects. Plausible for the demo, not measured: kept as
 * data so that they can be read and changed in one place.
 */

/** Durations of events, hours, [min, max]: gateways drop out for hours, loggers buffer half a day, leaks run for days. */
export const EVENT_HOURS = {
  gap: [1, 6],
  duplicate: [0.5, 3],
  'late-upload': [1, 12],
  offline: [1, 24],
  'clock-skew': [6, 72],
  spike: [1, 4],
  stuck: [6, 72],
  leak: [48, 240],
} as const satisfies Record<string, readonly [number, number]>;

/** Length of an after-hours anomaly, whole local days, [min, max]. */
export const AFTER_HOURS_DAYS: readonly [number, number] = [3, 14];

/** Extra consumption as a multiple of the meter's mean hourly consumption, [min, max]. */
export const EXTRA_OF_MEAN = {
  spike: [4, 10],
  step: [0.15, 0.4],
  leak: [0.05, 0.3],
  'after-hours': [0.4, 1],
} as const satisfies Record<string, readonly [number, number]>;

/** Consumption factor of a month over target, [min, max] (1.3 = 30 % over). */
export const MONTH_FACTOR: readonly [number, number] = [1.15, 1.4];

/** Clock skew of a gateway, seconds, [min, max], either way. */
export const SKEW_S: readonly [number, number] = [10, 600];

/** Register of a new meter at its replacement, register units, [min, max]. */
export const NEW_INITIAL: readonly [number, number] = [0, 30];

/** Copies of each reading a duplicate span sends. */
export const DUPLICATE_COPIES = 2;

/** Tries to place one event before it is dropped. */
export const PLACEMENT_TRIES = 5;
