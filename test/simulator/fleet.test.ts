import { describe, expect, it } from 'vitest';
import { EMPTY_REGISTRY, mergeRegistry, RegistryInputSchema } from '../../core/domain/registry.js';
import { buildFleet } from '../../simulator/fleet.js';
import { readingsBetween } from '../../simulator/registers.js';

const DEMO = { seed: 1, districts: 3, institutions: 40 } as const;
const FROM_MS = Date.parse('2026-11-16T00:00:00+08:00');
const SIX_HOURS_MS = 6 * 3_600_000;

describe('buildFleet', () => {
  it('is deterministic: the same seed gives a byte-identical registry and readings', () => {
    const a = buildFleet(DEMO);
    const b = buildFleet(DEMO);
    expect(JSON.stringify(a.registry)).toBe(JSON.stringify(b.registry));
    expect(JSON.stringify(a.meters)).toBe(JSON.stringify(b.meters));
    const readingsA = JSON.stringify([...readingsBetween(a, FROM_MS, FROM_MS + SIX_HOURS_MS, 900)]);
    const readingsB = JSON.stringify([...readingsBetween(b, FROM_MS, FROM_MS + SIX_HOURS_MS, 900)]);
    expect(readingsA).toBe(readingsB);
  });

  it('gives a different city and readings for a different seed', () => {
    const a = buildFleet(DEMO);
    const b = buildFleet({ ...DEMO, seed: 2 });
    expect(JSON.stringify(a.registry)).not.toBe(JSON.stringify(b.registry));
    const first = (f: typeof a) => [...readingsBetween(f.meters.slice(0, 20), FROM_MS, FROM_MS + 3_600_000, 900)];
    expect(first(a).map((r) => r.value)).not.toEqual(first(b).map((r) => r.value));
  });

  it.each([1, 2, 3, 42, 2026])('demo size (seed %i): 350–450 meters, valid and referentially intact', (seed) => {
    const fleet = buildFleet({ ...DEMO, seed });
    const { registry } = fleet;
    expect(fleet.meters.length).toBeGreaterThanOrEqual(350);
    expect(fleet.meters.length).toBeLessThanOrEqual(450);
    const parsed = RegistryInputSchema.parse(registry);
    expect(parsed).toEqual(registry); // nothing defaulted or stripped
    const stored = { ...parsed, gateways: parsed.gateways.map((g) => ({ id: g.id, secretHash: 'x' })) };
    expect(mergeRegistry(EMPTY_REGISTRY, stored).problems).toEqual([]);
    expect(registry.districts.map((d) => d.id)).toEqual(['gulou', 'xuanwu', 'qinhuai']);
    expect(new Set(registry.institutions.map((i) => i.name)).size).toBe(registry.institutions.length);
    expect(new Set(registry.institutions.map((i) => i.type))).toEqual(
      new Set(['office', 'school', 'hospital', 'venue']),
    );
    // One gateway per building, secrets long enough for the schema and the broker.
    expect(registry.gateways.map((g) => g.id)).toEqual(registry.buildings.map((b) => `gw-${b.id}`));
    for (const g of registry.gateways) expect(g.secret.length).toBeGreaterThanOrEqual(8);
    // The simulated meters are the registry's meters, with the same wiring.
    expect(
      fleet.meters.map((m) => [
        m.id,
        m.buildingId,
        m.gatewayId,
        m.energy,
        m.subItem,
        m.unit,
        m.multiplier,
        m.registerModulus,
      ]),
    ).toEqual(
      registry.meters.map((m) => [
        m.id,
        m.buildingId,
        m.gatewayId,
        m.energy,
        m.subItem,
        m.unit,
        m.multiplier,
        m.registerModulus,
      ]),
    );
    for (const m of fleet.meters) {
      expect(m.gatewayId).toBe(`gw-${m.buildingId}`);
      expect(m.initialRegister).toBeGreaterThanOrEqual(0);
      expect(m.initialRegister).toBeLessThan(m.registerModulus);
      expect(m.annualNative).toBeGreaterThan(0);
    }
    // Every building has a water meter and electricity sub-items; hospitals have gas.
    for (const b of registry.buildings) {
      const meters = fleet.meters.filter((m) => m.buildingId === b.id);
      expect(meters.filter((m) => m.energy === 'water')).toHaveLength(1);
      for (const code of ['01A00', '01B00', '01C00']) expect(meters.some((m) => m.subItem === code)).toBe(true);
    }
    const hospitals = registry.institutions.filter((i) => i.type === 'hospital').map((i) => i.id);
    for (const id of hospitals)
      expect(fleet.meters.some((m) => m.energy === 'gas' && m.buildingId.startsWith(`${id}-`))).toBe(true);
    const multipliers = new Set(fleet.meters.map((m) => m.multiplier));
    expect(multipliers.has(1)).toBe(true);
    expect([...multipliers].some((x) => x > 1)).toBe(true);
  });

  it('scales to a city: 1,000 institutions give at least 10,000 meters', () => {
    const fleet = buildFleet({ seed: 1, districts: 11, institutions: 1000 });
    expect(fleet.meters.length).toBeGreaterThanOrEqual(10_000);
    expect(new Set(fleet.meters.map((m) => m.id)).size).toBe(fleet.meters.length);
    expect(fleet.registry.institutions).toHaveLength(1000);
  });

  it('repeats district names with a number beyond the table, keeping ids unique', () => {
    const fleet = buildFleet({ seed: 1, districts: 13, institutions: 26 });
    const ids = fleet.registry.districts.map((d) => d.id);
    expect(new Set(ids).size).toBe(13);
    expect(ids).toContain('gulou-2');
    expect(RegistryInputSchema.safeParse(fleet.registry).success).toBe(true);
  });

  it('meets a meters target and uses the given secrets', () => {
    const fleet = buildFleet({ ...DEMO, metersTarget: 600, secretFor: (id) => `secret-of-${id}` });
    expect(fleet.meters).toHaveLength(600);
    for (const g of fleet.registry.gateways) expect(g.secret).toBe(`secret-of-${g.id}`);
  });

  it('refuses nonsense sizes', () => {
    expect(() => buildFleet({ seed: 1, districts: 0, institutions: 3 })).toThrow(RangeError);
    expect(() => buildFleet({ seed: 1, districts: 1, institutions: -1 })).toThrow(RangeError);
  });
});
