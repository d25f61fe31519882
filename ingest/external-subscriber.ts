import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { ALL_READINGS_FILTER, parseTopic } from '../core/domain/topics.js';

/** Options of the subscriber to an external broker (MQTT_MODE=external). */
export interface ExternalSubscriberOptions {
  /** The broker, e.g. mqtt://mosquitto:1883. */
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  /** This worker's fixed id: its sessions are `<id>-c<n>` and persist across restarts. */
  readonly workerId: string;
  readonly shareGroup: string;
  /** How long the broker keeps a session (and its QoS 1 messages) while the worker is away, in seconds. */
  readonly sessionExpirySec: number;
  /**
   * MQTT connections of this worker in the share group. mqtt.js handles one incoming message of a
   * connection at a time (the next waits for our PUBACK), so parallel connections let one WAL fsync
   * cover several messages.
   */
  readonly connections: number;
  readonly maxPayloadBytes: number;
  readonly logger: Logger;
  /** Takes a gateway's readings message; the PUBACK waits until it resolves (readings durable). */
  readonly onReadings: (gatewayId: string, topic: string, payload: Buffer) => Promise<void>;
  /** Called for a message refused whole (too big), to dead-letter it; it is acknowledged. */
  readonly onRefused: (gatewayId: string, topic: string, reason: string, payload: Buffer) => void;
}

/** MQTT v5 reason code of a PUBACK: success. */
const SUCCESS = 0;

/**
 * An ingest worker's side of an external broker: persistent MQTT v5 sessions in the shared
 * subscription `$share/<group>/jieneng/v1/+/readings` at QoS 1, acknowledging a message only once
 * its readings are durable. A worker killed before acknowledging leaves the message unacked, and
 * the broker hands it to another member of the group (MQTT v5 §4.8.2).
 */
export class ExternalSubscriber {
  private clients: MqttClient[] = [];

  constructor(private readonly opts: ExternalSubscriberOptions) {}

  /** The shared subscription filter. */
  get filter(): string {
    return `$share/${this.opts.shareGroup}/${ALL_READINGS_FILTER}`;
  }

  async start(): Promise<void> {
    for (let n = 1; n <= this.opts.connections; n++)
      this.clients.push(await this.connect(`${this.opts.workerId}-c${n}`));
  }

  /** Disconnects; messages not yet acknowledged stay with the broker for the group. */
  async stop(): Promise<void> {
    const clients = this.clients.splice(0);
    await Promise.all(clients.map((c) => c.endAsync().catch(() => undefined)));
  }

  private async connect(clientId: string): Promise<MqttClient> {
    const { opts } = this;
    const client = await mqtt.connectAsync(opts.url, {
      clientId,
      protocolVersion: 5,
      // A persistent session: QoS 1 messages queued while the worker is away are kept for it.
      clean: false,
      properties: { sessionExpiryInterval: opts.sessionExpirySec },
      reconnectPeriod: 1000,
      ...(opts.username === undefined ? {} : { username: opts.username }),
      ...(opts.password === undefined ? {} : { password: opts.password }),
      customHandleAcks: (topic, message, _packet, done) => {
        this.handle(topic, message).then(
          () => done(SUCCESS),
          (error: unknown) => {
            // Not durable: leave it unacknowledged and drop the connection so the broker redelivers.
            opts.logger.error({ err: error, topic }, 'readings not durable; reconnecting without PUBACK');
            client.stream.destroy();
          },
        );
      },
    });
    client.on('error', (error) => opts.logger.warn({ clientId, err: error.message }, 'external broker error'));
    const granted = await client.subscribeAsync(this.filter, { qos: 1 });
    if (granted.some((g) => g.qos > 1)) throw new Error(`the broker refused the subscription ${this.filter}`);
    return client;
  }

  private async handle(topic: string, payload: Buffer): Promise<void> {
    const parsed = parseTopic(topic);
    if (parsed === undefined || parsed.kind !== 'readings') return;
    if (payload.length > this.opts.maxPayloadBytes) {
      this.opts.onRefused(
        parsed.gatewayId,
        topic,
        `payload of ${payload.length} bytes exceeds ${this.opts.maxPayloadBytes}`,
        payload,
      );
      return;
    }
    await this.opts.onReadings(parsed.gatewayId, topic, payload);
  }
}
