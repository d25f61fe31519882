import { expect, it } from 'vitest';
import type { Registry } from '../../core/domain/registry.js';
import type { WeatherObservation } from '../../core/domain/weather.js';
import type { MetadataStore } from '../../core/storage/store.js';
import { H, REGISTRY, T0 } from './contract-fixtures.js';

/** `n` hours from `fromMs`, with temperatures from `t(i)`. */
const hours = (fromMs: number, n: number, t: (i: number) => number = (i) => (i - 37) / 10): WeatherObservation[] =>
  Array.from({ length: n }, (_, i) => ({ tsMs: fromMs + i * H, temperatureC: t(i) }));

/** Weather (issue 18, item 1): `WeatherStore` and the stations in the registry, as every metadata backend keeps them. */
export function weatherCases(store: () => MetadataStore): void {
  const weather = () => store().weather;

  it('stores observations, reads them back in [from, to) in time order, and keeps stations apart', async () => {
    expect(await weather().observations('bedford', 0, T0 + 1000 * H)).toEqual([]);
    const obs = hours(T0, 6);
    const outcome = await weather().putObservations('bedford', [...obs].reverse());
    expect(outcome).toEqual({ inserted: 6, replaced: 0, unchanged: 0 });
    await weather().putObservations(
      'cambridge',
      hours(T0, 3, () => 21.5),
    );
    expect(await weather().observations('bedford', T0, T0 + 6 * H)).toEqual(obs);
    expect(await weather().observations('bedford', T0 + H, T0 + 3 * H)).toEqual(obs.slice(1, 3));
    expect(await weather().observations('cambridge', 0, T0 + 1000 * H)).toHaveLength(3);
    expect(await weather().observations('nowhere', 0, T0 + 1000 * H)).toEqual([]);
  });

  it('counts repeats as unchanged and other values as replaced, the last of a call winning', async () => {
    await weather().putObservations('bedford', hours(T0, 4));
    const again = await weather().putObservations('bedford', [
      ...hours(T0, 4),
      { tsMs: T0 + H, temperatureC: 99 },
      { tsMs: T0 + H, temperatureC: -1.3 },
      { tsMs: T0 + 4 * H, temperatureC: 0 },
    ]);
    expect(again).toEqual({ inserted: 1, replaced: 1, unchanged: 3 });
    expect((await weather().observations('bedford', T0, T0 + 5 * H)).map((o) => o.temperatureC)).toEqual([
      -3.7, -1.3, -3.5, -3.4, 0,
    ]);
    expect(await weather().putObservations('bedford', [])).toEqual({ inserted: 0, replaced: 0, unchanged: 0 });
  });

  it('takes a station-year in one call and corrects thousands of hours at once', async () => {
    const year = hours(T0, 8760, (i) => Math.round(Math.sin(i / 100) * 150) / 10);
    expect(await weather().putObservations('bedford', year)).toEqual({ inserted: 8760, replaced: 0, unchanged: 0 });
    const corrected = year.map((o, i) => (i % 3 === 0 ? { ...o, temperatureC: o.temperatureC + 0.1 } : o));
    expect(await weather().putObservations('bedford', corrected)).toEqual({
      inserted: 0,
      replaced: 2920,
      unchanged: 5840,
    });
    const back = await weather().observations('bedford', T0, T0 + 8760 * H);
    expect(back).toHaveLength(8760);
    expect(back[3]).toEqual(corrected[3]);
    expect(back[4]).toEqual(year[4]);
  });

  it('counts each hour as inserted once when two writers store the same hours at once', async () => {
    const obs = hours(T0, 200);
    const outcomes = await Promise.all([
      weather().putObservations('bedford', obs),
      weather().putObservations('bedford', obs),
    ]);
    expect(outcomes.reduce((n, o) => n + o.inserted, 0)).toBe(200);
    expect(outcomes.reduce((n, o) => n + o.unchanged, 0)).toBe(200);
  });

  it('keeps weather stations and the stations of institutions and buildings in the registry', async () => {
    const registry: Registry = {
      ...REGISTRY,
      institutions: REGISTRY.institutions.map((i) => (i.id === 'i1' ? { ...i, weatherStationId: 'bedford' } : i)),
      buildings: REGISTRY.buildings.map((b) => (b.id === 'b3' ? { ...b, weatherStationId: 'cambridge' } : b)),
      weatherStations: [
        { id: 'bedford', name: 'Bedford (Met Office 461)', gatewayIds: ['g1', 'g2'] },
        { id: 'cambridge', name: '剑桥', gatewayIds: [] },
        { id: 'manual', name: 'uploads only' },
      ],
    };
    await store().saveRegistry(registry);
    expect(await store().loadRegistry()).toEqual(registry);
    // A registry without stations reads as it did before them.
    await store().saveRegistry(REGISTRY);
    const plain = await store().loadRegistry();
    expect(plain).toEqual(REGISTRY);
    expect('weatherStations' in plain).toBe(false);
  });
}
