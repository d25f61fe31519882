/**
 * The platform as users run it (`npm start`: the bundle of `server/main.ts`), in a child process of its own, so that its
 * CPU time and resident memory can be read from /proc apart from the load generators.
 */
import { join } from 'node:path';
import { buildServer, START_ENV, startArgs } from '../server/build.js';
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

/** Admin API token of every platform the benchmarks start (also the MQTT `service` password). */
export const BENCH_TOKEN = 'bench-admin-token-0123456789';

const REPO_ROOT = join(import.meta.dirname, '..');

/**
 * Per-gateway MQTT message rate and per-token API rate raised out of the way: a load test's few
 * gateways each stand for many real ones (a real gateway sends a message or two per interval),
 * and its pollers call the API far more often than a user. Figures that use this say so.
 */
export const UNLIMITED_RATES: Readonly<Record<string, string>> = Object.freeze({
  MQTT_MAX_MESSAGES_PER_S: '1000000',
  API_RATE_LIMIT_PER_MIN: '1000000',
});

/** A small client of the platform's HTTP API. */
export interface ApiClient {
  readonly baseUrl: string;
  /** Sends a request with the admin token; throws on a non-2xx answer. */
  json<T>(method: string, path: string, body?: unknown): Promise<T>;
  text(path: string): Promise<string>;
}

export function apiClient(baseUrl: string, token = BENCH_TOKEN): ApiClient {
  const request = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${(await res.text()).slice(0, 500)}`);
    return res;
  };
  return {
    baseUrl,
    json: async <T>(method: string, path: string, body?: unknown) =>
      (await (await request(method, path, body)).json()) as T,
    text: async (path: string) => (await request('GET', path)).text(),
  };
}

/** A platform running in a child process on free ports and a temporary DATA_DIR. */
export interface PlatformChild {
  readonly pid: number;
  readonly api: ApiClient;
  readonly mqttUrl: string;
  /** VmRSS, VmHWM and CPU time of the platform process. */
  stats(): ReturnType<typeof procStats>;
  /** The last few kB of the platform's own output (warnings and errors). */
  output(): string;
  /** Readings the platform has stored so far (its `jieneng_readings_accepted_total`). */
  acceptedReadings(): Promise<number>;
  /** The V8 heap in use and the memory held outside it by JS objects (Buffers), from /metrics. */
  heap(): Promise<{ usedBytes: number; externalBytes: number }>;
  /** Stops the process (SIGTERM, as closeWithGrace expects) and removes its DATA_DIR. */
  stop(): Promise<void>;
}

/** The bundle is built once per bench run, as `npm start` builds it (prestart). */
let bundle: Promise<string> | undefined;

/**
 * Starts the platform as `npm start` runs it (the bundle of server/main.ts, plain Node, its
 * environment) with DEMO=off, and waits until /healthz answers. Node is spawned directly, not
 * through npm, so that the pid we read is the platform's, not a launcher's. With `dataDir` (e.g. a
 * store seeded beforehand, or a restart on the same store) the directory is the caller's: `stop`
 * leaves it; otherwise a temporary one is made and removed.
 */
export async function startPlatformChild(
  env: Record<string, string> = {},
  options: { readonly dataDir?: string } = {},
): Promise<PlatformChild> {
  const owned = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await makeTempDir('jieneng-bench-child-'));
  // Ports given in `env` are kept (a restart on the same addresses).
  const port = env.PORT ?? String(await freePort());
  const mqttPort = env.MQTT_PORT ?? String(await freePort());
  let child: Child | undefined;
  try {
    bundle ??= buildServer();
    child = spawnTracked(process.execPath, [...startArgs({ ...process.env, ...env }), await bundle], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ...START_ENV,
        DEMO: 'off',
        HOST: '127.0.0.1',
        MQTT_HOST: '127.0.0.1',
        PORT: port,
        MQTT_PORT: mqttPort,
        DATA_DIR: dataDir,
        ADMIN_TOKEN: BENCH_TOKEN,
        LOG_LEVEL: 'warn',
        ...env,
      },
    });
    const started = child;
    const api = apiClient(`http://127.0.0.1:${port}`);
    await waitUntil(
      'the platform child to answer /healthz',
      async () => {
        if (started.process.exitCode !== null) throw new Error(`platform exited early:\n${started.output()}`);
        return fetch(`${api.baseUrl}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
      },
      60_000,
      100,
    );
    return {
      pid: started.pid,
      api,
      mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
      stats: () => procStats(started.pid),
      output: () => started.output(),
      acceptedReadings: async () => {
        const text = await api.text('/metrics');
        return Number(/^jieneng_readings_accepted_total\s+(\S+)/m.exec(text)?.[1] ?? 0);
      },
      heap: async () => {
        const text = await api.text('/metrics');
        const gauge = (name: string) => Number(new RegExp(`^${name}\\s+(\\S+)`, 'm').exec(text)?.[1] ?? Number.NaN);
        return {
          usedBytes: gauge('nodejs_heap_size_used_bytes'),
          externalBytes: gauge('nodejs_external_memory_bytes'),
        };
      },
      stop: async () => {
        await stopChild(started);
        if (owned) await removeTempDir(dataDir);
      },
    };
  } catch (error) {
    if (child !== undefined) await stopChild(child, 2000);
    if (owned) await removeTempDir(dataDir);
    throw error;
  }
}
