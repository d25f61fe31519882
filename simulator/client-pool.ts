/**
 * A bounded pool of MQTT connections, one per gateway: a connection authenticates as its gateway
 * (username = gateway id, password = its secret), so it can only be shared by that gateway's
 * publishes. Idle connections are reused and, when the pool is full, the least recently used idle
 * one is closed to make room.
 */
import { connectAsync, type MqttClient } from 'mqtt';
import { GATEWAY_STATUS, statusTopic } from '../core/domain/topics.js';

/** A gateway's MQTT credentials. */
export interface GatewayCredentials {
  readonly id: string;
  readonly secret: string;
}

/** Options of a `ClientPool`. */
export interface ClientPoolOptions {
  readonly brokerUrl: string;
  /** Most connections open at once. */
  readonly maxClients: number;
  /** Prepended to the gateway id to form the MQTT client id. */
  readonly clientIdPrefix: string;
  readonly connectTimeoutMs: number;
  /** Told about errors of open connections (they reconnect by themselves). */
  readonly onClientError?: (gatewayId: string, error: Error) => void;
}

interface Entry {
  readonly ready: Promise<MqttClient>;
  refs: number;
  lastUsed: number;
  connected: boolean;
}

/** Bounded, reusing pool of per-gateway MQTT connections. */
export class ClientPool {
  readonly #opts: ClientPoolOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #closing = new Set<Promise<void>>();
  #waiters: Array<() => void> = [];
  #tick = 0;
  #closed = false;

  /** A pool; nothing connects until `acquire`. */
  constructor(opts: ClientPoolOptions) {
    if (!(opts.maxClients >= 1)) throw new RangeError('maxClients must be ≥ 1');
    this.#opts = opts;
  }

  /** Connections currently open or opening. */
  get size(): number {
    return this.#entries.size;
  }

  /** A connected client for a gateway; call `release` with its id when done. */
  async acquire(gateway: GatewayCredentials): Promise<MqttClient> {
    for (;;) {
      if (this.#closed) throw new Error('client pool is closed');
      const existing = this.#entries.get(gateway.id);
      if (existing !== undefined) {
        existing.refs++;
        existing.lastUsed = ++this.#tick;
        try {
          return await existing.ready;
        } catch (error) {
          existing.refs--;
          throw error;
        }
      }
      // Connections being closed still count, so the bound holds at every moment.
      if (this.#entries.size + this.#closing.size < this.#opts.maxClients) {
        const entry: Entry = { ready: this.#connect(gateway), refs: 1, lastUsed: ++this.#tick, connected: false };
        this.#entries.set(gateway.id, entry);
        try {
          const client = await entry.ready;
          entry.connected = true;
          return client;
        } catch (error) {
          this.#entries.delete(gateway.id);
          this.#wakeOne();
          throw error;
        }
      }
      const ending = this.#evictIdle() ?? [...this.#closing][0];
      if (ending !== undefined) {
        await ending;
        continue;
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Gives back a client obtained by `acquire`. */
  release(gatewayId: string): void {
    const entry = this.#entries.get(gatewayId);
    if (entry === undefined) return;
    entry.refs = Math.max(0, entry.refs - 1);
    if (entry.refs === 0) this.#wakeOne();
  }

  /** Says `offline` on every open connection's status topic and closes it. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const [id, entry] of [...this.#entries]) {
      this.#entries.delete(id);
      void this.#track(this.#end(id, entry));
    }
    for (const wake of this.#waiters.splice(0)) wake();
    await Promise.all([...this.#closing]);
  }

  #wakeOne(): void {
    this.#waiters.shift()?.();
  }

  /** Starts closing the least recently used idle connection; undefined when none is idle. */
  #evictIdle(): Promise<void> | undefined {
    let victim: [string, Entry] | undefined;
    for (const pair of this.#entries) {
      const e = pair[1];
      if (e.refs === 0 && e.connected && (victim === undefined || e.lastUsed < victim[1].lastUsed)) victim = pair;
    }
    if (victim === undefined) return undefined;
    this.#entries.delete(victim[0]);
    return this.#track(this.#end(victim[0], victim[1]));
  }

  #track(p: Promise<void>): Promise<void> {
    this.#closing.add(p);
    return p.finally(() => {
      this.#closing.delete(p);
      this.#wakeOne();
    });
  }

  async #end(gatewayId: string, entry: Entry): Promise<void> {
    let client: MqttClient;
    try {
      client = await entry.ready;
    } catch {
      return; // never connected
    }
    try {
      // A graceful disconnect does not fire the will, so say it ourselves (as zigbee2mqtt does).
      if (client.connected)
        await client.publishAsync(statusTopic(gatewayId), GATEWAY_STATUS.offline, { qos: 1, retain: true });
    } catch {
      // The connection is going away anyway.
    }
    await client.endAsync().catch(() => undefined);
  }

  async #connect(gateway: GatewayCredentials): Promise<MqttClient> {
    const client = await connectAsync(
      this.#opts.brokerUrl,
      {
        clientId: `${this.#opts.clientIdPrefix}${gateway.id}`,
        username: gateway.id,
        password: gateway.secret,
        clean: true,
        connectTimeout: this.#opts.connectTimeoutMs,
        will: { topic: statusTopic(gateway.id), payload: Buffer.from(GATEWAY_STATUS.offline), qos: 1, retain: true },
      },
      false, // fail fast on refused credentials instead of retrying forever
    );
    const sayOnline = () =>
      client.publishAsync(statusTopic(gateway.id), GATEWAY_STATUS.online, { qos: 1, retain: true });
    client.on('error', (error) => this.#opts.onClientError?.(gateway.id, error));
    // After an automatic reconnect the broker has published the will: say online again.
    client.on('connect', () => {
      sayOnline().catch((error: unknown) => this.#opts.onClientError?.(gateway.id, error as Error));
    });
    await sayOnline();
    return client;
  }
}
