/**
 * The fit-baselines batch (core/savings/baseline-batch.ts) on a real embedded store: one scope's
 * failure is stored with its reason and never stops the others, and progress is logged. The read
 * failures are injected (a store whose weather or consumption read throws for one station or
 * district): a broken disk cannot be had here on demand.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HourlyConsumption } from '../../core/domain/consumption.js';
import type { Registry } from '../../core/domain/registry.js';
import {
  type BaselineBatchRequest,
  type BaselineBatchSource,
  fitBaselines,
} from '../../core/savings/baseline-batch.js';
import { EmbeddedStore } from '../../core/storage/duckdb/embedded-store.js';

const TZ = 'Asia/Shanghai';
const HOUR_MS = 3_600_000;
const FROM_MS = Date.parse('2024-12-31T16:00:00Z');
const DAYS = 120;
const REQUEST: BaselineBatchRequest = {
  from: '2025-01-01',
  to: '2025-05-01',
  fromMs: FROM_MS,
  toMs: FROM_MS + DAYS * 24 * HOUR_MS,
  model: 'daily',
};

const meter = (id: string, buildingId: string) => ({
  id,
  buildingId,
  gatewayId: 'gw',
  energy: 'electricity' as const,
  unit: 'kWh',
  multiplier: 1,
  intervalS: 3600,
});
const REGISTRY: Registry = {
  districts: [
    { id: 'd1', name: 'one' },
    { id: 'd2', name: 'two' },
  ],
  institutions: [
    { id: 'i1', name: 'a', districtId: 'd1', type: 'office', floorAreaM2: 1, occupants: 1, weatherStationId: 'ws-ok' },
    { id: 'i2', name: 'b', districtId: 'd1', type: 'office', floorAreaM2: 1, occupants: 1, weatherStationId: 'ws-bad' },
    { id: 'i3', name: 'c', districtId: 'd2', type: 'office', floorAreaM2: 1, occupants: 1, weatherStationId: 'ws-ok' },
  ],
  buildings: [
    { id: 'b1', institutionId: 'i1', name: 'a', floorAreaM2: 1 },
    { id: 'b2', institutionId: 'i2', name: 'b', floorAreaM2: 1 },
    { id: 'b3', institutionId: 'i3', name: 'c', floorAreaM2: 1 },
  ],
  gateways: [{ id: 'gw', secretHash: 'x' }],
  weatherStations: [
    { id: 'ws-ok', name: 'ok' },
    { id: 'ws-bad', name: 'bad' },
  ],
  meters: [
    meter('m-a', 'b1'),
    meter('m-b', 'b2'),
    meter('m-c', 'b3'),
    { ...meter('m-virtual', 'b1'), virtual: { plus: ['m-a'], minus: [] } },
  ],
} as unknown as Registry;

let store: EmbeddedStore;

beforeEach(async () => {
  store = await EmbeddedStore.open({ dataDir: ':memory:', timeZone: TZ });
  await store.saveRegistry(REGISTRY);
  const rows: HourlyConsumption[] = [];
  const temperature = (h: number) => 5 + 10 * Math.sin((2 * Math.PI * h) / (24 * 60)) + ((h * 7) % 3);
  for (let h = 0; h < DAYS * 24; h++)
    for (const id of ['m-a', 'm-b', 'm-c'])
      rows.push({
        meterId: id,
        hourStartMs: FROM_MS + h * HOUR_MS,
        amountMicro: Math.round((10 + Math.max(0, 15 - temperature(h)) + (h % 5)) * 1e6),
        estimatedMicro: 0,
        quality: 'good',
        readingsCount: 1,
      });
  await store.replaceHourly(
    ['m-a', 'm-b', 'm-c'].map((meterId) => ({ meterId, fromMs: REQUEST.fromMs, toMs: REQUEST.toMs })),
    rows,
  );
  for (const station of ['ws-ok', 'ws-bad'])
    await store.weather.putObservations(
      station,
      Array.from({ length: DAYS * 24 }, (_, h) => ({ tsMs: FROM_MS + h * HOUR_MS, temperatureC: temperature(h) })),
    );
}, 60_000);

afterEach(async () => {
  await store.close();
});

function source(faults: { station?: string; district?: string }, lines: string[]): BaselineBatchSource {
  return {
    registry: REGISTRY,
    timeZone: TZ,
    nowMs: Date.parse('2025-05-02T00:00:00Z'),
    log: { info: (_, m) => lines.push(`info ${m}`), warn: (_, m) => lines.push(`warn ${m}`) },
    store: {
      aggregate: async (q) => {
        if (faults.district !== undefined && q.filter.districtId === faults.district) throw new Error('disk on fire');
        return store.aggregate(q);
      },
      weather: {
        putObservations: (s, o) => store.weather.putObservations(s, o),
        observations: async (s, f, t) => {
          if (s === faults.station) throw new Error('station table unreadable');
          return store.weather.observations(s, f, t);
        },
      },
      baselines: store.baselines,
    },
  };
}

describe('the fit-baselines batch', () => {
  it("stores a failed weather read as that meter's reason and fits the others", async () => {
    const lines: string[] = [];
    const out = await fitBaselines(source({ station: 'ws-bad' }, lines), REQUEST);
    expect(out).toMatchObject({ scopes: 3, fitted: 2, failed: 1, failures: { read_failed: 1 }, groups: 2, unsaved: 0 });
    const stored = await store.baselines.list();
    expect(stored.map((b) => [b.scope, b.status])).toEqual([
      ['meter:m-a', 'ok'],
      ['meter:m-b', 'failed'],
      ['meter:m-c', 'ok'],
    ]);
    expect(stored[1]?.failure?.message).toContain('station table unreadable');
    expect(lines.filter((l) => l === 'info baselines fitted')).toHaveLength(2);
  });

  it('stores a failed consumption read for its group and goes on with the next', async () => {
    const lines: string[] = [];
    const out = await fitBaselines(source({ district: 'd1' }, lines), REQUEST);
    expect(out).toMatchObject({ fitted: 1, failed: 2, failures: { read_failed: 2 } });
    expect((await store.baselines.list()).map((b) => [b.scope, b.status, b.failure?.code])).toEqual([
      ['meter:m-a', 'failed', 'read_failed'],
      ['meter:m-b', 'failed', 'read_failed'],
      ['meter:m-c', 'ok', undefined],
    ]);
    expect(lines).toContain('warn reading consumption for baselines failed');
  });

  it('fits one scope only when asked, and hourly models read by institution', async () => {
    const out = await fitBaselines(source({}, []), {
      ...REQUEST,
      model: 'hourly',
      scope: { level: 'district', id: 'd1' },
    });
    expect(out).toMatchObject({ scopes: 2, fitted: 2, groups: 2, model: 'hourly' });
    expect((await store.baselines.list()).map((b) => `${b.scope}/${b.model}`)).toEqual([
      'meter:m-a/hourly',
      'meter:m-b/hourly',
    ]);
  }, 60_000);
});
