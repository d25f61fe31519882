import { parseReadingsPayload, type Reading } from '../core/domain/reading.js';
import type { RejectReason } from '../core/metrics.js';
import type { RegistryHolder } from '../core/registry-holder.js';

/** A reading refused at validation, with the reason and its metric label. */
export interface Rejection {
  readonly label: RejectReason;
  readonly reason: string;
  readonly raw: string;
  readonly meterId?: string;
  readonly tsMs?: number;
}

/** Outcome of validating one readings message from a gateway. */
export interface ValidatedMessage {
  readonly readings: Reading[];
  readonly rejections: Rejection[];
}

/**
 * Parses a gateway's readings message and checks every reading against the registry: the meter
 * must exist, belong to this gateway, and be stamped between its installation (or decommission)
 * and the clock-skew bound into the future.
 */
export function validateMessage(
  registry: RegistryHolder,
  gatewayId: string,
  payload: string,
  nowMs: number,
  clockSkewMaxMs: number,
  decommissionedAt: (meterId: string) => number | undefined = () => undefined,
): ValidatedMessage {
  const parsed = parseReadingsPayload(payload);
  const rejections: Rejection[] = parsed.rejects.map((r) => ({
    label: r.reason.startsWith('payload') || r.reason.startsWith('readings:') ? 'invalid_payload' : 'invalid_reading',
    ...r,
  }));
  const readings: Reading[] = [];
  for (const reading of parsed.readings) {
    const meter = registry.meter(reading.meterId);
    const raw = () => JSON.stringify({ meter: reading.meterId, ts: reading.tsMs, value: reading.value });
    const base = { meterId: reading.meterId, tsMs: reading.tsMs };
    if (meter === undefined) {
      rejections.push({ label: 'unknown_meter', reason: `unknown meter "${reading.meterId}"`, raw: raw(), ...base });
    } else if (meter.gatewayId !== gatewayId) {
      rejections.push({
        label: 'foreign_meter',
        reason: `meter "${reading.meterId}" is not assigned to gateway "${gatewayId}"`,
        raw: raw(),
        ...base,
      });
    } else if (reading.tsMs > nowMs + clockSkewMaxMs) {
      rejections.push({
        label: 'future_timestamp',
        reason: `timestamp ${new Date(reading.tsMs).toISOString()} is more than ${clockSkewMaxMs / 1000} s in the future`,
        raw: raw(),
        ...base,
      });
    } else if (meter.installedAt !== undefined && reading.tsMs < Date.parse(meter.installedAt)) {
      rejections.push({
        label: 'before_installation',
        reason: `timestamp ${new Date(reading.tsMs).toISOString()} is before the meter's installation (${meter.installedAt})`,
        raw: raw(),
        ...base,
      });
    } else if (reading.tsMs > (decommissionedAt(meter.id) ?? Number.POSITIVE_INFINITY)) {
      rejections.push({
        label: 'decommissioned',
        reason: `meter "${meter.id}" is decommissioned since ${new Date(decommissionedAt(meter.id) ?? 0).toISOString()}`,
        raw: raw(),
        ...base,
      });
    } else {
      readings.push(reading);
    }
  }
  return { readings, rejections };
}
