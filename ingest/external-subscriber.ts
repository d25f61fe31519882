import mqtt, { type IClientOptions, type IConnackPacket, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { ALL_READINGS_FILTER, ALL_WEATHER_FILTER, parseTopic, workerGoneTopic } from '../core/domain/topics.js';

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
   * connection at a time (the next waits for our PUBACK, sent after the store write), so parallel
   * connections let one store write cover several messages.
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
 * Seconds the broker waits before publishing a dead connection's will: a connection that comes back
 * sooner (a network blip, a quick restart) keeps its session, nobody else takes it over.
 */
const WILL_DELAY_S = 5;

/**
 * An ingest worker's side of an external broker: persistent MQTT v5 sessions in the shared
 * subscription `$share/<group>/jieneng/v1/+/readings` at QoS 1, acknowledging a message only once
 * its readings are in the store (the pipeline's `ackAfterStore`).
 *
 * A member of a share group that dies keeps, in its persistent session, what it held
 * unacknowledged and its round-robin share of what comes next: Mosquitto 2.0 does not hand them to
 * the others (MQTT v5 §4.8.2 allows either), and drops them when the session expires. So each
 * connection leaves a will (its client id, after WILL_DELAY_S) on `workerGoneTopic`, which the
 * workers share-subscribe to on a connection without a persistent session. The one that receives
 * it connects with the dead client id, takes the session over, stores what it holds and stays a
 * member in its place, until the dead worker restarts and takes its session back (the broker then
 * disconnects the stand-in, which does not reconnect and leaves no will, so the two never take
 * turns).
 */
export class ExternalSubscriber {
  private clients: MqttClient[] = [];
  /** Sessions of dead workers this worker stands in for, by client id. */
  private readonly standIns = new Map<string, MqttClient>();
  private stopped = false;

  constructor(private readonly opts: ExternalSubscriberOptions) {}

  /** The shared subscription filter. */
  get filter(): string {
    return `$share/${this.opts.shareGroup}/${ALL_READINGS_FILTER}`;
  }

  /** The shared subscription filter of weather observations (issue 18, item 1), handed on like readings. */
  get weatherFilter(): string {
    return `$share/${this.opts.shareGroup}/${ALL_WEATHER_FILTER}`;
  }

  /** Where the workers' wills go. */
  get goneTopic(): string {
    return workerGoneTopic(this.opts.shareGroup);
  }

  async start(): Promise<void> {
    for (let n = 1; n <= this.opts.connections; n++) {
      const { client } = await this.connect(`${this.opts.workerId}-c${n}`, 'own');
      await this.subscribe(client, this.filter);
      await this.subscribe(client, this.weatherFilter);
      this.clients.push(client);
    }
    // The wills come on a connection without a persistent session: a dead worker's subscription to
    // them must end with it, or the broker would hand it (queued) some of the wills it has to act on.
    const { client: watcher } = await this.connect(`${this.opts.workerId}-watch`, 'watcher');
    await this.subscribe(watcher, `$share/${this.opts.shareGroup}/${this.goneTopic}`);
    this.clients.push(watcher);
  }

  /** Disconnects; messages not yet acknowledged stay with the broker for the group. */
  async stop(): Promise<void> {
    this.stopped = true;
    const clients = [...this.clients.splice(0), ...this.standIns.values()];
    this.standIns.clear();
    await Promise.all(clients.map((c) => c.endAsync().catch(() => undefined)));
  }

  private async subscribe(client: MqttClient, filter: string): Promise<void> {
    const granted = await client.subscribeAsync(filter, { qos: 1 });
    if (granted.some((g) => g.qos > 1)) throw new Error(`the broker refused the subscription ${filter}`);
  }

  /** Takes over the session of a dead worker's connection (see the class comment). */
  private async standIn(clientId: string): Promise<void> {
    const own = clientId.startsWith(`${this.opts.workerId}-`);
    if (this.stopped || own || this.standIns.has(clientId)) return;
    const { client, sessionPresent } = await this.connect(clientId, 'stand-in');
    if (this.stopped || !sessionPresent) {
      // Nothing left to drain (the session expired): do not join the group under a dead worker's id.
      await client.endAsync().catch(() => undefined);
      return;
    }
    this.standIns.set(clientId, client);
    this.opts.logger.warn({ clientId }, 'took over the MQTT session of a dead ingest worker');
    client.once('close', () => {
      if (this.standIns.get(clientId) !== client) return;
      this.standIns.delete(clientId);
      client.end(true);
      this.opts.logger.info({ clientId }, 'handed back the MQTT session of an ingest worker');
    });
  }

  private async connect(
    clientId: string,
    role: 'own' | 'watcher' | 'stand-in',
  ): Promise<{ client: MqttClient; sessionPresent: boolean }> {
    const { opts } = this;
    const options: IClientOptions = {
      clientId,
      protocolVersion: 5,
      // A persistent session: QoS 1 messages queued while the worker is away are kept for it.
      clean: role === 'watcher',
      properties: { sessionExpiryInterval: role === 'watcher' ? 0 : opts.sessionExpirySec },
      // A stand-in never reconnects and leaves no will: the session's owner takes it back for good.
      reconnectPeriod: role === 'stand-in' ? 0 : 1000,
      ...(role === 'own'
        ? {
            will: {
              topic: this.goneTopic,
              payload: Buffer.from(clientId),
              qos: 1,
              retain: false,
              properties: { willDelayInterval: WILL_DELAY_S },
            },
          }
        : {}),
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
    };
    const client = mqtt.connect(opts.url, options);
    client.on('error', (error) => opts.logger.warn({ clientId, err: error.message }, 'external broker error'));
    // An own connection keeps retrying until the broker answers; a stand-in tries once.
    const connack = await new Promise<IConnackPacket>((resolve, reject) => {
      client.once('connect', resolve);
      if (role === 'stand-in') client.once('close', () => reject(new Error(`${clientId}: closed before CONNACK`)));
    });
    return { client, sessionPresent: connack.sessionPresent };
  }

  private async handle(topic: string, payload: Buffer): Promise<void> {
    if (topic === this.goneTopic) {
      // Acknowledged at once: taking the session over runs on its own (and logs if it fails).
      this.standIn(payload.toString()).catch((error: unknown) =>
        this.opts.logger.error(
          { err: error, clientId: payload.toString() },
          'could not take over a dead worker session',
        ),
      );
      return;
    }
    const parsed = parseTopic(topic);
    if (parsed === undefined || parsed.kind === 'status') return;
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
