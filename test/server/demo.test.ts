import { rm } from 'node:fs/promises';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { bucketStart, formatLocalIso, nextBucketStart } from '../../core/domain/time.js';
import { startDemo } from '../../server/demo.js';
import { DEMO_TARIFFS, demoAccounts, ensureDemoAccounts, seedDemoBills } from '../../server/demo-cost.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { smallCity } from '../helpers/registry.js';

interface Series {
  total: number;
}

interface Cost extends Series {
  billed: number;
  tariffed: number;
  tariffs: string[];
  uncosted: unknown[];
}

interface Tariffs {
  tariffs: { id: string; energy: string; bands?: { name: string }[] }[];
}

describe('the demo city', () => {
  let t: TestPlatform | undefined;
  afterAll(async () => {
    await t?.close();
    if (t) await rm(t.dataDir, { recursive: true, force: true });
  });

  it('seeds ~400 meters with tariffs and utility accounts, back-fills through the broker, bills whole months, and resumes after a restart without doubling or replacing', async () => {
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

    // Cost (issue 16, item 1): the demo's tariffs price every energy it meters, 尖峰平谷 for electricity.
    const tariffs = (await t.api<Tariffs>('GET', '/api/v1/tariffs')).body.tariffs;
    expect(tariffs.map((x) => x.energy).sort()).toEqual(['electricity', 'gas', 'heat', 'water']);
    expect(
      tariffs
        .find((x) => x.energy === 'electricity')
        ?.bands?.map((b) => b.name)
        .sort(),
    ).toEqual(['flat', 'peak', 'sharp', 'valley']);
    const cost = (await t.api<Cost>('GET', query.replace('unit=kgce', 'unit=yuan'))).body;
    expect(cost.total).toBeGreaterThan(0);
    expect(cost.tariffed).toBeGreaterThan(0);
    expect(cost.tariffs).toHaveLength(DEMO_TARIFFS.length);
    expect(cost.uncosted).toEqual([]);
    // A few institutions carry utility accounts; one day of readings holds no whole month to bill.
    const accounts = registry.meters.filter((m) => m.accountNo !== undefined);
    expect(accounts.length).toBeGreaterThan(0);
    expect(accounts.length).toBeLessThan(registry.meters.length / 2);
    expect((await t.api<{ bills: unknown[] }>('GET', '/api/v1/bills?scope=city')).body.bills).toEqual([]);

    // Billing the months around that day: quantity = the account's metered quantity, in whole units.
    const tz = t.platform.config.TIMEZONE;
    const fromMs = bucketStart(Date.now() - 2 * 86_400_000, 'month', tz);
    const toMs = nextBucketStart(bucketStart(Date.now(), 'month', tz), 'month', tz);
    const span = { fromMs, toMs, timeZone: tz, nowMs: Date.now() };
    const bills = await seedDemoBills(t.platform.store, t.platform.registry, span);
    expect(bills.length).toBeGreaterThan(0);
    const years = [...new Set(bills.map((b) => b.from.slice(0, 4)))];
    for (const year of years) {
      const recon = await t.api<{ bills: { billedQuantity: number; meteredQuantity: number }[] }>(
        'GET',
        `/api/v1/bills/reconciliation?scope=city&year=${year}`,
      );
      for (const b of recon.body.bills) expect(Math.abs(b.billedQuantity - b.meteredQuantity)).toBeLessThanOrEqual(0.5);
    }
    const monthsQuery = `/api/v1/consumption?scope=city&from=${formatLocalIso(fromMs, tz).slice(0, 10)}&to=${formatLocalIso(toMs, tz).slice(0, 10)}&interval=month&unit=yuan`;
    const billed = (await t.api<Cost>('GET', monthsQuery)).body;
    const fen = bills.reduce((sum, b) => sum + b.amountFen, 0);
    expect(Math.round(billed.billed * 100)).toBe(fen);
    expect(await seedDemoBills(t.platform.store, t.platform.registry, span)).toEqual([]);
    await t.platform.stop();

    // Restart on the same data directory: the registry is kept, nothing is re-seeded or doubled.
    t = await startTestPlatform(env, dataDir);
    expect(t.platform.registry.get().meters.length).toBe(registry.meters.length);
    // An officer's tariffs are kept: the demo writes its own only when none are stored.
    const officers = { tariffs: [{ energy: 'electricity', from: '2020-01-01', priceYuanPerUnit: 0.7 }] };
    expect((await t.api('PUT', '/api/v1/tariffs', officers)).status).toBe(200);
    const again = await startDemo(t.platform, pino({ level: 'silent' }));
    await again.stop();
    await t.platform.pipeline.drain();
    const after = (await t.api<Series>('GET', query)).body.total;
    expect(after).toBeGreaterThanOrEqual(before);
    // At most the few minutes between the two runs were added (a day holds ~100× more).
    expect(after - before).toBeLessThan(before / 20);
    expect((await t.api<Tariffs>('GET', '/api/v1/tariffs')).body.tariffs.map((x) => x.id)).toEqual([
      'electricity|*|2020-01-01',
    ]);
    const accountsAfter = t.platform.registry.get().meters.filter((m) => m.accountNo !== undefined);
    const byMeter = (list: typeof accounts) => Object.fromEntries(list.map((m) => [m.id, m.accountNo]));
    expect(byMeter(accountsAfter)).toEqual(byMeter(accounts));
    expect((await t.api<{ bills: unknown[] }>('GET', '/api/v1/bills?scope=city')).body.bills).toHaveLength(
      bills.length,
    );
  });

  it('gives a registry stored before the demo had accounts its accounts, once, and never one an officer keeps', async () => {
    const small = await startTestPlatform();
    try {
      const city = smallCity();
      expect((await small.api('PUT', '/api/v1/registry', city)).status).toBe(200);
      // The first two institutions of each district are billed: every meter of this city.
      const accounts = demoAccounts(city);
      expect(accounts.size).toBe(city.meters.filter((m) => ['electricity', 'water', 'gas'].includes(m.energy)).length);
      const { store, registry } = small.platform;
      expect(await ensureDemoAccounts(store, registry, accounts)).toBe(accounts.size);
      const carried = () => Object.fromEntries(registry.get().meters.map((m) => [m.id, m.accountNo]));
      expect(carried()).toEqual(Object.fromEntries(accounts));
      expect(Object.fromEntries((await store.loadRegistry()).meters.map((m) => [m.id, m.accountNo]))).toEqual(
        Object.fromEntries(accounts),
      );
      // Once any meter carries an account, the registry is the officers': nothing is added.
      const officers = new Map([...accounts].map(([id]) => [id, 'OTHER']));
      expect(await ensureDemoAccounts(store, registry, officers)).toBe(0);
      expect(carried()).toEqual(Object.fromEntries(accounts));
    } finally {
      await small.close();
      await rm(small.dataDir, { recursive: true, force: true });
    }
  });
});
