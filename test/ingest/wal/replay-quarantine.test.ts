import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../../core/metrics.js';
import { RegistryHolder } from '../../../core/registry-holder.js';
import { EmbeddedStore } from '../../../core/storage/duckdb/embedded-store.js';
import { IngestPipeline } from '../../../ingest/pipeline.js';
import { HEADER_BYTES } from '../../../ingest/wal/frame.js';
import { WriteAheadLog } from '../../../ingest/wal/log.js';
import { encodeReadingsRecord } from '../../../ingest/wal/readings-record.js';
import { oneBuildingRegistry } from '../../helpers/registry.js';
import { type Faults, failingStore } from '../failing-store.js';

/** Issue "No device can stop ingest": no record of the write-ahead log can keep the platform from starting. */
const registry = oneBuildingRegistry([{ id: 'a' }, { id: 'bad' }]);
const T0 = Date.parse('2026-11-01T00:00:00+08:00');
const record = (meterId: string, from: number) =>
  encodeReadingsRecord({
    gatewayId: 'g',
    receivedAtMs: T0 + 86_400_000,
    readings: [0, 1, 2].map((k) => ({ meterId, tsMs: T0 + (from + k) * 900_000, value: 10 + from + k })),
  });

describe('write-ahead log replay at start', () => {
  let dir: string;
  let store: EmbeddedStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jieneng-wal-replay-'));
    store = await EmbeddedStore.open({ dataDir: join(dir, 'data'), timeZone: 'Asia/Shanghai' });
    await store.saveRegistry(registry);
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('starts, stores the good records and quarantines the ones it cannot apply or decode', async () => {
    const walDir = join(dir, 'wal');
    const before = await WriteAheadLog.open({ dir: walDir });
    const damaged = record('a', 20);
    const appended = [
      before.append(record('a', 0)), // 1: good
      before.append(record('bad', 0)), // 2: its store write throws
      before.append(Buffer.from('{"g":"g","t":1,"r":"not a list"}')), // 3: undecodable
      before.append(damaged), // 4: damaged on disk below
      before.append(record('a', 3)), // 5: good, after the damaged one in the same segment
    ];
    await Promise.all(appended.map((a) => a.durable));
    // No close: as after a crash. Then a bit flips in record 4's payload.
    const segment = join(walDir, (await readdir(walDir)).find((n) => n.endsWith('.wal')) as string);
    const bytes = await readFile(segment);
    const at = bytes.indexOf(damaged) + 5;
    expect(at).toBeGreaterThan(HEADER_BYTES);
    bytes[at] = (bytes[at] as number) ^ 0x01;
    const flipped = Buffer.from(bytes.subarray(at - 5, at - 5 + damaged.length));
    await writeFile(segment, bytes);

    const faults: Faults = { failures: 0, badMeter: 'bad' };
    const metrics = createMetrics();
    const wal = await WriteAheadLog.open({ dir: walDir });
    const pipeline = new IngestPipeline({
      store: failingStore(store, faults),
      registry: new RegistryHolder(registry),
      metrics,
      logger: pino({ level: 'silent' }),
      batchMax: 2,
      flushMs: 60_000,
      clockSkewMaxMs: 600_000,
      wal,
      now: () => T0 + 86_400_000,
    });
    await expect(pipeline.start()).resolves.toBeUndefined();

    expect((await store.readings('a', 0, T0 + 86_400_000)).map((r) => r.value)).toEqual([10, 11, 12, 13, 14, 15]);
    expect(await store.readings('bad', 0, T0 + 86_400_000)).toEqual([]);
    const letters = (await store.deadLetters(0, T0 + 2 * 86_400_000, 100)).filter((d) => d.code === 'store_failed');
    const quarantined = letters.filter((d) => d.meterId === 'bad').map((d) => JSON.parse(d.raw) as { ts: number });
    expect(quarantined.sort((x, y) => x.ts - y.ts)).toEqual(
      [0, 1, 2].map((k) => ({ meter: 'bad', ts: T0 + k * 900_000, value: 10 + k })),
    );
    const whole = letters.filter((d) => d.meterId === undefined).sort((x, y) => x.reason.localeCompare(y.reason));
    expect(whole.map((d) => d.reason)).toEqual([
      expect.stringMatching(/^store_failed: write-ahead log record 3 cannot be decoded/),
      expect.stringMatching(/^store_failed: write-ahead log record 4 cannot be decoded: damaged on disk/),
    ]);
    expect(whole.map((d) => Buffer.from(d.raw, 'base64'))).toEqual([
      Buffer.from('{"g":"g","t":1,"r":"not a list"}'),
      flipped,
    ]);

    // Everything is stored or quarantined: the log is checkpointed past it, nothing replays again.
    await pipeline.stop();
    await wal.close();
    const again = await WriteAheadLog.open({ dir: walDir });
    const replayed = [];
    for await (const r of again.replay()) replayed.push(r);
    expect(replayed).toEqual([]);
    await Promise.all([before.close(), again.close()]);
  });

  it('never checkpoints past what it has replayed: a replay cut short by an outage loses nothing', async () => {
    const walDir = join(dir, 'wal');
    // One record per segment (every group of records starts a new one past 1 byte).
    const before = await WriteAheadLog.open({ dir: walDir, segmentMaxBytes: 1 });
    for (let m = 0; m < 5; m++) await before.append(record('a', 3 * m)).durable;
    const faults: Faults = { failures: 0 };
    const real = failingStore(store, faults);
    // The store goes down right after the first write of the replay.
    const flaky = new Proxy(real, {
      get(target, prop, receiver) {
        if (prop !== 'replaceHourly') return Reflect.get(target, prop, receiver);
        return async (...args: Parameters<typeof real.replaceHourly>) => {
          await target.replaceHourly(...args);
          faults.down = true;
        };
      },
    });
    const wal = await WriteAheadLog.open({ dir: walDir });
    const pipeline = new IngestPipeline({
      store: flaky,
      registry: new RegistryHolder(registry),
      metrics: createMetrics(),
      logger: pino({ level: 'silent' }),
      batchMax: 3,
      flushMs: 60_000,
      clockSkewMaxMs: 600_000,
      wal,
      now: () => T0 + 86_400_000,
    });
    await expect(pipeline.start()).rejects.toThrow(/could not write/);
    await pipeline.stop().catch(() => undefined);
    await wal.close();
    expect((await store.readings('a', 0, T0 + 86_400_000)).length).toBe(3);
    const again = await WriteAheadLog.open({ dir: walDir });
    const left: number[] = [];
    for await (const r of again.replay()) left.push(r.seq);
    expect(left).toEqual([2, 3, 4, 5]);
    await Promise.all([before.close(), again.close()]);
  });
});
