import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HourlyConsumption } from '../../../core/domain/consumption.js';
import { DEFAULT_COEFFICIENT_TABLE } from '../../../core/domain/energy.js';
import type { Meter, Registry } from '../../../core/domain/registry.js';
import { createMetrics } from '../../../core/metrics.js';
import { RegistryHolder } from '../../../core/registry-holder.js';
import { EmbeddedStore } from '../../../core/storage/duckdb/embedded-store.js';
import { meterSlices } from '../../../ingest/jobs/meter-slices.js';
import { detectSeriesWindow, type SeriesDetector } from '../../../ingest/jobs/series-detection.js';

/**
 * The series detectors read the fleet a slice at a time (issue 19: a province's hours do not fit in
 * memory at once). The slices must not change what is found: a meter moved between districts inside
 * the window keeps its whole series, and every meter is examined once.
 */
const H = 3_600_000;
const DAY = 24 * H;
const NOW = Date.parse('2026-11-20T08:30:00Z');
const TO = Math.floor(NOW / H) * H;
const FROM = TO - 28 * DAY;
const MOVED_AT = FROM + 14 * DAY;

const meter = (id: string, buildingId: string, extra: Partial<Meter> = {}): Meter => ({
  id,
  buildingId,
  gatewayId: 'g',
  energy: 'electricity',
  unit: 'kWh',
  multiplier: 1,
  intervalS: 900,
  ...extra,
});

const institutions = ['i1', 'i2', 'i3', 'i4'];
const registry: Registry = {
  districts: ['d1', 'd2', 'd3'].map((id) => ({ id, name: id })),
  institutions: institutions.map((id, k) => ({
    id,
    name: id,
    districtId: k < 2 ? 'd1' : k === 2 ? 'd2' : 'd3',
    type: 'office' as const,
    floorAreaM2: 1000,
    occupants: 10,
  })),
  buildings: institutions.map((i) => ({ id: `${i}-b`, institutionId: i, name: i, floorAreaM2: 1000 })),
  gateways: [{ id: 'g', secretHash: 'x' }],
  meters: [
    ...institutions.flatMap((i) => [1, 2, 3].map((n) => meter(`${i}-m${n}`, `${i}-b`))),
    meter('w1', 'i3-b', { energy: 'water', unit: 'm3' }),
    // In d1 for the first half of the window, then in d3.
    meter('mover', 'i4-b', { attribution: [{ buildingId: 'i1-b', until: new Date(MOVED_AT).toISOString() }] }),
    // A building nobody registered: no district to read it by.
    meter('stray', 'nowhere'),
    meter('silent', 'i2-b', { installedAt: new Date(FROM - DAY).toISOString() }),
  ],
};

/** Office hours, a spike on the mover after its move, a flat meter and a night-time leak. */
function hours(): HourlyConsumption[] {
  const out: HourlyConsumption[] = [];
  registry.meters.forEach((m, k) => {
    if (m.id === 'silent') return;
    for (let t = FROM; t < TO; t += H) {
      const h = new Date(t + 8 * H).getUTCHours();
      const working = h >= 8 && h < 18;
      let kwh = (working ? 20 : 4) + ((t / H + k * 7) % 5) * 0.1;
      if (m.id === 'mover' && t === TO - 30 * H) kwh = 400;
      if (m.id === 'i2-m1' && t >= TO - 5 * DAY) kwh = 0;
      if (m.id === 'w1') kwh = working ? 2 : t >= TO - 6 * DAY ? 1.5 : 0;
      out.push({
        meterId: m.id,
        hourStartMs: t,
        amountMicro: Math.round(kwh * 1e6),
        estimatedMicro: 0,
        quality: 'good',
        readingsCount: 4,
      });
    }
  });
  return out;
}

describe('series detection a slice of the fleet at a time', () => {
  let store: EmbeddedStore;
  beforeAll(async () => {
    store = await EmbeddedStore.open({ dataDir: ':memory:', timeZone: 'Asia/Shanghai' });
    await store.saveRegistry(registry);
    await store.replaceHourly([], hours());
  });
  afterAll(() => store?.close());

  it('puts every meter in exactly one slice, movers and strays alone', () => {
    const window = { fromMs: FROM, toMs: TO };
    const check = (slices: ReturnType<typeof meterSlices>) => {
      const ids = slices.flatMap((s) => s.meterIds);
      expect([...ids].sort()).toEqual(registry.meters.map((m) => m.id).sort());
      return slices;
    };
    const byDistrict = check(meterSlices(registry, window));
    expect(byDistrict.map((s) => s.filter)).toEqual([
      { districtId: 'd1' },
      { districtId: 'd2' },
      { districtId: 'd3' },
      { meterId: 'mover' },
      { meterId: 'stray' },
    ]);
    // Before its move, or after it, the mover lies in one district.
    const before = check(meterSlices(registry, { fromMs: FROM, toMs: MOVED_AT }));
    expect(before.find((s) => s.meterIds.includes('mover'))?.filter).toEqual({ districtId: 'd1' });
    // Small slices: by institution; too many single meters: one slice of the whole fleet for them.
    const small = check(meterSlices(registry, window, 2, 1));
    expect(small.map((s) => s.filter)).toEqual([
      { institutionId: 'i1' },
      { institutionId: 'i2' },
      { institutionId: 'i3' },
      { institutionId: 'i4' },
      {},
    ]);
  });

  it('finds what reading the whole fleet at once finds, however it is sliced', async () => {
    const deps = {
      store,
      registry: new RegistryHolder(registry),
      timeZone: 'Asia/Shanghai',
      coefficients: DEFAULT_COEFFICIENT_TABLE,
      logger: pino({ level: 'silent' }),
      metrics: createMetrics(),
      now: () => NOW,
    };
    const detectors: SeriesDetector[] = [
      'offline',
      'spike',
      'flat',
      'implausible',
      'leak',
      'continuous',
      'after_hours',
    ];
    const window = { fromMs: FROM, toMs: TO, nowMs: NOW };
    const whole = await detectSeriesWindow(deps, detectors, window, (r) => [
      { filter: {}, meterIds: r.meters.map((m) => m.id) },
    ]);
    // The planted anomalies are found, the mover's spike among them (its series is whole).
    const scopes = new Set(whole.map((f) => `${f.type} ${f.scope}`));
    expect(scopes).toContain('spike meter:mover');
    expect(scopes).toContain('offline meter:silent');
    expect(scopes).toContain('flat meter:i2-m1');
    expect(whole.length).toBeGreaterThan(3);
    for (const slicing of [
      meterSlices,
      (r: Registry, w: { fromMs: number; toMs: number }) => meterSlices(r, w, 2, 0),
      (r: Registry, w: { fromMs: number; toMs: number }) => meterSlices(r, w, 1, 100),
    ])
      expect(await detectSeriesWindow(deps, detectors, window, slicing)).toEqual(whole);
  });
});
