import type { Logger } from 'pino';
import type { MetadataStore } from '../store.js';
import type { RefusedPoint } from './outbox.js';

/** Dead-letters points InfluxDB refused as bad data, with its message. */
export async function refuse(
  meta: MetadataStore,
  points: readonly RefusedPoint[],
  opts: { readonly logger?: Logger; readonly onRefusedReadings?: (count: number) => void },
): Promise<void> {
  const nowMs = Date.now();
  const readings = points.filter((p) => p.reading !== undefined).length;
  opts.logger?.warn({ points: points.length, message: points[0]?.message }, 'InfluxDB refused points as bad data');
  await meta.addDeadLetters(
    points.map((p) => {
      const r = p.reading;
      if (r === undefined)
        return { receivedAtMs: nowMs, reason: `InfluxDB refused a point: ${p.message}`, raw: p.line };
      return {
        receivedAtMs: r.receivedAtMs,
        reason: `InfluxDB refused the reading: ${p.message}`,
        raw: JSON.stringify({ meter: r.meterId, ts: r.tsMs, value: r.value }),
        gatewayId: r.gatewayId,
        meterId: r.meterId,
        tsMs: r.tsMs,
      };
    }),
  );
  if (readings > 0) opts.onRefusedReadings?.(readings);
}
