/**
 * Types shared by the anomaly detectors (issue "Targets, budgets and anomaly detection that
 * officers can act on"). Every detector is a pure function: a series (or meter states), a context
 * and options in, candidates out. Amounts are in the energy's native unit (kWh, m3, GJ, …).
 */
import type { Energy } from '../energy.js';

/** What kind of anomaly a candidate reports (DOMAIN.md, "Targets and anomalies"). */
export type AnomalyType =
  | 'over_target'
  | 'after_hours'
  | 'spike'
  | 'offline'
  | 'flat'
  | 'continuous'
  | 'implausible'
  | 'leak'
  | 'step'
  /** A day's use above what its weather explains: its stored baseline model's prediction interval (issue 18, item 4). */
  | 'weather_baseline'
  /** A parent meter and its sub-meters disagree (总分表不平衡); found from stored sums, not a series. */
  | 'imbalance';

/** Every anomaly type, in a stable order (for tables and loops). */
export const ANOMALY_TYPES: readonly AnomalyType[] = [
  'over_target',
  'after_hours',
  'spike',
  'offline',
  'flat',
  'continuous',
  'implausible',
  'leak',
  'step',
  'weather_baseline',
  'imbalance',
];

/** Quality of an hour of derived consumption (same values as the counter rules'). */
export type HourQuality = 'good' | 'estimated' | 'suspect' | 'missing';

/**
 * One hour of consumption of one meter, or of one institution and energy (the sum of its meters),
 * in the native unit. A series is sorted by `hourStartMs`; hours may be absent (no data).
 */
export interface HourPoint {
  /** Start of the hour, epoch ms (hours are UTC-aligned, so local hours in whole-hour zones). */
  readonly hourStartMs: number;
  /** Consumption in the hour, native unit. */
  readonly amount: number;
  /** Worst quality of the hour; detectors use only `good` and `estimated` hours as evidence. */
  readonly quality: HourQuality;
  /** Register readings received in the hour. */
  readonly readings: number;
}

/** How urgently an officer should look at a candidate. */
export type Severity = 'low' | 'medium' | 'high';

/**
 * The numbers behind a candidate, so that an officer can check it: what was observed, what was
 * expected and the band around it, in `unit`, and how much history the expectation rests on.
 */
export interface AnomalyEvidence {
  /** The observed value (a rate, a total or a count: see `unit`). */
  readonly observed: number;
  /** The expected value from the scope's own history (or the target). */
  readonly expected: number;
  /** Lower edge of the normal band. */
  readonly bandLow: number;
  /** Upper edge of the normal band; an observation above it is anomalous. */
  readonly bandHigh: number;
  /** Unit of observed/expected/band, e.g. `kWh/h`, `kWh`, `m3/h`, `h`, `intervals`. */
  readonly unit: string;
  /** Days of usable history the expectation rests on. */
  readonly historyDays: number;
  /** A remark, e.g. `insufficient history`. */
  readonly note?: string;
  /** Detector-specific figures (forecast, target, hours, …). */
  readonly [k: string]: number | string | undefined;
}

/** One detected anomaly: what, where, when, how bad, why, and the energy it wasted. */
export interface AnomalyCandidate {
  readonly type: AnomalyType;
  /** `meter:ID` or `institution:ID` (the scope text of scope.ts). */
  readonly scope: string;
  readonly energy: Energy;
  /** Span of the anomaly, epoch ms, half-open `[startMs, endMs)`. */
  readonly startMs: number;
  readonly endMs: number;
  readonly severity: Severity;
  readonly evidence: AnomalyEvidence;
  /** Estimated wasted energy, native unit, ≥ 0 (0 for data problems: offline, flat, implausible). */
  readonly wastedNative: number;
}

/** What every detector needs to know about the calendar and the present. */
export interface DetectorContext {
  /** IANA zone of the tenant's local hours and days, e.g. `Asia/Shanghai`. */
  readonly timeZone: string;
  /** The present, epoch ms: nothing at or after it is data yet. */
  readonly nowMs: number;
  /** Whether a local day (given by its local midnight) is a working day: not a weekend nor a holiday. */
  readonly isWorkday: (localDayStartMs: number) => boolean;
}

/** The subject of a series: its scope text and energy, copied into every candidate. */
export interface SeriesSubject {
  /** `meter:ID` or `institution:ID`. */
  readonly scope: string;
  readonly energy: Energy;
}

/** The note of a candidate raised on too little history (DOMAIN.md: say so rather than guess). */
export const INSUFFICIENT_HISTORY = 'insufficient history';
