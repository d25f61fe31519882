import { createServer, type Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AuthenticateError, type Client, type PublishPacket, type Subscription } from 'aedes';
import type { Logger } from 'pino';
import { ClientIdOwners } from '../core/domain/client-ids.js';
import { type MqttPrincipal, mayPublish, maySubscribe, SERVICE_USERNAME } from '../core/domain/mqtt-policy.js';
import { errorsTopic, GATEWAY_STATUS, parseTopic } from '../core/domain/topics.js';
import type { Metrics } from '../core/metrics.js';
import type { RegistryHolder } from '../core/registry-holder.js';
import { isKnownSecret, SecretCheckAbandoned, verifySecret } from '../core/security.js';
import { addressKey, LoginGuard } from './login-guard.js';
import { MessagePacer } from './message-pacer.js';

/** Who is behind an MQTT connection of the embedded broker (the ingest workers are in-process here). */
type Principal = Exclude<MqttPrincipal, { kind: 'ingest' }>;

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
  /** Messages per second one gateway may publish (burst: 2 s worth); above it its messages wait (default 500). */
  readonly maxMessagesPerS?: number;
  /** Failed logins per minute per source address and per claimed username before back-off (default 10). */
  readonly maxFailedLoginsPerMin?: number;
  /** MQTT over TLS on its own port (PEM certificate and key; port 0 picks a free one). */
  readonly tls?: { readonly port: number; readonly cert: Buffer; readonly key: Buffer };
}

/** The service login's username; the access policy (core/domain/mqtt-policy.ts) owns it. */
export { SERVICE_USERNAME };

function authError(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

/** The owner of a principal's client ids. */
const ownerKey = (who: Principal) => (who.kind === 'gateway' ? `gateway:${who.gatewayId}` : 'service');

/**
 * The embedded aedes broker: authenticates gateways against the registry (hashed secrets), lets a
 * gateway publish and subscribe only on its own topics, and hands readings to ingest before the
 * PUBACK. A gateway over its message rate is slowed, never disconnected; failed logins back off per
 * address and username; a gateway cannot use a client id another login holds.
 */
export class EmbeddedBroker {
  private readonly principals = new WeakMap<Client, Principal>();
  private server: Server | undefined;
  private aedes: Aedes | undefined;
  private boundPort = 0;
  private tlsServer: Server | undefined;
  private boundTlsPort = 0;
  private readonly pacer: MessagePacer;
  private readonly logins: LoginGuard;
  /** Client ids with a persistent session, by owner. */
  private readonly sessions = new ClientIdOwners();
  /** The connection that holds each client id now (dropped when its socket closes). */
  private readonly live = new Map<string, Client>();
  /** Ends the waits of delayed logins when the broker stops. */
  private readonly stopping = new AbortController();

  constructor(private readonly opts: BrokerOptions) {
    // Burst: 2 s of messages, so a gateway's routine bursts never wait.
    this.pacer = new MessagePacer(opts.maxMessagesPerS ?? 500, 2, (gatewayId) =>
      opts.logger.info({ gatewayId }, 'gateway over its message rate: slowed down'),
    );
    this.logins = new LoginGuard(opts.maxFailedLoginsPerMin ?? 10);
  }

  /** The TCP port the broker listens on. */
  get port(): number {
    return this.boundPort;
  }

  /** The MQTTS port (0 without TLS). */
  get tlsPort(): number {
    return this.boundTlsPort;
  }

  /** Messages waiting for their gateway's rate (tests watch it stay bounded). */
  get messagesWaiting(): number {
    return this.pacer.waiting;
  }

  /** Closes every connection of a gateway (after its secret changed); returns how many. */
  disconnectGateway(gatewayId: string): number {
    let closed = 0;
    // aedes keeps its connected clients by id (not in its type declarations); `live` also has those
    // that logged in but are not registered yet (their CONNACK is still being prepared).
    const registered = (this.aedes as unknown as { clients?: Record<string, Client> } | undefined)?.clients ?? {};
    for (const client of new Set([...Object.values(registered), ...this.live.values()])) {
      const who = this.principals.get(client);
      if (!client.closed && who?.kind === 'gateway' && who.gatewayId === gatewayId) {
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

  /**
   * Runs `go` when the gateway has a token for the message. Over its rate the message waits, and so
   * do its PUBACK and the rest of its connection: aedes reads a socket's next chunk only once every
   * packet of the current one has been handled (lib/client.js `nextBatch`), so a held callback is
   * the socket pause (`conn.pause()` does nothing to a stream read on 'readable') and a QoS 0 flood
   * waits in TCP buffers, not in memory.
   */
  private paced(client: Client | null, go: () => void, drop: () => void): void {
    const who = client === null ? undefined : this.principals.get(client);
    // A closing connection's will (published from close()) is not paced: it would be dropped.
    if (client === null || client.closed || who?.kind !== 'gateway') {
      go();
      return;
    }
    const release = (ok: boolean) => (ok ? go() : drop());
    if (this.pacer.take(who.gatewayId, { release, gone: () => client.closed })) go();
    else this.opts.metrics.mqttMessagesRateLimited.inc();
  }

  async start(): Promise<void> {
    const aedes = await Aedes.createBroker({
      // Deliveries in flight before aedes waits (its default, 100, stalls heavy fan-in).
      concurrency: 1000,
      authenticate: (client, username, password, done) => {
        this.authenticate(client, username, password).then(
          () => done(null, true),
          (error: AuthenticateError) => done(error, false),
        );
      },
      authorizePublish: (client, packet, done) =>
        this.paced(
          client,
          () =>
            this.authorizePublish(client, packet).then(
              () => done(null),
              (error: Error) => done(error),
            ),
          () => done(new Error('connection closed while its message waited for the rate limit')),
        ),
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
    this.pacer.stop();
    this.stopping.abort();
    if (tlsServer) await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
    if (aedes) await new Promise<void>((resolve) => aedes.close(() => resolve()));
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private refuse(reason: string, message: string, code: number, fields: Record<string, unknown> = {}): never {
    this.opts.metrics.mqttConnectionsRefused.inc({ reason });
    this.opts.logger.warn({ reason, ...fields }, message);
    throw authError(message, code);
  }

  /** Refuses a login that failed its check, counting it against its address and claimed username. */
  private failed(address: string, username: string | undefined, reason: string, message: string): never {
    const backoffMs = this.logins.failed(address, username);
    return this.refuse(reason, message, 4, { address, ...(backoffMs > 0 ? { backoffMs } : {}) });
  }

  private async authenticate(client: Client, username: string | undefined, password: Buffer | undefined) {
    const address = addressKey((client.conn as { remoteAddress?: string }).remoteAddress);
    const secret = password?.toString('utf8') ?? '';
    // An address in back-off is refused before any password check (scrypt is the costly part),
    // except a gateway whose secret is known good without scrypt: gateways behind the same NAT as
    // a misconfigured one keep working.
    if (!this.knownGood(username, secret)) {
      const backoffMs = this.logins.refuseFrom(address);
      if (backoffMs > 0)
        this.refuse('rate_limited', 'MQTT login from an address in back-off', 3, { address, backoffMs });
    }
    if (username === undefined || secret === '')
      this.failed(address, username, 'missing_credentials', 'MQTT login without credentials');
    // A username under attack: its logins are answered later, not refused, so the right secret from
    // an address that is not in back-off still gets in.
    const delayMs = this.logins.delayMs(username);
    if (delayMs > 0) await sleep(delayMs, undefined, { signal: this.stopping.signal });
    const who = await this.principal(client, address, username, secret);
    this.checkClientId(client, who);
    this.principals.set(client, who);
  }

  /**
   * A gateway login whose secret matched before: in this process (a SHA-256) or before a restart
   * (the login memo, an HMAC; core/login-memo.ts). No scrypt either way.
   */
  private knownGood(username: string | undefined, secret: string): boolean {
    const gateway = username === undefined ? undefined : this.opts.registry.gateway(username);
    return gateway !== undefined && secret !== '' && isKnownSecret(secret, gateway.secretHash);
  }

  private async principal(client: Client, address: string, username: string, secret: string): Promise<Principal> {
    if (username === SERVICE_USERNAME) {
      if (!(await this.opts.verifyServiceToken(secret)))
        this.failed(address, username, 'bad_token', 'MQTT service login refused');
      return { kind: 'service' };
    }
    const gateway = this.opts.registry.gateway(username);
    if (gateway === undefined)
      this.failed(address, username, 'unknown_gateway', `MQTT login of unknown gateway "${username}"`);
    // A gateway that gave up while its check waited (a login storm after a restart) is not checked.
    const ok = await verifySecret(secret, gateway.secretHash, () => !client.closed && !client.conn.destroyed).catch(
      (error: unknown) => {
        // Not a failed login (no back-off) and not worth a warning: the connection is gone already.
        if (error instanceof SecretCheckAbandoned) {
          this.opts.metrics.mqttConnectionsRefused.inc({ reason: 'abandoned' });
          throw authError(error.message, 3);
        }
        throw error;
      },
    );
    if (!ok) this.failed(address, username, 'bad_secret', `MQTT login of gateway "${username}" with a wrong secret`);
    // The secret changed while it was checked: the connection would survive the disconnect.
    if (this.opts.registry.gateway(username)?.secretHash !== gateway.secretHash)
      this.refuse('bad_secret', `MQTT login of gateway "${username}" with a secret just replaced`, 4);
    return { kind: 'gateway', gatewayId: gateway.id };
  }

  /**
   * Refuses a client id held by another login: connected under it now, or owning a persistent
   * session under it ([MQTT-3.1.4-2] would otherwise close that connection and hand over the session).
   */
  private checkClientId(client: Client, who: Principal): void {
    const owner = ownerKey(who);
    const holder = this.live.get(client.id);
    const holderWho = holder === undefined || holder.closed ? undefined : this.principals.get(holder);
    const heldBy = holderWho === undefined ? this.sessions.ownerOf(client.id) : ownerKey(holderWho);
    if (heldBy !== undefined && heldBy !== owner)
      this.refuse('client_id_taken', `MQTT client id "${client.id}" is held by another login`, 2, { owner });
    // [MQTT-3.1.2-6] a clean session ends the previous one: only a persistent one keeps the id.
    if (client.clean) this.sessions.release(client.id, owner);
    else this.sessions.claim(client.id, owner);
    if (client.conn.destroyed) return;
    this.live.set(client.id, client);
    client.conn.once('close', () => {
      if (this.live.get(client.id) === client) this.live.delete(client.id);
    });
  }

  private async authorizePublish(client: Client | null, packet: PublishPacket): Promise<void> {
    if (client === null) return; // the broker's own messages ($SYS, wills already checked)
    const who = this.principals.get(client);
    // The access policy (core/domain/mqtt-policy.ts); wills come here too, as publishes of their client.
    if (who?.kind !== 'gateway' || !mayPublish(who, packet.topic)) {
      this.opts.metrics.readingsRejected.inc({ reason: 'topic' });
      this.opts.logger.warn({ clientId: client.id, topic: packet.topic }, 'publish to a foreign topic refused');
      throw new Error(`not allowed to publish to ${packet.topic}`);
    }
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    if (parseTopic(packet.topic)?.kind === 'status') {
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
    if (who === undefined || !maySubscribe(who, sub.topic)) {
      this.opts.metrics.mqttSubscriptionsRefused.inc();
      this.opts.logger.warn({ clientId: client.id, topic: sub.topic }, 'subscription refused');
      // [MQTT-3.9.3] a refused subscription is answered with return code 0x80 (aedes: null).
      done(null, null);
      return;
    }
    done(null, sub);
  }
}
