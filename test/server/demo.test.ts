import { rm } from 'node:fs/promises';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startDemo } from '../../server/demo.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';

interface Series {
  total: number;
}

describe('the demo city', () => {
  let t: TestPlatform | undefined;
  afterAll(async () => {
    await t?.close();
    if (t) await rm(t.dataDir, { recursive: true, force: true });
  });

  it('seeds ~400 meters, back-fills through the broker, and resumes after a restart without doubling', async () => {
    const env = { DEMO: 'on', DEMO_DAYS: '1', DEMO_INTERVAL_S: '900' };
    t = await startTestPlatform(env);
    const dataDir = t.dataDir;
    const demo = await startDemo(t.platform, pino({ level: 'silent' }));
    const registry = t.platform.registry.get();
    expect(registry.meters.length).toBeGreaterThanOrEqual(350);
    expect(registry.meters.length).toBeLessThanOrEqual(450);
    expect(new Set(registry.meters.map((m) => m.energy))).toEqual(new Set(['electricity', 'water', 'gas', 'heat']));
    const expectedReadings = registry.meters.length * 96;
    // Every back-filled reading arrives: ~96 per meter for one day of 15-minute readings.
    await expect
      .poll(async () => Number((await t?.platform.metrics.readingsAccepted.get())?.values[0]?.value ?? 0), {
        timeout: 30_000,
      })
      .toBeGreaterThanOrEqual(expectedReadings - registry.meters.length);
    await demo.stop();
    await t.platform.pipeline.drain();
    const localDay = (offsetDays: number) =>
      new Date(Date.now() + 8 * 3_600_000 + offsetDays * 86_400_000).toISOString().slice(0, 10);
    const query = `/api/v1/consumption?scope=city&from=${localDay(-3)}&to=${localDay(2)}&interval=day&unit=kgce`;
    const before = (await t.api<Series>('GET', query)).body.total;
    expect(before).toBeGreaterThan(0);
    await t.platform.stop();

    // Restart on the same data directory: the registry is kept, nothing is re-seeded or doubled.
    t = await startTestPlatform(env, dataDir);
    expect(t.platform.registry.get().meters.length).toBe(registry.meters.length);
    const again = await startDemo(t.platform, pino({ level: 'silent' }));
    await again.stop();
    await t.platform.pipeline.drain();
    const after = (await t.api<Series>('GET', query)).body.total;
    expect(after).toBeGreaterThanOrEqual(before);
    // At most the few minutes between the two runs were added (a day holds ~100× more).
    expect(after - before).toBeLessThan(before / 20);
  });
});
