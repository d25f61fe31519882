/**
 * A real InfluxDB 1.x (Debian's `influxd`) on a data directory the scale bench chooses, so that a
 * loaded city can be kept in bench/.cache and started again from a copy (the test helper's server
 * always starts empty in a directory of its own).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Child, freePort, procStats, spawnTracked, stopChild, waitUntil } from './proc.js';

/** A running influxd on `dir` (meta/, data/, wal/ and its config inside). */
export interface ScaleInfluxd {
  readonly url: string;
  readonly pid: number;
  /** CPU time of influxd so far (all threads), ms. */
  cpuMs(): Promise<number>;
  /** Resident memory of influxd now and at its peak, bytes. */
  memory(): Promise<{ rssBytes: number; peakRssBytes: number }>;
  /** Sum of the active compactions and cache snapshots of every shard (0 when the engine is idle). */
  busy(): Promise<number>;
  /** SIGTERM (influxd flushes nothing more: its WAL is replayed at the next start). */
  stop(): Promise<void>;
}

/**
 * The server's settings: the test helper's, plus, for a bulk load, cold shards snapshotted and fully
 * compacted within a minute instead of after 10 min and 4 h (InfluxDB's defaults), so that the cached
 * city is what a server holding a year of history would have on disk by the time anyone queries it.
 */
function config(dir: string, httpPort: number, rpcPort: number): string {
  return `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${join(dir, 'meta')}"
[data]
  dir = "${join(dir, 'data')}"
  wal-dir = "${join(dir, 'wal')}"
  query-log-enabled = false
  cache-snapshot-write-cold-duration = "10s"
  compact-full-write-cold-duration = "1m"
[http]
  bind-address = "127.0.0.1:${httpPort}"
  log-enabled = false
  max-body-size = 0
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
[logging]
  level = "error"
`;
}

/** Engine statistics of /debug/vars that count work in progress. */
const ACTIVE =
  /^(cacheCompactionsActive|tsmLevel\dCompactionsActive|tsmOptimizeCompactionsActive|tsmFullCompactionsActive)$/;

/** Starts influxd on `dir` (created by the caller; kept when it stops) on free ports. */
export async function startInfluxdOn(dir: string): Promise<ScaleInfluxd> {
  const [port, rpcPort] = [await freePort(), await freePort()];
  const confPath = join(dir, 'influxdb.conf');
  await writeFile(confPath, config(dir, port, rpcPort));
  const url = `http://127.0.0.1:${port}`;
  const child: Child = spawnTracked('influxd', ['run', '-config', confPath], {});
  // A large WAL takes a while to replay on a busy machine.
  await waitUntil(
    'influxd answers /ping',
    async () => {
      if (child.process.exitCode !== null) throw new Error(`influxd exited: ${child.output()}`);
      return fetch(`${url}/ping`).then(
        (r) => r.status === 204,
        () => false,
      );
    },
    600_000,
    100,
  );
  return {
    url,
    pid: child.pid,
    cpuMs: async () => (await procStats(child.pid)).cpuMs,
    memory: async () => {
      const s = await procStats(child.pid);
      return { rssBytes: s.rssBytes, peakRssBytes: s.peakRssBytes };
    },
    busy: async () => {
      const vars = (await (await fetch(`${url}/debug/vars`)).json()) as Record<
        string,
        { name?: string; values?: Record<string, number> }
      >;
      let active = 0;
      for (const v of Object.values(vars)) {
        if (v?.name !== 'tsm1_engine') continue;
        for (const [k, n] of Object.entries(v.values ?? {})) if (ACTIVE.test(k)) active += n;
      }
      return active;
    },
    stop: () => stopChild(child, 60_000),
  };
}
