import type { Logger } from 'pino';
import { type AnomalyEvent, anomalyId } from '../core/domain/anomalies.js';
import { readingsTopic } from '../core/domain/topics.js';
import type { Metrics } from '../core/metrics.js';
import type { RegistryHolder } from '../core/registry-holder.js';
import type { DeadLetter, Store, StoredReading } from '../core/storage/store.js';
import { errorMessage, type MeterFailure } from './isolate.js';

/** The dead-letter code and anomaly type of quarantined readings. */
export const STORE_FAILED = 'store_failed';

const DAY_MS = 86_400_000;

/** A reading as the gateway could have sent it, so that `pipeline.submit` can take it again. */
export function readingJson(r: Pick<StoredReading, 'meterId' | 'tsMs' | 'value'>): string {
  return JSON.stringify({ meter: r.meterId, ts: r.tsMs, value: r.value });
}

/**
 * One dead letter per reading of a meter whose store write failed: durable, so the reading's
 * message can be acknowledged, and retriable (`POST /api/v1/dead-letters/{id}/retry` submits `raw`
 * on `topic` for `gatewayId` again).
 */
export function quarantineLetters(readings: readonly StoredReading[], error: unknown): DeadLetter[] {
  const reason = `${STORE_FAILED}: ${errorMessage(error)}`;
  return readings.map((r) => ({
    code: STORE_FAILED,
    reason,
    receivedAtMs: r.receivedAtMs,
    gatewayId: r.gatewayId,
    topic: readingsTopic(r.gatewayId),
    meterId: r.meterId,
    tsMs: r.tsMs,
    raw: readingJson(r),
  }));
}

/** The dead letter of a write-ahead log record that cannot be decoded: its bytes, base64. */
export function undecodableRecordLetter(seq: number, payload: Buffer, error: unknown, nowMs: number): DeadLetter {
  return {
    code: STORE_FAILED,
    reason: `${STORE_FAILED}: write-ahead log record ${seq} cannot be decoded: ${errorMessage(error)}`,
    receivedAtMs: nowMs,
    raw: payload.toString('base64'),
  };
}

/**
 * The data-quality anomaly of a meter with quarantined readings: one per meter and UTC day of
 * failure (a deterministic id, so repeated failures update it), spanning that day to the last failure.
 */
export function storeFailedAnomaly(
  meterId: string,
  energy: string,
  readings: readonly StoredReading[],
  error: unknown,
  nowMs: number,
): AnomalyEvent {
  const scope = `meter:${meterId}`;
  const startMs = Math.floor(nowMs / DAY_MS) * DAY_MS;
  let fromTsMs = Number.POSITIVE_INFINITY;
  let toTsMs = Number.NEGATIVE_INFINITY;
  for (const r of readings) {
    if (r.tsMs < fromTsMs) fromTsMs = r.tsMs;
    if (r.tsMs > toTsMs) toTsMs = r.tsMs;
  }
  return {
    id: anomalyId(STORE_FAILED, scope, startMs),
    type: STORE_FAILED,
    scope,
    energy,
    startMs,
    endMs: Math.max(nowMs, startMs + 1),
    severity: 'high',
    evidence: { readings: readings.length, fromTsMs, toTsMs, error: errorMessage(error) },
    wastedNative: 0,
    wastedKgce: 0,
    status: 'open',
    detectedAtMs: nowMs,
  };
}

/**
 * Makes quarantined meters visible once their dead letters are written: counts their readings,
 * logs once per meter (not per reading) and raises a `store_failed` anomaly for each.
 */
export async function reportQuarantine(
  deps: {
    readonly metrics: Metrics;
    readonly logger: Logger;
    readonly registry: RegistryHolder;
    readonly store: Store;
  },
  failed: readonly MeterFailure[],
  nowMs: number,
): Promise<void> {
  const { metrics, logger, registry, store } = deps;
  const anomalies = failed.map((f) => {
    metrics.readingsQuarantined.inc(f.readings.length);
    metrics.readingsRejected.inc({ reason: STORE_FAILED }, f.readings.length);
    logger.warn(
      { meterId: f.meterId, readings: f.readings.length, err: f.error },
      'readings quarantined: storing their meter failed (dead letters with code store_failed)',
    );
    return storeFailedAnomaly(f.meterId, registry.meter(f.meterId)?.energy ?? 'all', f.readings, f.error, nowMs);
  });
  try {
    const fresh = await store.upsertAnomalies(anomalies);
    if (fresh.length > 0) metrics.anomaliesDetected.inc({ type: STORE_FAILED }, fresh.length);
  } catch (error) {
    // The readings are safe in the dead letters; the anomaly only makes them visible.
    logger.error({ err: error }, 'recording the store_failed anomaly failed');
  }
}
