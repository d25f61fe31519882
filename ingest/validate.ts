import type { MeterEventInput } from '../core/domain/meter-events.js';
import { parseReadingsPayload, type Reading } from '../core/domain/reading.js';
import { type Meter, meterKind } from '../core/domain/registry.js';
import type { RejectReason } from '../core/metrics.js';
import type { RegistryHolder } from '../core/registry-holder.js';

/** A reading refused at validation, with the reason and its metric label. */
export interface Rejection {
  readonly label: RejectReason;
  readonly reason: string;
  readonly raw: string;
  readonly meterId?: string;
  readonly tsMs?: number;
  /** How many items this rejection stands for when it summarises several (`too_many_readings`); 1 when absent. */
  readonly count?: number;
}

/** Outcome of validating one readings message from a gateway. */
export interface ValidatedMessage {
  readonly readings: Reading[];
  readonly rejections: Rejection[];
}

/** The bounds a message is checked against. */
export interface ValidateOptions {
  /** The receiving instant, epoch ms. */
  readonly nowMs: number;
  /** Readings stamped later than `nowMs` + this are refused (gateway clock skew), in ms. */
  readonly clockSkewMaxMs: number;
  /**
   * Readings of a meter without `installedAt` stamped before this are refused, epoch ms
   * (READINGS_EARLIEST). Default DEFAULT_READINGS_EARLIEST_MS.
   */
  readonly readingsEarliestMs?: number;
  /** Items of one message taken at most (MQTT_MAX_READINGS_PER_MESSAGE). Default DEFAULT_MAX_READINGS_PER_MESSAGE. */
  readonly maxReadings?: number;
  /** When a meter was decommissioned, epoch ms; later readings are refused. */
  readonly decommissionedAt?: (meterId: string) => number | undefined;
}

/** The limits of ingest a reading is checked against (options of the pipeline). */
export interface IngestLimits {
  readonly clockSkewMaxMs: number;
  readonly readingsEarliestMs?: number;
  readonly maxReadingsPerMessage?: number;
}

/** The bounds at `nowMs` from the pipeline's limits and each meter's lifecycle events (its decommission). */
export function validateOptions(
  limits: IngestLimits,
  eventsOf: (meterId: string) => readonly MeterEventInput[],
  nowMs: number,
): ValidateOptions {
  const { clockSkewMaxMs, readingsEarliestMs, maxReadingsPerMessage } = limits;
  return {
    nowMs,
    clockSkewMaxMs,
    decommissionedAt: (meterId) => eventsOf(meterId).find((e) => e.type === 'decommission')?.ts,
    ...(readingsEarliestMs === undefined ? {} : { readingsEarliestMs }),
    ...(maxReadingsPerMessage === undefined ? {} : { maxReadings: maxReadingsPerMessage }),
  };
}

/** Earliest reading instant when none is given: 2000-01-01T00:00:00Z, the default of READINGS_EARLIEST. */
export const DEFAULT_READINGS_EARLIEST_MS = Date.UTC(2000, 0, 1);

/** Items of one message taken when no limit is given: 5,000, the default of MQTT_MAX_READINGS_PER_MESSAGE. */
export const DEFAULT_MAX_READINGS_PER_MESSAGE = 5000;

/** READINGS_EARLIEST (a `YYYY-MM-DD` day, UTC) as epoch ms. */
export function readingsEarliestMs(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Why a reading of a known meter is refused, with its metric label. */
export interface ReadingProblem {
  readonly label: RejectReason;
  readonly reason: string;
}

/**
 * Why a reading of a meter is refused, if it is: stamped more than the clock-skew bound into the
 * future, before the meter's installation (or READINGS_EARLIEST when it has none), after its
 * decommission, or holding a register its modulus does not allow. One rule for gateway messages
 * and manual entries (ingest/manual.ts).
 */
export function readingProblem(
  meter: Meter,
  reading: Pick<Reading, 'tsMs' | 'value'>,
  options: ValidateOptions,
): ReadingProblem | undefined {
  const { nowMs, clockSkewMaxMs } = options;
  const earliestMs = options.readingsEarliestMs ?? DEFAULT_READINGS_EARLIEST_MS;
  const installedMs = meter.installedAt === undefined ? undefined : Date.parse(meter.installedAt);
  const modulus = meter.registerModulus;
  const decommissionedMs = options.decommissionedAt?.(meter.id);
  if (reading.tsMs > nowMs + clockSkewMaxMs) {
    return {
      label: 'future_timestamp',
      reason: `timestamp ${iso(reading.tsMs)} is more than ${clockSkewMaxMs / 1000} s in the future`,
    };
  }
  if (installedMs !== undefined && reading.tsMs < installedMs) {
    return {
      label: 'before_installation',
      reason: `timestamp ${iso(reading.tsMs)} is before the meter's installation (${meter.installedAt})`,
    };
  }
  if (installedMs === undefined && reading.tsMs < earliestMs) {
    // A gateway whose clock reset stamps 1970: its interval to the next reading spans decades.
    return {
      label: 'too_early',
      reason: `timestamp ${iso(reading.tsMs)} is before the earliest accepted ${iso(earliestMs)}`,
    };
  }
  if (decommissionedMs !== undefined && reading.tsMs > decommissionedMs) {
    return { label: 'decommissioned', reason: `meter "${meter.id}" is decommissioned since ${iso(decommissionedMs)}` };
  }
  if (modulus !== undefined && reading.value > modulus) {
    return { label: 'out_of_range', reason: `register ${reading.value} is above the meter's modulus ${modulus}` };
  }
  if (modulus !== undefined && (meter.direction ?? 'import') === 'import' && reading.value < 0) {
    return { label: 'out_of_range', reason: `register ${reading.value} is negative on an import meter with a modulus` };
  }
  return undefined;
}

/**
 * Parses a gateway's readings message and checks every reading against the registry: the meter
 * must exist and belong to this gateway, and pass `readingProblem`. Never throws: every item ends
 * up accepted or rejected.
 */
export function validateMessage(
  registry: RegistryHolder,
  gatewayId: string,
  payload: string,
  options: ValidateOptions,
): ValidatedMessage {
  const parsed = parseReadingsPayload(payload, {
    maxReadings: options.maxReadings ?? DEFAULT_MAX_READINGS_PER_MESSAGE,
  });
  const rejections: Rejection[] = [...parsed.rejects];
  const readings: Reading[] = [];
  for (const reading of parsed.readings) {
    const meter = registry.meter(reading.meterId);
    const reject = (label: RejectReason, reason: string) =>
      rejections.push({
        label,
        reason,
        raw: JSON.stringify({ meter: reading.meterId, ts: reading.tsMs, value: reading.value }),
        meterId: reading.meterId,
        tsMs: reading.tsMs,
      });
    const problem = meter === undefined ? undefined : readingProblem(meter, reading, options);
    if (meter === undefined) {
      reject('unknown_meter', `unknown meter "${reading.meterId}"`);
    } else if (meter.gatewayId !== gatewayId) {
      // A manual or virtual meter has no gateway: no gateway may publish for it (issue 15, item 5).
      const why = meter.gatewayId === undefined ? `: it is a ${meterKind(meter)} meter, without a gateway` : '';
      reject('foreign_meter', `meter "${reading.meterId}" is not assigned to gateway "${gatewayId}"${why}`);
    } else if (problem !== undefined) {
      reject(problem.label, problem.reason);
    } else {
      readings.push(reading);
    }
  }
  return { readings, rejections };
}
