import { describe, expect, it } from 'vitest';
import type { Registry } from '../../core/domain/registry.js';
import { stampRegistered } from '../../core/registry-service.js';

const meter = (id: string, registeredAt?: string) => ({
  id,
  buildingId: 'b1',
  gatewayId: 'g1',
  energy: 'electricity' as const,
  unit: 'kWh',
  multiplier: 1,
  intervalS: 900,
  ...(registeredAt === undefined ? {} : { registeredAt }),
});
const registry = (meters: Registry['meters']): Registry => ({
  districts: [],
  institutions: [],
  buildings: [],
  gateways: [],
  meters,
});

describe('registeredAt: when a meter was first registered (offline detection without installedAt)', () => {
  it('stamps new meters, keeps known ones, and ignores what a client sends', () => {
    const current = registry([meter('old', '2026-01-01T00:00:00.000Z'), meter('legacy')]);
    const merged = registry([
      meter('old', '2030-01-01T00:00:00.000Z'),
      meter('legacy', '2030-01-01T00:00:00.000Z'),
      meter('new', '1999-01-01T00:00:00.000Z'),
    ]);
    const out = stampRegistered(current, merged, '2026-12-06T08:00:00.000Z');
    expect(out.meters.map((m) => [m.id, m.registeredAt])).toEqual([
      ['old', '2026-01-01T00:00:00.000Z'],
      ['legacy', undefined],
      ['new', '2026-12-06T08:00:00.000Z'],
    ]);
  });
});
