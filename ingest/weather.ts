import type { Logger } from 'pino';
import { validateWeatherMessage } from '../core/domain/weather-input.js';
import type { RejectReason } from '../core/metrics.js';
import type { RegistryHolder } from '../core/registry-holder.js';
import type { WeatherStore } from '../core/storage/store.js';
import type { Rejection } from './validate.js';

/** Options of weather ingest. */
export interface WeatherIngestOptions {
  readonly store: WeatherStore;
  readonly registry: RegistryHolder;
  /** Where refused messages and observations go: the pipeline's dead letters (`IngestPipeline.reject`). */
  readonly reject: (
    rejections: readonly Rejection[],
    where: { gatewayId?: string; topic?: string; receivedAtMs: number },
  ) => void;
  readonly logger: Logger;
  /** Observations stamped later than now + this are refused (gateway clock skew), in ms. */
  readonly clockSkewMaxMs: number;
  readonly now?: () => number;
}

/**
 * Weather observations over MQTT (issue 18, item 1): `jieneng/v1/{gatewayId}/weather` with
 * `{"stationId","observations":[{ts,temperatureC}]}` from a gateway the station's `gatewayIds`
 * allow. Beside the readings pipeline, never in it: a weather message cannot hold up meter
 * readings, and nothing about it throws: a message for an unknown station or from a gateway not
 * allowed, garbage, a bad observation, even a failed store write, becomes a dead letter with its
 * reason, while the good observations beside a bad one are stored.
 */
export class WeatherIngest {
  private readonly now: () => number;

  constructor(private readonly opts: WeatherIngestOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Validates and stores one weather message of a gateway; resolves once its observations are stored. */
  async submit(gatewayId: string, topic: string, payload: string): Promise<void> {
    const receivedAtMs = this.now();
    const where = { gatewayId, topic, receivedAtMs };
    const stations = this.opts.registry.get().weatherStations ?? [];
    let checked: ReturnType<typeof validateWeatherMessage>;
    try {
      checked = validateWeatherMessage(payload, gatewayId, stations, receivedAtMs + this.opts.clockSkewMaxMs);
    } catch (error) {
      // Whatever a payload does to validation, it is that payload's dead letter, never ingest's crash.
      const reason = `payload: not validated (${String(error).slice(0, 200)})`;
      this.opts.reject([{ label: 'invalid_payload', reason, raw: payload.slice(0, 2000) }], where);
      return;
    }
    if (checked.rejections.length > 0)
      this.opts.reject(
        checked.rejections.map((r) => ({
          label: r.code satisfies RejectReason,
          reason: r.reason,
          raw: r.raw,
          ...(r.tsMs === undefined ? {} : { tsMs: r.tsMs }),
        })),
        where,
      );
    const { stationId, observations } = checked;
    if (stationId === undefined || observations.length === 0) return;
    try {
      const outcome = await this.opts.store.putObservations(stationId, observations);
      this.opts.logger.trace({ gatewayId, stationId, ...outcome }, 'weather observations stored');
    } catch (error) {
      this.opts.logger.warn({ err: error, gatewayId, stationId }, 'weather observations not stored');
      const reason = `storing ${observations.length} observation(s) of station "${stationId}" failed: ${String(error)}`;
      this.opts.reject([{ label: 'weather_store_failed', reason, raw: payload.slice(0, 2000) }], where);
    }
  }
}
