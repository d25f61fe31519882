import { rm } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type Influxd, startInfluxd } from './influxd.js';

/** What `influxdForSuite` gives a describe block. */
export interface InfluxdSuite {
  /** The block's influxd (started before its first test). */
  influxd(): Influxd;
  /** Directories the tests make: removed after the block. */
  readonly dirs: string[];
  /** Stores the tests open: closed after each test. */
  readonly open: { close(): Promise<void> }[];
}

/**
 * One real influxd for a describe block, started before its tests and stopped after them, with the
 * stores its tests open (closed after each test) and the directories they make (removed at the end).
 */
export function influxdForSuite(): InfluxdSuite {
  let server: Influxd | undefined;
  const dirs: string[] = [];
  const open: { close(): Promise<void> }[] = [];
  beforeAll(async () => {
    server = await startInfluxd();
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });
  afterAll(async () => {
    await server?.stop();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });
  return {
    influxd: () => {
      if (server === undefined) throw new Error('influxd is not started yet (call it inside a test)');
      return server;
    },
    dirs,
    open,
  };
}
