/**
 * Mosquitto as the reference broker: the same publishers and counting subscriber run against it
 * when `mosquitto` is on PATH (Debian: `apt-get install -y mosquitto`); otherwise its figures are
 * skipped with a note.
 */
import { access, constants, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { type BrokerTarget, closeAll, connectAll } from './load.js';
import {
  type Child,
  freePort,
  makeTempDir,
  procStats,
  removeTempDir,
  spawnTracked,
  stopChild,
  waitUntil,
} from './proc.js';

/** Absolute path of `mosquitto` on PATH, or undefined. */
export async function findMosquitto(): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'mosquitto');
    const found = await access(candidate, constants.X_OK).then(
      () => true,
      () => false,
    );
    if (found) return candidate;
  }
  return undefined;
}

/** Why Mosquitto figures are missing when they are. */
export const NO_MOSQUITTO = 'mosquitto not on PATH: Mosquitto comparison skipped (apt-get install -y mosquitto)';

/** A Mosquitto broker in a child process on a free port. */
export interface Mosquitto {
  readonly target: BrokerTarget;
  readonly pid: number;
  stats(): ReturnType<typeof procStats>;
  stop(): Promise<void>;
}

export async function startMosquitto(binary: string): Promise<Mosquitto> {
  const dir = await makeTempDir('jieneng-bench-mosquitto-');
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  // Anonymous, no persistence; no cap on the queue of a subscriber so that QoS 0 deliveries to
  // the counting subscriber are not dropped (its default is 1000 messages).
  await writeFile(
    conf,
    [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'max_queued_messages 0', ''].join('\n'),
  );
  let child: Child | undefined;
  try {
    child = spawnTracked(binary, ['-c', conf], { cwd: dir });
    const started = child;
    const url = `mqtt://127.0.0.1:${port}`;
    await waitUntil(
      'mosquitto to accept connections',
      async () => {
        if (started.process.exitCode !== null) throw new Error(`mosquitto exited early:\n${started.output()}`);
        return connectAll(url, [{ username: 'probe', password: 'probe' }]).then(
          async (clients) => {
            await closeAll(clients);
            return true;
          },
          () => false,
        );
      },
      10_000,
      50,
    );
    const anyone = { username: 'bench', password: 'bench' };
    return {
      target: { url, gatewayLogin: (id) => ({ username: id, password: 'bench' }), subscriberLogin: anyone },
      pid: started.pid,
      stats: () => procStats(started.pid),
      stop: async () => {
        await stopChild(started);
        await removeTempDir(dir);
      },
    };
  } catch (error) {
    if (child !== undefined) await stopChild(child, 2000);
    await removeTempDir(dir);
    throw error;
  }
}
