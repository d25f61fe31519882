import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../core/metrics.js';
import { RegistryHolder } from '../../core/registry-holder.js';
import { EmbeddedStore } from '../../core/storage/duckdb/embedded-store.js';
import { IngestPipeline } from '../../ingest/pipeline.js';
import { oneBuildingRegistry } from '../helpers/registry.js';

/**
 * External broker mode: a message is acknowledged (its `submit` resolves) only once its readings
 * are in the store, so a worker that dies holds nothing the broker would not hand out again.
 */
const registry = oneBuildingRegistry([{ id: 'm' }]);
const T0 = Date.parse('2026-11-01T00:00:00+08:00');

describe('IngestPipeline with ackAfterStore', () => {
  let store: EmbeddedStore;
  let pipeline: IngestPipeline;
  beforeEach(async () => {
    store = await EmbeddedStore.open({ dataDir: ':memory:', timeZone: 'Asia/Shanghai' });
    await store.saveRegistry(registry);
    pipeline = new IngestPipeline({
      store,
      registry: new RegistryHolder(registry),
      metrics: createMetrics(),
      logger: pino({ level: 'silent' }),
      batchMax: 1000,
      // Far longer than the test: only ackAfterStore's immediate writes can store anything.
      flushMs: 60_000,
      clockSkewMaxMs: 600_000,
      soleWriter: false,
      ackAfterStore: true,
      now: () => T0 + 86_400_000,
    });
    await pipeline.start();
  });
  afterEach(async () => {
    await pipeline.stop();
    await store.close();
  });

  it("resolves each message's submit only once its readings are stored, and not for another's", async () => {
    const message = (from: number) =>
      JSON.stringify({
        readings: [0, 1, 2].map((k) => ({ meter: 'm', ts: T0 + (from + k) * 900_000, value: from + k })),
      });
    const seen: number[] = [];
    const count = async () => (await store.readings('m', T0 - 1, T0 + 86_400_000)).length;
    const first = pipeline.submit('g', 'jieneng/v1/g/readings', message(0)).then(async () => seen.push(await count()));
    const second = pipeline.submit('g', 'jieneng/v1/g/readings', message(3)).then(async () => seen.push(await count()));
    await Promise.all([first, second]);
    // Each submit saw at least its own three readings stored when it resolved.
    expect(seen.length).toBe(2);
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(3);
    expect(Math.max(...seen)).toBe(6);
    expect(await count()).toBe(6);
  });
});
