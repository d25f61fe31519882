/**
 * The province's gateways spread over child processes (province-gateways-child.ts), each holding
 * its share of the connections: commands go to every process at once and their answers are summed.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { ProvinceSpec } from './province-city.js';
import type { GatewayAnswer, GatewayCommand } from './province-gateways-child.js';

const CHILD = join(import.meta.dirname, 'province-gateways-child.ts');
const forked = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of forked) child.kill('SIGKILL');
});

/** Gateways in child processes. */
export interface GatewayFleet {
  /** Connects the given gateways (all of them by default) not connected yet, `concurrency` at a time per process. */
  connect(gateways?: readonly number[], concurrency?: number): Promise<GatewayAnswer>;
  /** Every gateway publishes steps [fromStep, toStep] of its meters in time order, all at once. */
  publish(w: {
    startMs: number;
    fromStep: number;
    toStep: number;
    perMessage: number;
    maxInFlight: number;
  }): Promise<GatewayAnswer>;
  /** Closes every connection (not counted as disconnects). */
  disconnect(): Promise<void>;
  /** Closes the connections and ends the processes. */
  close(): Promise<void>;
}

function ask(child: ChildProcess, command: GatewayCommand): Promise<GatewayAnswer> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`gateway process exited (${code}) during ${command.type}`));
    child.once('exit', onExit);
    child.once('message', (answer: GatewayAnswer) => {
      child.off('exit', onExit);
      if (answer.error !== undefined) reject(new Error(`gateway process: ${answer.error}`));
      else resolve(answer);
    });
    child.send(command);
  });
}

const sum = (answers: readonly GatewayAnswer[]): GatewayAnswer => ({
  connected: answers.reduce((n, a) => n + a.connected, 0),
  messages: answers.reduce((n, a) => n + a.messages, 0),
  readings: answers.reduce((n, a) => n + a.readings, 0),
  disconnects: answers.reduce((n, a) => n + a.disconnects, 0),
});

/** Starts `processes` child processes sharing the gateways of `spec` (round robin) and points them at `url`. */
export async function startGatewayFleet(url: string, spec: ProvinceSpec, processes: number): Promise<GatewayFleet> {
  const shares = Array.from({ length: processes }, (_, p) =>
    Array.from({ length: spec.gateways }, (_, g) => g).filter((g) => g % processes === p),
  );
  const children = shares.map(() => {
    const child = fork(CHILD, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    forked.add(child);
    child.once('exit', () => forked.delete(child));
    return child;
  });
  const all = async (command: (share: readonly number[]) => GatewayCommand) =>
    sum(await Promise.all(children.map((child, p) => ask(child, command(shares[p] ?? [])))));
  await all((gateways) => ({ type: 'init', url, spec, gateways }));
  return {
    connect: (gateways, concurrency = 32) => {
      const wanted = gateways === undefined ? undefined : new Set(gateways);
      return all((share) => ({
        type: 'connect',
        gateways: wanted === undefined ? share : share.filter((g) => wanted.has(g)),
        concurrency,
      }));
    },
    publish: (w) => all(() => ({ type: 'publish', ...w })),
    disconnect: async () => {
      await all(() => ({ type: 'end' }));
    },
    close: async () => {
      await Promise.all(
        children.map(async (child) => {
          if (child.connected) await ask(child, { type: 'end' }).catch(() => undefined);
          if (child.exitCode === null) child.kill();
        }),
      );
    },
  };
}
