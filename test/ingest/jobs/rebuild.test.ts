import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type HourlyConsumption, MICRO } from '../../../core/domain/consumption.js';
import { readingsTopic } from '../../../core/domain/topics.js';
import { createMetrics } from '../../../core/metrics.js';
import { RegistryHolder } from '../../../core/registry-holder.js';
import { EmbeddedStore } from '../../../core/storage/duckdb/embedded-store.js';
import type { Store } from '../../../core/storage/store.js';
import { rebuildJob } from '../../../ingest/jobs/rebuild.js';
import { JobRunner } from '../../../ingest/jobs/runner.js';
import { IngestPipeline } from '../../../ingest/pipeline.js';
import { derivedHours, type HourAmount, storedHours } from '../../helpers/hours.js';
import { startTestPlatform, type TestPlatform } from '../../helpers/platform.js';
import { oneBuildingRegistry, smallCity } from '../../helpers/registry.js';

const H = 3_600_000;
const T0 = Date.parse('2026-11-01T00:00:00+08:00');
const registry = oneBuildingRegistry([{ id: 'm1' }, { id: 'm2' }]);

const hours = (store: Store, meterId: string) => storedHours(store, meterId, 0, T0 + 400 * 24 * H, 'UTC');

async function fromScratch(store: Store, meterId: string): Promise<HourAmount[]> {
  const meter = registry.meters.find((m) => m.id === meterId);
  if (meter === undefined) throw new Error('no meter');
  return derivedHours(meter, await store.readings(meterId, 0, T0 + 400 * 24 * H), 0, T0 + 400 * 24 * H);
}

/** A wrong hourly row, written straight through the store as a bug or a bad restore could. */
const wrong = (meterId: string, hourStartMs: number, amount: number): HourlyConsumption => ({
  meterId,
  hourStartMs,
  amountMicro: amount * MICRO,
  estimatedMicro: 0,
  quality: 'good',
  readingsCount: 1,
});

describe('the rebuild job', () => {
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
      flushMs: 60_000,
      clockSkewMaxMs: 600_000,
      now: () => T0 + 86_400_000,
    });
    await pipeline.start();
  });
  afterEach(async () => {
    await pipeline.stop();
    await store.close();
  });

  it('finds the hours that differ from the raw readings, replaces them, and reports the meter', async () => {
    for (const meter of ['m1', 'm2']) {
      const readings = Array.from({ length: 16 }, (_, k) => ({ meter, ts: T0 + k * 900_000, value: 10 + k * 1.5 }));
      await pipeline.submit('g', readingsTopic('g'), JSON.stringify({ readings }));
    }
    await pipeline.drain();
    const good = await hours(store, 'm1');
    // One hour with a wrong amount, one hour that nothing derives.
    await store.replaceHourly(
      [
        { meterId: 'm1', fromMs: T0 + H, toMs: T0 + 2 * H },
        { meterId: 'm1', fromMs: T0 + 50 * H, toMs: T0 + 51 * H },
      ],
      [wrong('m1', T0 + H, 999), wrong('m1', T0 + 50 * H, 5)],
    );
    expect(await hours(store, 'm1')).not.toEqual(good);

    const runner = new JobRunner([rebuildJob(pipeline)], {
      timeZone: 'Asia/Shanghai',
      logger: pino({ level: 'silent' }),
    });
    const state = await runner.run('rebuild');
    expect(state.lastRun).toMatchObject({
      outcome: 'ok',
      detail: { meters: 2, corrected: [{ meterId: 'm1', hours: 2 }] },
    });
    expect(await hours(store, 'm1')).toEqual(good);
    expect(await hours(store, 'm1')).toEqual(await fromScratch(store, 'm1'));
    expect(await hours(store, 'm2')).toEqual(await fromScratch(store, 'm2'));
    expect((await runner.run('rebuild')).lastRun?.detail).toEqual({ meters: 2, corrected: [] });
  });
});

describe('POST /api/v1/jobs/rebuild/run', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
    expect((await t.api('PUT', '/api/v1/registry', smallCity())).status).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('runs the rebuild on demand and reports the corrected meter', async () => {
    const start = Math.floor((Date.now() - 6 * H) / H) * H;
    const readings = Array.from({ length: 12 }, (_, k) => ({ meter: 'm-hvac', ts: start + k * 900_000, value: k * 2 }));
    await t.platform.pipeline.submit('gw-001', readingsTopic('gw-001'), JSON.stringify({ readings }));
    await t.platform.pipeline.drain();
    await t.platform.store.replaceHourly(
      [{ meterId: 'm-hvac', fromMs: start, toMs: start + H }],
      [wrong('m-hvac', start, 12_345)],
    );
    const res = await t.api<{ lastRun: { outcome: string; detail: unknown } }>('POST', '/api/v1/jobs/rebuild/run');
    expect(res.status).toBe(200);
    expect(res.body.lastRun).toMatchObject({
      outcome: 'ok',
      detail: { meters: t.platform.registry.get().meters.length, corrected: [{ meterId: 'm-hvac', hours: 1 }] },
    });
  });
});
