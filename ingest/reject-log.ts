import type { Logger } from 'pino';

/** Warning lines about rejected readings one gateway may cause per window (the rest are counted, not logged). */
export const REJECT_LOG_LINES_PER_WINDOW = 20;
/** The window of `REJECT_LOG_LINES_PER_WINDOW`, in ms. */
export const REJECT_LOG_WINDOW_MS = 60_000;

/** Most gateways whose windows are remembered (a flood of unknown ones cannot grow this). */
const MAX_KEYS = 10_000;

interface Window {
  startMs: number;
  logged: number;
  suppressed: number;
}

/**
 * Samples the warnings about rejected readings: a hostile message of 5,000 junk items, or a flood
 * of them, must not write megabytes of log (issue "No device can stop ingest"). Every rejection
 * is still counted in the metrics and kept as a dead letter; the log gets the first lines of each
 * gateway per window and then one line saying how many were left out.
 */
export class RejectLog {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly logger: Logger) {}

  /** Logs one rejection of `gatewayId` (or of no gateway) unless its window is spent. */
  warn(gatewayId: string | undefined, fields: Record<string, unknown>, nowMs: number): void {
    const key = gatewayId ?? '';
    let w = this.windows.get(key);
    if (w !== undefined && nowMs - w.startMs >= REJECT_LOG_WINDOW_MS) {
      if (w.suppressed > 0)
        this.logger.warn(
          { gatewayId, suppressed: w.suppressed, windowMs: REJECT_LOG_WINDOW_MS },
          'rejected readings not logged (log sampled; every one is in the dead letters and the metrics)',
        );
      this.windows.delete(key);
      w = undefined;
    }
    if (w === undefined) {
      if (this.windows.size >= MAX_KEYS) this.windows.delete(this.windows.keys().next().value as string);
      w = { startMs: nowMs, logged: 0, suppressed: 0 };
      this.windows.set(key, w);
    }
    if (w.logged < REJECT_LOG_LINES_PER_WINDOW) {
      w.logged++;
      this.logger.warn({ gatewayId, ...fields }, 'reading rejected');
    } else w.suppressed++;
  }
}
