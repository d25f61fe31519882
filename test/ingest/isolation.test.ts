import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMetrics, type Metrics } from '../../core/metrics.js';
import { RegistryHolder } from '../../core/registry-holder.js';
import { EmbeddedStore } from '../../core/storage/duckdb/embedded-store.js';
import type { StoredReading } from '../../core/storage/store.js';
import { Deriver } from '../../ingest/deriver.js';
import { IngestPipeline } from '../../ingest/pipeline.js';
import { derivedHours, type HourAmount, storedHours } from '../helpers/hours.js';
import { oneBuildingRegistry } from '../helpers/registry.js';
import { type Faults, failingStore } from './failing-store.js';

/** Issue "No device can stop ingest": one meter's failure is its own, never its batch's. */
const H = 3_600_000;
const T0 = Date.parse('2026-11-01T00:00:00+08:00');
const registry = oneBuildingRegistry([{ id: 'a' }, { id: 'b' }, { id: 'bad' }]);
const TOPIC = 'jieneng/v1/g/readings';

function message(meters: readonly string[], from: number, count: number): string {
  const readings = [];
  for (const meter of meters)
    for (let k = 0; k < count; k++) readings.push({ meter, ts: T0 + (from + k) * 900_000, value: 100 + from + k });
  return JSON.stringify({ readings });
}

const hourly = (store: EmbeddedStore, meterId: string) => storedHours(store, meterId, T0 - 24 * H, T0 + 30 * 24 * H);

async function fromScratch(store: EmbeddedStore, meterId: string): Promise<HourAmount[]> {
  const meter = registry.meters.find((m) => m.id === meterId);
  if (meter === undefined) throw new Error('no meter');
  const readings = await store.readings(meterId, 0, T0 + 30 * 24 * H);
  return derivedHours(meter, readings, T0 - 24 * H, T0 + 30 * 24 * H);
}

async function counter(metrics: Metrics, name: string, reason?: string): Promise<number> {
  const json = await metrics.registry.getMetricsAsJSON();
  const values = json.find((m) => m.name === name)?.values ?? [];
  return values.filter((v) => reason === undefined || v.labels.reason === reason).reduce((s, v) => s + v.value, 0);
}

describe('IngestPipeline isolates a failing meter (real embedded store)', () => {
  let store: EmbeddedStore;
  let faults: Faults;
  let metrics: Metrics;
  let pipeline: IngestPipeline;
  beforeEach(async () => {
    store = await EmbeddedStore.open({ dataDir: ':memory:', timeZone: 'Asia/Shanghai' });
    await store.saveRegistry(registry);
    faults = { failures: 0 };
    metrics = createMetrics();
    pipeline = new IngestPipeline({
      store: failingStore(store, faults),
      registry: new RegistryHolder(registry),
      metrics,
      logger: pino({ level: 'silent' }),
      batchMax: 1000,
      // Far longer than the test: writes happen on drain() (or the outage back-off).
      flushMs: 60_000,
      clockSkewMaxMs: 600_000,
      now: () => T0 + 86_400_000,
    });
    await pipeline.start();
  });
  afterEach(async () => {
    await pipeline.stop().catch(() => undefined);
    await store.close();
  });

  it('stores the other meters of the batch and quarantines the failing one, once, without retrying forever', async () => {
    faults.badMeter = 'bad';
    await pipeline.submit('g', TOPIC, message(['a', 'b', 'bad'], 0, 8));
    await pipeline.submit('g', TOPIC, message(['a'], 8, 4));
    await pipeline.drain();
    expect((await store.readings('a', 0, T0 + 86_400_000)).length).toBe(12);
    expect((await store.readings('b', 0, T0 + 86_400_000)).length).toBe(8);
    expect(await store.readings('bad', 0, T0 + 86_400_000)).toEqual([]);
    for (const id of ['a', 'b']) expect(await hourly(store, id)).toEqual(await fromScratch(store, id));
    // Bounded: the whole batch once (the error is not transient), then O(log meters) halves.
    expect(faults.failures).toBeLessThanOrEqual(4);

    const letters = (await store.deadLetters(0, T0 + 2 * 86_400_000, 100)).filter((d) => d.code === 'store_failed');
    expect(letters).toHaveLength(8);
    for (const [k, d] of letters.entries()) {
      expect(d).toMatchObject({ gatewayId: 'g', meterId: 'bad', topic: TOPIC });
      expect(d.reason).toBe('store_failed: Conversion Error: value out of range for DECIMAL(18,6)');
      expect(JSON.parse(d.raw)).toEqual({ meter: 'bad', ts: d.tsMs, value: expect.any(Number) });
      expect(letters.map((l) => l.tsMs)).toContain(T0 + k * 900_000);
    }
    expect(await counter(metrics, 'jieneng_readings_quarantined_total')).toBe(8);
    expect(await counter(metrics, 'jieneng_readings_rejected_total', 'store_failed')).toBe(8);
    const anomalies = await store.anomalies({ fromMs: 0, toMs: T0 + 10 * 86_400_000, type: 'store_failed' });
    expect(anomalies).toHaveLength(1);
    expect(anomalies[0]).toMatchObject({ scope: 'meter:bad', status: 'open', energy: 'electricity' });

    // Once the cause is fixed, an admin re-submits the quarantined readings as they are.
    faults.badMeter = undefined;
    for (const d of letters) await pipeline.submit(d.gatewayId ?? '', d.topic ?? '', d.raw);
    await pipeline.drain();
    expect((await store.readings('bad', 0, T0 + 86_400_000)).length).toBe(8);
    expect(await hourly(store, 'bad')).toEqual(await fromScratch(store, 'bad'));
  });

  it('keeps the state of a meter whose write failed consistent: its next readings derive right', async () => {
    faults.badMeter = 'a';
    await pipeline.submit('g', TOPIC, message(['a', 'b'], 0, 6));
    await pipeline.drain();
    faults.badMeter = undefined;
    await pipeline.submit('g', TOPIC, message(['a', 'b'], 6, 6));
    await pipeline.drain();
    expect((await store.readings('a', 0, T0 + 86_400_000)).map((r) => r.tsMs)).toEqual(
      Array.from({ length: 6 }, (_, k) => T0 + (6 + k) * 900_000),
    );
    for (const id of ['a', 'b']) expect(await hourly(store, id)).toEqual(await fromScratch(store, id));
  });

  it('keeps readings queued while the store is down and stores them when it is back (capped back-off)', async () => {
    faults.down = true;
    const submitted = pipeline.submit('g', TOPIC, message(['a', 'b'], 0, 4));
    await expect(pipeline.drain()).rejects.toThrow(/could not write/);
    await submitted;
    expect(await store.readings('a', 0, T0 + 86_400_000)).toEqual([]);
    faults.down = false;
    // The back-off timer retries by itself.
    await expect.poll(async () => (await store.readings('a', 0, T0 + 86_400_000)).length, { timeout: 10_000 }).toBe(4);
    await pipeline.drain();
    expect((await store.readings('b', 0, T0 + 86_400_000)).length).toBe(4);
    expect(await store.deadLetters(0, T0 + 2 * 86_400_000, 100)).toEqual([]);
    expect(await counter(metrics, 'jieneng_readings_quarantined_total')).toBe(0);
  });
});

describe('acknowledgement of quarantined readings', () => {
  it('resolves the submit of a message whose meter is quarantined (ackAfterStore)', async () => {
    const store = await EmbeddedStore.open({ dataDir: ':memory:', timeZone: 'Asia/Shanghai' });
    const pipeline = new IngestPipeline({
      store: failingStore(store, { failures: 0, badMeter: 'bad' }),
      registry: new RegistryHolder(registry),
      metrics: createMetrics(),
      logger: pino({ level: 'silent' }),
      batchMax: 1000,
      flushMs: 60_000,
      clockSkewMaxMs: 600_000,
      ackAfterStore: true,
      now: () => T0 + 86_400_000,
    });
    try {
      await store.saveRegistry(registry);
      await pipeline.start();
      // Durable as dead letters: the broker may forget the message.
      await pipeline.submit('g', TOPIC, message(['a', 'bad'], 0, 3));
      expect((await store.readings('a', 0, T0 + 86_400_000)).length).toBe(3);
      expect((await store.deadLetters(0, T0 + 2 * 86_400_000, 100)).filter((d) => d.meterId === 'bad')).toHaveLength(3);
    } finally {
      await pipeline.stop();
      await store.close();
    }
  });
});

describe('Deriver on a very long interval', () => {
  it('derives a reading ~480,000 hours after the previous one without overflowing the stack', async () => {
    const store = await EmbeddedStore.open({ dataDir: ':memory:', timeZone: 'Asia/Shanghai' });
    try {
      await store.saveRegistry(registry);
      const deriver = new Deriver(store, (id) => registry.meters.find((m) => m.id === id));
      await deriver.start();
      const first = Date.parse('1971-06-01T00:00:00Z');
      const at = (tsMs: number, value: number): StoredReading => ({
        meterId: 'a',
        tsMs,
        value,
        gatewayId: 'g',
        receivedAtMs: 0,
      });
      await deriver.flush([at(first, 1), at(first + 900_000, 2)]);
      const outcome = await deriver.flush([at(T0, 5000)]);
      expect(outcome.stored).toBe(1);
      const [total] = await store.aggregate({
        filter: { meterId: 'a' },
        fromMs: 0,
        toMs: T0 + H,
        interval: 'total',
        timeZone: 'UTC',
        groupBy: 'none',
      });
      expect(total?.amount).toBeCloseTo(4999, 6);
    } finally {
      await store.close();
    }
  }, 60_000);
});
