import { createServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AuthenticateError, type Client, type PublishPacket, type Subscription } from 'aedes';
import type { Logger } from 'pino';
import { KeyedBuckets } from '../core/domain/token-bucket.js';
import { errorsTopic, GATEWAY_STATUS, parseTopic, TOPIC_ROOT } from '../core/domain/topics.js';
import type { Metrics } from '../core/metrics.js';
import type { RegistryHolder } from '../core/registry-holder.js';
import { verifySecret } from '../core/security.js';

/** Who is behind an MQTT connection. */
export type Principal = { readonly kind: 'gateway'; readonly gatewayId: string } | { readonly kind: 'service' };

/** Options of the embedded broker. */
export interface BrokerOptions {
  readonly host: string;
  /** TCP port; 0 picks a free one. */
  readonly port: number;
  readonly maxPayloadBytes: number;
  readonly registry: RegistryHolder;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Takes a gateway's readings message; the PUBACK waits until it resolves. */
  readonly onReadings: (gatewayId: string, topic: string, payload: Buffer) => Promise<void>;
  /** Called for a message refused whole (too big), to dead-letter it. */
  readonly onRefused: (gatewayId: string, topic: string, reason: string, payload: Buffer) => void;
  /** Checks an API token for the service login (username `service`), e.g. for monitoring subscribers. */
  readonly verifyServiceToken: (token: string) => Promise<boolean>;
  /** Messages per second one gateway may publish (burst: 2 s worth); above it the connection is closed. */
  readonly maxMessagesPerS?: number;
  /** CONNECTs per minute one gateway may make; above it CONNECT is refused. */
  readonly maxConnectsPerMin?: number;
  /** MQTT over TLS on its own port (PEM certificate and key; port 0 picks a free one). */
  readonly tls?: { readonly port: number; readonly cert: Buffer; readonly key: Buffer };
}

/** Username with which a holder of an admin API token logs in to subscribe (monitoring, benchmarks). */
export const SERVICE_USERNAME = 'service';

function authError(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

/**
 * The embedded aedes broker: authenticates gateways against the registry (hashed secrets), lets a
 * gateway publish and subscribe only on its own topics, and hands readings to ingest before the
 * PUBACK.
 */
export class EmbeddedBroker {
  private readonly principals = new WeakMap<Client, Principal>();
  private server: Server | undefined;
  private aedes: Aedes | undefined;
  private boundPort = 0;
  private tlsServer: Server | undefined;
  private boundTlsPort = 0;
  // Rate limits per gateway (issue "Access control and hostile input"): defaults are generous.
  // Rebuilt in start() from the options (burst: 2 s of messages, a minute of CONNECTs).
  private messageBuckets = new KeyedBuckets(50, 100);
  private connectBuckets = new KeyedBuckets(0.5, 30);

  constructor(private readonly opts: BrokerOptions) {}

  /** The TCP port the broker listens on. */
  get port(): number {
    return this.boundPort;
  }

  /** The MQTTS port (0 without TLS). */
  get tlsPort(): number {
    return this.boundTlsPort;
  }

  /** Closes every connection of a gateway (after its secret changed); returns how many. */
  disconnectGateway(gatewayId: string): number {
    let closed = 0;
    // aedes keeps its connected clients by id (not in its type declarations).
    const clients = (this.aedes as unknown as { clients?: Record<string, Client> } | undefined)?.clients ?? {};
    for (const client of Object.values(clients)) {
      const who = this.principals.get(client);
      if (who?.kind === 'gateway' && who.gatewayId === gatewayId) {
        client.close();
        closed++;
      }
    }
    return closed;
  }

  /** Tells a gateway why a message was refused, on its errors topic (QoS 0, not retained). */
  private tellGateway(gatewayId: string, error: { code: string; message: string; topic: string }): void {
    const payload = Buffer.from(JSON.stringify({ ...error, at: new Date().toISOString() }));
    this.aedes?.publish(
      { cmd: 'publish', topic: errorsTopic(gatewayId), payload, qos: 0, retain: false, dup: false },
      () => undefined,
    );
  }

  /** False (and counted) when a gateway publishes faster than its rate. */
  private withinMessageRate(client: Client | null): boolean {
    const who = client === null ? undefined : this.principals.get(client);
    if (who?.kind !== 'gateway' || this.messageBuckets.take(who.gatewayId, Date.now())) return true;
    this.opts.metrics.mqttMessagesRateLimited.inc();
    this.opts.logger.warn({ gatewayId: who.gatewayId }, 'gateway over its message rate: disconnected');
    return false;
  }

  async start(): Promise<void> {
    const perS = this.opts.maxMessagesPerS ?? 50;
    const perMin = this.opts.maxConnectsPerMin ?? 30;
    this.messageBuckets = new KeyedBuckets(perS, Math.max(1, perS * 2));
    this.connectBuckets = new KeyedBuckets(perMin / 60, Math.max(1, perMin));
    const aedes = await Aedes.createBroker({
      // Deliveries in flight before aedes waits (its default, 100, stalls heavy fan-in).
      concurrency: 1000,
      authenticate: (client, username, password, done) => {
        this.authenticate(client, username, password).then(
          () => done(null, true),
          (error: AuthenticateError) => done(error, false),
        );
      },
      authorizePublish: (client, packet, done) => {
        // An error here makes aedes close the connection: the gateway is over its rate.
        if (!this.withinMessageRate(client)) return done(new Error('message rate limit exceeded'));
        this.authorizePublish(client, packet).then(
          () => done(null),
          (error: Error) => done(error),
        );
      },
      authorizeSubscribe: (client, sub, done) => this.authorizeSubscribe(client, sub, done),
    });
    aedes.on('client', () => this.opts.metrics.mqttClientsConnected.inc());
    aedes.on('clientDisconnect', () => this.opts.metrics.mqttClientsConnected.dec());
    aedes.on('clientError', (client, error) =>
      this.opts.logger.debug({ clientId: client?.id, err: error.message }, 'mqtt client error'),
    );
    this.aedes = aedes;
    const server = createServer(aedes.handle);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => resolve());
    });
    const address = server.address();
    this.boundPort = typeof address === 'object' && address !== null ? address.port : this.opts.port;
    this.server = server;
    if (this.opts.tls !== undefined) {
      const { cert, key, port } = this.opts.tls;
      const tlsServer = createTlsServer({ cert, key }, aedes.handle);
      await new Promise<void>((resolve, reject) => {
        tlsServer.once('error', reject);
        tlsServer.listen(port, this.opts.host, () => resolve());
      });
      const tlsAddress = tlsServer.address();
      this.boundTlsPort = typeof tlsAddress === 'object' && tlsAddress !== null ? tlsAddress.port : port;
      this.tlsServer = tlsServer;
    }
  }

  async stop(): Promise<void> {
    const { aedes, server, tlsServer } = this;
    this.aedes = undefined;
    this.server = undefined;
    this.tlsServer = undefined;
    if (tlsServer) await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
    if (aedes) await new Promise<void>((resolve) => aedes.close(() => resolve()));
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private refuse(reason: string, message: string, code: number): never {
    this.opts.metrics.mqttConnectionsRefused.inc({ reason });
    this.opts.logger.warn({ reason }, message);
    throw authError(message, code);
  }

  private async authenticate(client: Client, username: string | undefined, password: Buffer | undefined) {
    const secret = password?.toString('utf8') ?? '';
    if (username === undefined || secret === '')
      this.refuse('missing_credentials', 'MQTT login without credentials', 4);
    if (username === SERVICE_USERNAME) {
      if (!(await this.opts.verifyServiceToken(secret))) this.refuse('bad_token', 'MQTT service login refused', 4);
      this.principals.set(client, { kind: 'service' });
      return;
    }
    if (!this.connectBuckets.take(username, Date.now()))
      this.refuse('rate_limited', `MQTT logins of "${username}" over the rate limit`, 3);
    const gateway = this.opts.registry.gateway(username);
    if (gateway === undefined) this.refuse('unknown_gateway', `MQTT login of unknown gateway "${username}"`, 4);
    if (!(await verifySecret(secret, gateway.secretHash))) {
      this.refuse('bad_secret', `MQTT login of gateway "${username}" with a wrong secret`, 4);
    }
    this.principals.set(client, { kind: 'gateway', gatewayId: gateway.id });
  }

  private async authorizePublish(client: Client | null, packet: PublishPacket): Promise<void> {
    if (client === null) return; // the broker's own messages ($SYS, wills already checked)
    const who = this.principals.get(client);
    const topic = parseTopic(packet.topic);
    if (who?.kind !== 'gateway' || topic === undefined || topic.gatewayId !== who.gatewayId) {
      this.opts.metrics.readingsRejected.inc({ reason: 'topic' });
      this.opts.logger.warn({ clientId: client.id, topic: packet.topic }, 'publish to a foreign topic refused');
      throw new Error(`not allowed to publish to ${packet.topic}`);
    }
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    if (topic.kind === 'status') {
      const status = payload.toString('utf8');
      if (status !== GATEWAY_STATUS.online && status !== GATEWAY_STATUS.offline) {
        throw new Error('status must be "online" or "offline"');
      }
      return;
    }
    if (payload.length > this.opts.maxPayloadBytes) {
      // Acknowledged and dead-lettered rather than disconnected: a gateway that is cut off would
      // resend the same message forever. The reason is in the dead letters and the log.
      this.opts.onRefused(
        who.gatewayId,
        packet.topic,
        `payload of ${payload.length} bytes exceeds ${this.opts.maxPayloadBytes}`,
        payload,
      );
      this.tellGateway(who.gatewayId, {
        code: 'oversized',
        message: `payload of ${payload.length} bytes exceeds ${this.opts.maxPayloadBytes}`,
        topic: packet.topic,
      });
      packet.payload = Buffer.alloc(0);
      return;
    }
    await this.opts.onReadings(who.gatewayId, packet.topic, payload);
  }

  private authorizeSubscribe(
    client: Client,
    sub: Subscription,
    done: (error: Error | null, subscription?: Subscription | null) => void,
  ): void {
    const who = this.principals.get(client);
    const own = who?.kind === 'gateway' ? `${TOPIC_ROOT}/${who.gatewayId}/` : undefined;
    const allowed =
      who?.kind === 'service'
        ? sub.topic.startsWith(`${TOPIC_ROOT}/`) || sub.topic.startsWith('$SYS/')
        : own !== undefined && sub.topic.startsWith(own);
    if (!allowed) {
      this.opts.metrics.mqttSubscriptionsRefused.inc();
      this.opts.logger.warn({ clientId: client.id, topic: sub.topic }, 'subscription refused');
      // [MQTT-3.9.3] a refused subscription is answered with return code 0x80 (aedes: null).
      done(null, null);
      return;
    }
    done(null, sub);
  }
}
