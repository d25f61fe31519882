import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Why a reading or message was refused; the label of `jieneng_readings_rejected_total`. */
export type RejectReason =
  | 'invalid_payload'
  | 'invalid_reading'
  | 'unknown_meter'
  | 'foreign_meter'
  | 'future_timestamp'
  | 'before_installation'
  | 'decommissioned'
  | 'conflict'
  | 'oversized'
  | 'topic'
  /** The store refused it as bad data (an InfluxDB field type conflict). */
  | 'store_refused'
  /** Stamped before the meter's installation, or before READINGS_EARLIEST for a meter without one. */
  | 'too_early'
  /** A register, multiplier or consumption beyond what the meter or the store can hold. */
  | 'out_of_range'
  /** A payload nested deeper than the parser accepts. */
  | 'too_deep'
  /** Items beyond MQTT_MAX_READINGS_PER_MESSAGE in one message. */
  | 'too_many_readings'
  /** Storing or deriving the meter's readings failed: quarantined, retriable by an admin. */
  | 'store_failed'
  /** Weather (issue 18, item 1): a message for a station the registry does not know. */
  | 'unknown_station'
  /** Weather: a message for a station whose `gatewayIds` do not name the publishing gateway. */
  | 'foreign_station'
  /** Weather: an observation with a bad instant or an impossible temperature. */
  | 'invalid_weather'
  /** Weather: storing a message's observations failed (not retriable: re-send or upload them). */
  | 'weather_store_failed';

/** The platform's Prometheus metrics, on a registry of its own (tests build several). */
export interface Metrics {
  readonly registry: Registry;
  readonly readingsAccepted: Counter;
  readonly readingsDuplicate: Counter;
  readonly readingsRejected: Counter<'reason'>;
  readonly batchSizeReadings: Histogram;
  readonly storeWriteSeconds: Histogram;
  readonly mqttConnectionsRefused: Counter<'reason'>;
  readonly mqttClientsConnected: Gauge;
  /** SUBSCRIBEs refused (a topic outside the client's own). */
  readonly mqttSubscriptionsRefused: Counter;
  /** MQTT messages delayed over a gateway's rate limit (back-pressure: they wait for their turn). */
  readonly mqttMessagesRateLimited: Counter;
  /** HTTP requests refused over the rate limit (429). */
  readonly httpRateLimited: Counter;
  readonly ingestQueueReadings: Gauge;
  /** Bytes of writes waiting in the store's on-disk spool for InfluxDB (0 for the embedded store). */
  readonly storeSpoolBytes: Gauge;
  /** Readings quarantined because storing or deriving their meter failed (dead letters with code store_failed). */
  readonly readingsQuarantined: Counter;
  readonly anomaliesDetected: Counter<'type'>;
  readonly alertDeliveries: Counter<'outcome'>;
}

/** Creates the metrics on a fresh registry, with Node's default process metrics. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const opts = { registers: [registry] };
  return {
    registry,
    readingsAccepted: new Counter({ name: 'jieneng_readings_accepted_total', help: 'Readings stored', ...opts }),
    readingsDuplicate: new Counter({
      name: 'jieneng_readings_duplicate_total',
      help: 'Readings already stored with the same value (redeliveries), ignored',
      ...opts,
    }),
    readingsRejected: new Counter({
      name: 'jieneng_readings_rejected_total',
      help: 'Readings or messages refused into the dead letters, by reason',
      labelNames: ['reason'],
      ...opts,
    }),
    batchSizeReadings: new Histogram({
      name: 'jieneng_ingest_batch_size_readings',
      help: 'Readings per store write',
      buckets: [1, 10, 100, 1000, 5000, 10_000, 50_000],
      ...opts,
    }),
    storeWriteSeconds: new Histogram({
      name: 'jieneng_store_write_seconds',
      help: 'Latency of one store write (readings and derived hours), seconds',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      ...opts,
    }),
    mqttConnectionsRefused: new Counter({
      name: 'jieneng_mqtt_connections_refused_total',
      help: 'MQTT CONNECTs refused, by reason',
      labelNames: ['reason'],
      ...opts,
    }),
    mqttSubscriptionsRefused: new Counter({
      name: 'jieneng_mqtt_subscriptions_refused_total',
      help: 'MQTT subscriptions refused (outside the client topics)',
      ...opts,
    }),
    mqttMessagesRateLimited: new Counter({
      name: 'jieneng_mqtt_messages_rate_limited_total',
      help: 'MQTT messages delayed because their gateway was over its message rate (back-pressure, not refused)',
      ...opts,
    }),
    httpRateLimited: new Counter({
      name: 'jieneng_http_rate_limited_total',
      help: 'HTTP requests refused over the rate limit (429)',
      ...opts,
    }),
    mqttClientsConnected: new Gauge({
      name: 'jieneng_mqtt_clients_connected',
      help: 'Connected MQTT clients',
      ...opts,
    }),
    ingestQueueReadings: new Gauge({
      name: 'jieneng_ingest_queue_readings',
      help: 'Readings accepted and waiting for the store',
      ...opts,
    }),
    storeSpoolBytes: new Gauge({
      name: 'jieneng_store_spool_bytes',
      help: 'Bytes of writes spooled on disk while InfluxDB is unavailable',
      ...opts,
    }),
    readingsQuarantined: new Counter({
      name: 'jieneng_readings_quarantined_total',
      help: 'Readings quarantined because storing or deriving their meter failed (retriable dead letters)',
      ...opts,
    }),
    anomaliesDetected: new Counter({
      name: 'jieneng_anomalies_detected_total',
      help: 'New anomaly events, by type',
      labelNames: ['type'],
      ...opts,
    }),
    alertDeliveries: new Counter({
      name: 'jieneng_alert_deliveries_total',
      help: 'Alert webhook deliveries, by outcome',
      labelNames: ['outcome'],
      ...opts,
    }),
  };
}
