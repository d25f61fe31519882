import { execFile } from 'node:child_process';
import { createConnection } from 'node:net';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a well-behaved gateway saw of the platform: every close and every refused CONNECT, with when. */
export interface GatewayLog {
  readonly closesAtMs: number[];
  readonly refusals: { atMs: number; what: string }[];
}

/**
 * A gateway uploading its backlog as real ones do after an outage: one connection (reconnected
 * whenever it is lost), QoS 1, at most `inFlight` messages waiting for their PUBACK, each message
 * resent until it is acknowledged. Resolves when every message is acknowledged.
 */
export async function uploadBacklog(opts: {
  readonly url: string;
  readonly gatewayId: string;
  readonly secret: string;
  readonly topic: string;
  readonly messages: readonly string[];
  readonly inFlight: number;
  readonly log: GatewayLog;
  /** Called with each message once it is acknowledged. */
  readonly onAcked: (payload: string) => void;
}): Promise<void> {
  let client: MqttClient | undefined;
  let connecting: Promise<MqttClient> | undefined;
  let ending = false;
  const connected = (): Promise<MqttClient> => {
    if (client?.connected) return Promise.resolve(client);
    connecting ??= (async () => {
      for (;;) {
        try {
          const c = await mqtt.connectAsync(opts.url, {
            username: opts.gatewayId,
            password: opts.secret,
            clientId: `${opts.gatewayId}-backlog`,
            clean: true,
            reconnectPeriod: 0,
            connectTimeout: 5000,
          });
          // One close listener per message in flight.
          c.setMaxListeners(opts.inFlight + 10);
          c.on('close', () => {
            if (!ending) opts.log.closesAtMs.push(Date.now());
          });
          client = c;
          return c;
        } catch (error) {
          // A CONNACK with a return code is a refusal; a socket error (platform down) is not.
          const code = (error as { code?: unknown }).code;
          if (typeof code === 'number') opts.log.refusals.push({ atMs: Date.now(), what: `CONNACK ${code}` });
          await sleep(200);
        }
      }
    })().finally(() => {
      connecting = undefined;
    });
    return connecting;
  };
  const publishOnce = (c: MqttClient, payload: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no PUBACK in 20 s')), 20_000);
      const onClose = () => reject(new Error('connection closed'));
      c.once('close', onClose);
      c.publish(opts.topic, payload, { qos: 1 }, (error) => {
        clearTimeout(timer);
        c.off('close', onClose);
        if (error) reject(error);
        else resolve();
      });
    });
  let next = 0;
  const lane = async () => {
    while (next < opts.messages.length) {
      const payload = opts.messages[next++] as string;
      for (;;) {
        try {
          await publishOnce(await connected(), payload);
          break;
        } catch {
          await sleep(100);
        }
      }
      opts.onAcked(payload);
    }
  };
  await Promise.all(Array.from({ length: opts.inFlight }, lane));
  ending = true;
  await client?.endAsync();
}

/** The outcome of one `mosquitto_pub` run. */
export interface PubOutcome {
  readonly ok: boolean;
  /** The broker answered CONNACK with a refusal (not: the broker was down). */
  readonly refused: boolean;
  readonly output: string;
}

/** One `mosquitto_pub -q 1` run (one connection per message, as the README's example): exit 0 once PUBACK'd. */
export function mosquittoPub(opts: {
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly topic: string;
  readonly message: string;
  readonly clientId?: string;
}): Promise<PubOutcome> {
  const args = ['-h', '127.0.0.1', '-p', String(opts.port), '-u', opts.username, '-P', opts.password, '-q', '1'];
  if (opts.clientId !== undefined) args.push('-i', opts.clientId);
  args.push('-t', opts.topic, '-m', opts.message);
  return new Promise((resolve) => {
    execFile('mosquitto_pub', args, { timeout: 20_000 }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`;
      // "Connection Refused: not authorised." is a CONNACK; "Error: Connection refused" a closed port.
      resolve({ ok: error === null, refused: /Connection Refused: /.test(output), output });
    });
  });
}

/** An mqtt.js client connecting from another loopback address (e.g. 127.0.0.9), for per-address limits. */
export function connectFrom(
  localAddress: string,
  port: number,
  options: IClientOptions,
): Promise<{ ok: boolean; code?: number; client?: MqttClient }> {
  return new Promise((resolve) => {
    const client = new mqtt.MqttClient(() => createConnection({ host: '127.0.0.1', port, localAddress }), {
      reconnectPeriod: 0,
      connectTimeout: 5000,
      ...options,
    });
    client.once('connect', () => resolve({ ok: true, client }));
    client.once('error', (error) => {
      client.end(true);
      const code = (error as { code?: unknown }).code;
      resolve({ ok: false, ...(typeof code === 'number' ? { code } : {}) });
    });
    client.once('close', () => resolve({ ok: false }));
  });
}
