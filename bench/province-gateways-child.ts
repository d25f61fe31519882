/**
 * A share of the province's gateways, in a process of its own (run by province-gateways.ts): one
 * mqtt.js connection per gateway, as the gateways of a province would hold them. 20,000 sockets do
 * not fit one process here (20,000 open files per process, the hard limit), nor should the load
 * generator share the platform's process. Commands arrive over IPC; each is answered when done.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { readingsTopic } from '../core/domain/topics.js';
import { bounded } from './load.js';
import { gatewayIdOf, gatewayMessages, metersOfGateway, type ProvinceSpec, secretOf } from './province-city.js';

/** What the parent asks for. */
export type GatewayCommand =
  | { readonly type: 'init'; readonly url: string; readonly spec: ProvinceSpec; readonly gateways: readonly number[] }
  | { readonly type: 'connect'; readonly gateways: readonly number[]; readonly concurrency: number }
  | {
      readonly type: 'publish';
      readonly startMs: number;
      readonly fromStep: number;
      readonly toStep: number;
      readonly perMessage: number;
      readonly maxInFlight: number;
    }
  | { readonly type: 'end' };

/** What a command did. */
export interface GatewayAnswer {
  readonly connected: number;
  readonly messages: number;
  readonly readings: number;
  /** Connections the broker closed since the previous answer (gateways then reconnect and resend). */
  readonly disconnects: number;
  readonly error?: string;
}

let url = '';
let spec: ProvinceSpec = { meters: 0, gateways: 0, coldGateways: 0 };
let mine: readonly number[] = [];
const clients = new Map<number, MqttClient>();
/** Rejects when a client's connection closes (one per client, however many publishes wait). */
const closedOf = new WeakMap<MqttClient, Promise<never>>();
let disconnects = 0;
let ending = false;

/** Connections under way, so that two messages of a gateway never open two connections. */
const connecting = new Map<number, Promise<MqttClient>>();

function connect(g: number): Promise<MqttClient> {
  let pending = connecting.get(g);
  if (pending === undefined) {
    pending = open(g).finally(() => connecting.delete(g));
    connecting.set(g, pending);
  }
  return pending;
}

async function open(g: number): Promise<MqttClient> {
  const client = await mqtt.connectAsync(
    url,
    {
      username: gatewayIdOf(g),
      password: secretOf(spec, g),
      clientId: `province-${gatewayIdOf(g)}`,
      reconnectPeriod: 0,
      connectTimeout: 900_000,
      keepalive: 60,
    },
    false,
  );
  const closed = new Promise<never>((_, reject) =>
    client.once('close', () => {
      if (!ending) disconnects++;
      if (clients.get(g) === client) clients.delete(g);
      reject(new Error('closed'));
    }),
  );
  closed.catch(() => undefined);
  closedOf.set(client, closed);
  clients.set(g, client);
  return client;
}

/** Publishes at QoS 1; a gateway whose connection closed reconnects and sends the message again. */
async function publish(g: number, payload: string): Promise<void> {
  for (;;) {
    const client = clients.get(g) ?? (await connect(g));
    try {
      await Promise.race([
        client.publishAsync(readingsTopic(gatewayIdOf(g)), payload, { qos: 1 }),
        closedOf.get(client),
      ]);
      return;
    } catch {
      if (client.connected) await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function run(command: GatewayCommand): Promise<Omit<GatewayAnswer, 'disconnects'>> {
  switch (command.type) {
    case 'init':
      ({ url, spec } = command);
      mine = command.gateways;
      return { connected: 0, messages: 0, readings: 0 };
    case 'connect':
      ending = false;
      await bounded(
        command.gateways.map((g) => () => (clients.has(g) ? Promise.resolve() : connect(g))),
        command.concurrency,
      );
      return { connected: clients.size, messages: 0, readings: 0 };
    case 'publish': {
      // Each gateway sends its own buffer in time order; all gateways at once (interleaved).
      const perGateway = mine.map((g) => ({ g, messages: gatewayMessages(spec, g, command) }));
      const rounds = Math.max(0, ...perGateway.map((p) => p.messages.length));
      let messages = 0;
      let readings = 0;
      function* tasks() {
        for (let m = 0; m < rounds; m++)
          for (const p of perGateway) {
            const payload = p.messages[m];
            if (payload === undefined) continue;
            messages++;
            yield () => publish(p.g, payload);
          }
      }
      for (const g of mine) readings += metersOfGateway(spec, g).length * (command.toStep - command.fromStep + 1);
      await bounded(tasks(), command.maxInFlight);
      return { connected: clients.size, messages, readings };
    }
    case 'end':
      ending = true;
      await Promise.all([...clients.values()].map((c) => c.endAsync(true).catch(() => undefined)));
      clients.clear();
      return { connected: 0, messages: 0, readings: 0 };
  }
}

process.on('message', (command: GatewayCommand) => {
  run(command).then(
    (answer) => {
      process.send?.({ ...answer, disconnects } satisfies GatewayAnswer);
      disconnects = 0;
    },
    (error: unknown) =>
      process.send?.({
        connected: clients.size,
        messages: 0,
        readings: 0,
        disconnects,
        error: String(error),
      } satisfies GatewayAnswer),
  );
});
