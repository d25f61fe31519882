/**
 * Publishes a fleet's readings to an MQTT broker the way gateways do: each gateway on its own
 * authenticated connection, to `readingsTopic(gatewayId)`, in batches `{"readings":[…]}` at QoS 1.
 * Connections come from a bounded pool and publishes awaiting their PUBACK are bounded globally:
 * mqtt.js falls over when 100k publishes are fired at once.
 * With a scenario, registers carry its anomalies and register faults and each gateway's stream
 * goes through its transport faults (transport.ts) before batching.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { MqttClient } from 'mqtt';
import { readingsTopic } from '../core/domain/topics.js';
import { formatIsoWithOffset } from './calendar.js';
import { ClientPool } from './client-pool.js';
import { DEFAULT_INTERVAL_S } from './fleet.js';
import type { Fleet, SimMeter, SimReading } from './model.js';
import { DEFAULT_TIME_ZONE } from './profiles.js';
import { alignUp, RegisterClock, readingCount } from './registers.js';
import type { Scenario } from './scenario.js';
import { Semaphore } from './semaphore.js';
import { GatewayTransport, gatewayStream, isRawMessage, type Outgoing, readingCountChange } from './transport.js';

/** Options of a `FleetPublisher`. Defaults in brackets. */
export interface FleetPublisherOptions {
  readonly fleet: Fleet;
  /** e.g. `mqtt://localhost:1883`. */
  readonly brokerUrl: string;
  /** Seconds between readings [900]. */
  readonly intervalS?: number;
  /** Readings per MQTT message [100]. */
  readonly batchSize?: number;
  /** Connections open at once [500]. */
  readonly maxClients?: number;
  /** Publishes awaiting their PUBACK, over all connections [1000]. */
  readonly maxInFlight?: number;
  /** Zone of the ISO timestamps and of the load model's local days [Asia/Shanghai]. */
  readonly timeZone?: string;
  /** `iso` (`2026-11-01T08:00:00+08:00`) or `epoch-ms` [iso]. */
  readonly timestampFormat?: 'iso' | 'epoch-ms';
  /** Prepended to the gateway id to form the MQTT client id [""]. */
  readonly clientIdPrefix?: string;
  /** Connect timeout, ms [10000]. */
  readonly connectTimeoutMs?: number;
  readonly onClientError?: (gatewayId: string, error: Error) => void;
  /**
   * A back-fill gateway whose connection fails (`connack timeout`, a closed socket) is retried
   * after `firstDelayMs`, doubling up to `maxDelayMs`, resuming after its last acknowledged
   * message; it fails the run after `maxAttempts` failures in a row without progress
   * [500 ms, 30 000 ms, 20]. A refused secret is never retried.
   */
  readonly retry?: { readonly firstDelayMs?: number; readonly maxDelayMs?: number; readonly maxAttempts?: number };
  /**
   * Faults and anomalies to inject (planner.ts) [none]. Its time zone should be `timeZone`.
   * Without one the output is exactly that of a fault-free fleet.
   */
  readonly scenario?: Scenario;
}

/** Progress of a publish run. */
export interface PublishProgress {
  /** Readings acknowledged by the broker. */
  readonly published: number;
  /** Readings the run will publish (counting a scenario's gaps, offline spans and duplicates). */
  readonly total: number;
  /** MQTT messages acknowledged. */
  readonly messages: number;
}

/** Options of `FleetPublisher.live`. */
export interface LiveOptions {
  /** Simulated seconds per real second [1]. Above 1 the readings run ahead of the wall clock. */
  readonly speed?: number;
  /** Seconds between readings [the publisher's interval]. */
  readonly intervalS?: number;
  /** Stops the run; `live` then resolves. */
  readonly signal?: AbortSignal;
  /** Simulated time at the start [now]. */
  readonly startMs?: number;
  /** Called after each interval's readings are acknowledged. */
  readonly onStep?: (step: { tsMs: number; readings: number }) => void;
}

/** Counts a run publishes. */
export interface PublishResult {
  readonly readings: number;
  readonly messages: number;
}

/** Publishes a fleet's register readings over MQTT, as back-fill or live. */
export class FleetPublisher {
  readonly #fleet: Fleet;
  readonly #intervalS: number;
  readonly #batchSize: number;
  readonly #maxClients: number;
  readonly #timeZone: string;
  readonly #iso: boolean;
  readonly #pool: ClientPool;
  readonly #inFlight: Semaphore;
  readonly #byGateway = new Map<string, SimMeter[]>();
  readonly #secrets = new Map<string, string>();
  readonly #clocks = new Map<string, RegisterClock>();
  readonly #scenario: Scenario | undefined;
  readonly #retry: { firstDelayMs: number; maxDelayMs: number; maxAttempts: number };
  readonly #onClientError: ((gatewayId: string, error: Error) => void) | undefined;
  /** Live transports keep their buffers from one interval to the next. */
  readonly #liveTransports = new Map<string, GatewayTransport>();

  /** A publisher; nothing connects until readings are published. */
  constructor(opts: FleetPublisherOptions) {
    this.#fleet = opts.fleet;
    this.#intervalS = opts.intervalS ?? DEFAULT_INTERVAL_S;
    this.#batchSize = opts.batchSize ?? 100;
    this.#maxClients = opts.maxClients ?? 500;
    this.#timeZone = opts.timeZone ?? DEFAULT_TIME_ZONE;
    this.#iso = (opts.timestampFormat ?? 'iso') === 'iso';
    this.#inFlight = new Semaphore(opts.maxInFlight ?? 1000);
    this.#scenario = opts.scenario;
    this.#retry = { firstDelayMs: 500, maxDelayMs: 30_000, maxAttempts: 20, ...opts.retry };
    this.#onClientError = opts.onClientError;
    this.#pool = new ClientPool({
      brokerUrl: opts.brokerUrl,
      maxClients: this.#maxClients,
      clientIdPrefix: opts.clientIdPrefix ?? '',
      connectTimeoutMs: opts.connectTimeoutMs ?? 10_000,
      ...(opts.onClientError === undefined ? {} : { onClientError: opts.onClientError }),
    });
    if (!(this.#batchSize >= 1)) throw new RangeError('batchSize must be ≥ 1');
    for (const g of opts.fleet.registry.gateways) this.#secrets.set(g.id, g.secret);
    for (const m of opts.fleet.meters) {
      const list = this.#byGateway.get(m.gatewayId) ?? [];
      list.push(m);
      this.#byGateway.set(m.gatewayId, list);
    }
  }

  /**
   * Publishes every meter's readings at each interval instant in [fromMs, toMs), gateway by
   * gateway. An aborted signal stops it early; it then resolves with what was published.
   */
  async backfill(
    fromMs: number,
    toMs: number,
    onProgress?: (p: PublishProgress) => void,
    signal?: AbortSignal,
  ): Promise<PublishResult> {
    const intervalS = this.#intervalS;
    let total = readingCount(this.#fleet.meters.length, fromMs, toMs, intervalS);
    if (this.#scenario !== undefined) {
      const ids = new Map([...this.#byGateway].map(([g, ms]) => [g, ms.map((m) => m.id)]));
      total += readingCountChange(this.#scenario, ids, fromMs, toMs, intervalS);
    }
    return this.#publishAll(
      total,
      (gatewayId, meters) => {
        const transport = this.#transport(gatewayId, meters);
        return gatewayStream(this.#clocksOf(meters), fromMs, toMs, intervalS, transport, true);
      },
      onProgress,
      signal,
      true,
    );
  }

  /**
   * Publishes the readings of each interval when the (simulated) clock reaches it, until the
   * signal aborts. Starts at the first interval instant at or after `startMs`.
   */
  async live(opts: LiveOptions = {}): Promise<void> {
    const speed = opts.speed ?? 1;
    const intervalS = opts.intervalS ?? this.#intervalS;
    if (!(speed > 0)) throw new RangeError('speed must be positive');
    const realStart = Date.now();
    const simStart = opts.startMs ?? realStart;
    const simNow = () => simStart + (Date.now() - realStart) * speed;
    for (let t = alignUp(simStart, intervalS); opts.signal?.aborted !== true; t += intervalS * 1000) {
      const waitMs = (t - simNow()) / speed;
      if (waitMs > 0) {
        try {
          await sleep(waitMs, undefined, opts.signal === undefined ? {} : { signal: opts.signal });
        } catch {
          break; // aborted
        }
      }
      const stepEnd = t + 1;
      let readings = 0;
      try {
        const result = await this.#publishAll(
          this.#fleet.meters.length,
          (gatewayId, meters) =>
            gatewayStream(this.#clocksOf(meters), t, stepEnd, intervalS, this.#liveTransport(gatewayId, meters), false),
          undefined,
          opts.signal,
          false,
        );
        readings = result.readings;
      } catch (error) {
        // A live interval is not replayed (its transports keep state): like a real gateway, the
        // publisher loses what a broken connection did not deliver and carries on with the next one.
        if (!isRetryable(error)) throw error;
        this.#onClientError?.('*', error as Error);
      }
      opts.onStep?.({ tsMs: t, readings });
    }
  }

  /** Says `offline` on every open connection and closes it. */
  async close(): Promise<void> {
    await this.#pool.close();
  }

  #clocksOf(meters: readonly SimMeter[]): RegisterClock[] {
    return meters.map((meter) => {
      let clock = this.#clocks.get(meter.id);
      if (clock === undefined) {
        clock = new RegisterClock(meter, this.#timeZone, this.#scenario);
        this.#clocks.set(meter.id, clock);
      }
      return clock;
    });
  }

  /** A fresh transport for a gateway, or undefined when the scenario leaves its transport alone. */
  #transport(gatewayId: string, meters: readonly SimMeter[]): GatewayTransport | undefined {
    if (this.#scenario === undefined) return undefined;
    const formatTs = (tMs: number) => (this.#iso ? formatIsoWithOffset(tMs, this.#timeZone) : tMs);
    const transport = new GatewayTransport(
      gatewayId,
      meters.map((m) => m.id),
      this.#scenario,
      formatTs,
    );
    return transport.active ? transport : undefined;
  }

  #liveTransport(gatewayId: string, meters: readonly SimMeter[]): GatewayTransport | undefined {
    if (!this.#liveTransports.has(gatewayId)) {
      const transport = this.#transport(gatewayId, meters);
      if (transport !== undefined) this.#liveTransports.set(gatewayId, transport);
    }
    return this.#liveTransports.get(gatewayId);
  }

  #payload(batch: readonly SimReading[]): string {
    const readings = batch.map((r) => ({
      meter: r.meterId,
      ts: this.#iso ? formatIsoWithOffset(r.tsMs, this.#timeZone) : r.tsMs,
      value: r.value,
    }));
    return JSON.stringify({ readings });
  }

  /**
   * Publishes each gateway's readings on its own connection, gateways in parallel up to the pool
   * size. With `retry` a gateway whose connection fails starts again after a back-off, skipping
   * the messages already acknowledged (`itemsOf` must then give the same items on every call).
   */
  async #publishAll(
    total: number,
    itemsOf: (gatewayId: string, meters: readonly SimMeter[]) => Iterable<Outgoing>,
    onProgress?: (p: PublishProgress) => void,
    signal?: AbortSignal,
    retry = false,
  ): Promise<PublishResult> {
    const gateways = [...this.#byGateway.keys()];
    let next = 0;
    let published = 0;
    let messages = 0;
    let failure: unknown;
    const stopped = () => failure !== undefined || signal?.aborted === true;
    /** One attempt at a gateway's messages; `acked` holds the numbers of those acknowledged before. */
    const publishGateway = async (gatewayId: string, acked: Set<number>) => {
      const client = await this.#pool.acquire({ id: gatewayId, secret: this.#secrets.get(gatewayId) ?? '' });
      const pending: Promise<void>[] = [];
      let broken: unknown;
      try {
        const topic = readingsTopic(gatewayId);
        let batch: SimReading[] = [];
        let seq = 0;
        const send = async (payload: string, readings: number) => {
          const mine = seq++;
          if (acked.has(mine)) return;
          await this.#inFlight.acquire();
          pending.push(
            this.#publish(client, topic, payload)
              .then(() => {
                acked.add(mine);
                published += readings;
                messages++;
                onProgress?.({ published, total, messages });
              })
              .catch((error: unknown) => {
                broken ??= error;
              }),
          );
        };
        for (const item of itemsOf(gatewayId, this.#byGateway.get(gatewayId) ?? [])) {
          if (isRawMessage(item)) {
            // A raw message goes on its own, after the readings gathered before it.
            if (batch.length > 0) await send(this.#payload(batch), batch.length);
            batch = [];
            await send(item.payload, 0);
          } else {
            batch.push(item);
            if (batch.length < this.#batchSize) continue;
            await send(this.#payload(batch), batch.length);
            batch = [];
          }
          if (broken !== undefined || stopped()) break;
        }
        if (batch.length > 0 && broken === undefined && !stopped()) await send(this.#payload(batch), batch.length);
      } finally {
        await Promise.all(pending);
        this.#pool.release(gatewayId);
      }
      if (broken !== undefined) throw broken;
    };
    const runGateway = async (gatewayId: string) => {
      const acked = new Set<number>();
      for (let failures = 0, progress = 0; ; ) {
        try {
          await publishGateway(gatewayId, acked);
          return;
        } catch (error) {
          failures = acked.size > progress ? 1 : failures + 1;
          progress = acked.size;
          if (!retry || !isRetryable(error) || stopped() || failures >= this.#retry.maxAttempts) throw error;
          this.#onClientError?.(gatewayId, error as Error);
          const delayMs = Math.min(this.#retry.maxDelayMs, this.#retry.firstDelayMs * 2 ** (failures - 1));
          await sleep(delayMs, undefined, signal === undefined ? {} : { signal }).catch(() => undefined);
          if (stopped()) return;
        }
      }
    };
    const worker = async () => {
      try {
        while (!stopped() && next < gateways.length) await runGateway(gateways[next++] ?? '');
      } catch (error) {
        failure ??= error;
      }
    };
    const workers = Array.from({ length: Math.min(this.#maxClients, gateways.length) }, worker);
    await Promise.all(workers);
    if (failure !== undefined) throw failure;
    return { readings: published, messages };
  }

  async #publish(client: MqttClient, topic: string, payload: string): Promise<void> {
    try {
      await client.publishAsync(topic, payload, { qos: 1 });
    } finally {
      this.#inFlight.release();
    }
  }
}

/**
 * Whether a failed connection or publish is worth another try: anything but the broker refusing
 * the gateway's credentials (CONNACK return code 4 or 5 [MQTT-3.2.2-3], reason code 0x86 or 0x87 in MQTT 5).
 */
export function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return !(code === 4 || code === 5 || code === 134 || code === 135);
}
